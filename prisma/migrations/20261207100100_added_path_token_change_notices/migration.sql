-- The ingest gateway keeps the forward shared keys of active tokens in memory and never reads
-- them again because a handshake failed (that made each wrong key a database read). Instead
-- every change that can make a key usable notifies the gateways (LISTEN path_token_changed):
-- a token created, sealed or revoked, a path's state changed. Sent at commit; statement level,
-- so a bulk change sends one.
CREATE FUNCTION "path_token_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('path_token_changed', '');
  RETURN NULL;
END $$;

CREATE TRIGGER "path_token_changed"
  AFTER INSERT OR DELETE OR UPDATE OF "shared_key_sealed", "revoked_at" ON "path_token"
  FOR EACH STATEMENT EXECUTE FUNCTION "path_token_notify_change"();

CREATE TRIGGER "path_state_changed"
  AFTER UPDATE OF "state" ON "path"
  FOR EACH STATEMENT EXECUTE FUNCTION "path_token_notify_change"();
