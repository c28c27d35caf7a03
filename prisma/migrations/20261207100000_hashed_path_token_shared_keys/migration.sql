-- path_token.token_hash held sha256(token), which is also the token's fluentd forward shared
-- key: a copy of the database (a dump, a backup) gave working credentials for every path.
-- From now on token_hash holds sha256 of the shared key, which is no credential (a write
-- presents the token and the gateway hashes it twice), and the shared key itself is kept
-- sealed with the platform secret (AES-256-GCM, SEXTANT_SECRET_KEY) in shared_key_sealed,
-- for the handshake. Agents keep their shared key: it is still sha256 of the token.
--
-- SQL cannot see SEXTANT_SECRET_KEY, so the keys of existing tokens move to
-- legacy_shared_key; the ingest gateway seals each one into shared_key_sealed and clears
-- legacy_shared_key when it starts, before it serves the forward port (see
-- ForwardRepository.sealLegacyKeys). Backups made before that still hold the keys: revoke
-- and replace the tokens of a backup that leaked.
ALTER TABLE "path_token"
    ADD COLUMN "shared_key_sealed" BYTEA,
    ADD COLUMN "legacy_shared_key" VARCHAR(64);

UPDATE "path_token"
   SET "legacy_shared_key" = "token_hash",
       "token_hash" = encode(sha256(convert_to("token_hash", 'UTF8')), 'hex');
