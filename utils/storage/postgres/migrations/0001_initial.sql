-- Prodsight on PostgreSQL, schema version 1. Applied once by utils/storage/postgres/migrate.py.

-- Every name the app registered (record collections, documents, event logs): its committed version,
-- which a transaction locks (SELECT ... FOR UPDATE) for the whole block, so writers of one name go
-- one at a time across every server, and which readers compare with their cached copy. ``kind``:
-- 'records', 'document', 'log' (its version is its last event id) or 'lock' (a named lock only).
CREATE TABLE storage_names (
    name    text PRIMARY KEY,
    kind    text   NOT NULL CHECK (kind IN ('records', 'document', 'log', 'lock')),
    version bigint NOT NULL DEFAULT 0
);

-- Records, one row each, keyed by (collection, id). ``version`` is the collection version that last
-- wrote the row, so a server refreshes its cache with only the rows written since its copy; a deleted
-- record stays as a tombstone (body NULL) so that the refresh learns of the delete.
-- ``json``, not ``jsonb``: the text is kept as written, so records keep their field order and the
-- API answers (and their ETags) are the same bytes on both backends.
CREATE TABLE records (
    collection text   NOT NULL,
    id         text   NOT NULL,
    version    bigint NOT NULL,
    body       json,
    PRIMARY KEY (collection, id)
);
CREATE INDEX records_by_version ON records (collection, version);

-- Single documents (budget settings, the script header...), one row each.
CREATE TABLE documents (
    name text PRIMARY KEY,
    body json NOT NULL
);

-- Append-only event logs (the activity log): ids dense and increasing, handed out under the log's
-- row in storage_names; rows are only ever inserted.
CREATE TABLE events (
    log  text   NOT NULL,
    id   bigint NOT NULL,
    body json   NOT NULL,
    PRIMARY KEY (log, id)
);
