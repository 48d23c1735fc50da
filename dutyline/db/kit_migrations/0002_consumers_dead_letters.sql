-- Events a consumer of the stream has applied to this schema, recorded in the same transaction as
-- their effect: a redelivered event is recognised and changes nothing twice.
CREATE TABLE consumed_events (
    consumer text NOT NULL,
    event_id text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
CREATE INDEX consumed_events_at ON consumed_events (at);

-- Messages set aside because they could never be applied or published (with the reason), so the
-- ones behind them flow on; an operator replays or drops them.
CREATE TABLE dead_letters (
    seq bigserial PRIMARY KEY,
    source text NOT NULL,
    subject text NOT NULL,
    event_id text NOT NULL DEFAULT '',
    data bytea NOT NULL,
    reason text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    replayed_at timestamptz
);
