-- Prodsight on PostgreSQL, schema version 2: a commit that moves a collection's or a document's
-- version notifies the channel prodsight_versions with "<version> <name>". Each app process keeps one
-- LISTEN connection (utils/storage/postgres/listener.py) and so knows, without a query per request,
-- whether the snapshot it caches is still the current one. A trigger rather than the app's own
-- NOTIFY: every path that bumps a version (writes, import-data, tools) notifies, and it costs the
-- app no round trip. PostgreSQL delivers the notification when (and only if) the transaction commits.
CREATE FUNCTION storage_names_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('prodsight_versions', NEW.version::text || ' ' || NEW.name);
    RETURN NULL;
END
$$;

CREATE TRIGGER storage_names_notify
    AFTER UPDATE OF version ON storage_names
    FOR EACH ROW
    WHEN (NEW.kind IN ('records', 'document') AND NEW.version IS DISTINCT FROM OLD.version)
    EXECUTE FUNCTION storage_names_notify();
