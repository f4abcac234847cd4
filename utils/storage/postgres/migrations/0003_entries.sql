-- Prodsight on PostgreSQL, schema version 3: keyed entries (revoked tokens, login attempts) as rows.
-- Until now each was one document row rewritten whole at every logout or failed login; now a write
-- touches one row, and expired rows are deleted (index on expiry). ``position`` keeps the order of
-- first insertion, as the file backend's JSON object does, so an export gives the same bytes.
ALTER TABLE storage_names DROP CONSTRAINT storage_names_kind_check;
ALTER TABLE storage_names ADD CONSTRAINT storage_names_kind_check
    CHECK (kind IN ('records', 'document', 'log', 'lock', 'entries'));

CREATE TABLE entries (
    name     text             NOT NULL,
    key      text             NOT NULL,
    position bigint           GENERATED ALWAYS AS IDENTITY,
    expires  double precision NOT NULL,
    body     json             NOT NULL,
    PRIMARY KEY (name, key)
);
CREATE INDEX entries_by_expiry ON entries (name, expires);

-- What schema version 1 kept as documents moves to rows (a login name's failures, kept as a bare
-- list by older versions, are dropped: at worst one throttle window starts again).
INSERT INTO entries (name, key, expires, body)
    SELECT d.name, e.key, (e.value ->> 'expires')::double precision, e.value
    FROM documents d, json_each(d.body) e
    WHERE d.name IN ('revoked_tokens', 'login_attempts') AND json_typeof(d.body) = 'object'
      AND json_typeof(e.value) = 'object' AND json_typeof(e.value -> 'expires') = 'number';
UPDATE storage_names SET kind = 'entries' WHERE name IN ('revoked_tokens', 'login_attempts');
DELETE FROM documents WHERE name IN ('revoked_tokens', 'login_attempts');

-- A commit that changes keyed entries announces its version too (migration 2's trigger), so a
-- process's cache of looked-up entries learns of another server's revocation.
DROP TRIGGER storage_names_notify ON storage_names;
CREATE TRIGGER storage_names_notify
    AFTER UPDATE OF version ON storage_names
    FOR EACH ROW
    WHEN (NEW.kind IN ('records', 'document', 'entries') AND NEW.version IS DISTINCT FROM OLD.version)
    EXECUTE FUNCTION storage_names_notify();
