-- Idempotency keys are scoped to the caller (the person or the service that sent the key), so no one
-- can claim another caller's key first; the request is kept as a keyed hash (HMAC), not a plain
-- digest that a guess of the request could be checked against. Rows written before this had
-- neither: no caller could ever match them again, so they go (with their plain digests).
DELETE FROM idempotency;
ALTER TABLE idempotency ADD COLUMN caller text NOT NULL DEFAULT '';
ALTER TABLE idempotency DROP CONSTRAINT idempotency_pkey;
ALTER TABLE idempotency ADD CONSTRAINT idempotency_pkey PRIMARY KEY (method, caller, key);
-- The purge of keys older than the retention (idempotency.purge).
CREATE INDEX idempotency_created_at ON idempotency (created_at);
