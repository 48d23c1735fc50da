-- Wrong acknowledgement tokens, by what they were tried on (the escalation, else the notification)
-- and where from: too many in a while and further tries are refused (RESOURCE_EXHAUSTED), so a
-- token cannot be guessed. Rows older than the window are deleted as new ones come.
CREATE TABLE ack_token_failures (
    target text NOT NULL,
    source text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ack_token_failures_target ON ack_token_failures (target, at);
CREATE INDEX ack_token_failures_source ON ack_token_failures (source, at);
CREATE INDEX ack_token_failures_at ON ack_token_failures (at);
