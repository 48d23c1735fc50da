-- Transactional outbox: an event is written in the same transaction as the change it describes;
-- the relay publishes it to JetStream and deletes it once JetStream has stored it.
CREATE TABLE outbox (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    subject text NOT NULL,
    data bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Idempotency keys of mutating RPCs: the first answer is kept and replayed to retries.
CREATE TABLE idempotency (
    method text NOT NULL,
    key text NOT NULL,
    request_hash bytea NOT NULL,
    response bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (method, key)
);
