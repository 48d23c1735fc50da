-- Duty lines (值班电话线路) and what the telephone switch reports of their calls (docs/telephony.md).
CREATE TABLE lines (
    id text PRIMARY KEY,
    site_id text NOT NULL,
    switch_id text NOT NULL,
    display_name text NOT NULL,
    -- [{"extension": "8001", "person_id": "p-hz-officer-1"}, ...]
    extensions jsonb NOT NULL,
    down_after_seconds integer NOT NULL,
    callback_due_seconds integer NOT NULL,
    register_within_seconds integer NOT NULL,
    -- The last event or heartbeat heard for the line; silent past down_after_seconds: down.
    last_seen_at timestamptz,
    down_since timestamptz,
    -- The duty leader was alerted of the outage that began at down_since (once per outage).
    down_alerted_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX lines_site ON lines (site_id);

-- One call that rang on a line, rebuilt from its events (line_events) whatever their order.
CREATE TABLE line_calls (
    id text PRIMARY KEY,
    site_id text NOT NULL,
    line_id text NOT NULL REFERENCES lines (id),
    switch_id text NOT NULL,
    switch_call_id text NOT NULL,
    -- The calling number: personal data, sealed for this row and field; a masked copy for display.
    caller_key_id text NOT NULL DEFAULT '',
    caller_number_enc bytea,
    caller_number_masked text NOT NULL DEFAULT '',
    state text NOT NULL CHECK (state IN ('ringing', 'answered', 'transferred', 'ended', 'abandoned', 'not_answered')),
    ring_started_at timestamptz NOT NULL,
    answered_at timestamptz,
    transferred_at timestamptz,
    ended_at timestamptz,
    answer_delay_seconds double precision NOT NULL DEFAULT 0,
    answered_late boolean NOT NULL DEFAULT false,
    extension text NOT NULL DEFAULT '',
    officer_id text NOT NULL DEFAULT '',
    transfer_target text NOT NULL DEFAULT '',
    recording_ref text NOT NULL DEFAULT '',
    recording_retain_until timestamptz,
    shift_name text NOT NULL DEFAULT '',
    -- A missed call's callback (its call record is the calls row whose line_call_id is this id).
    callback_id text,
    -- An answered call's registration: pending until the sweep sees it registered, or flags it
    -- "overdue" (not registered within the line's register_within_seconds, at unregistered_at).
    registration text NOT NULL DEFAULT 'pending' CHECK (registration IN ('pending', 'registered', 'overdue')),
    unregistered_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    UNIQUE (switch_id, switch_call_id)
);
CREATE INDEX line_calls_site_ring ON line_calls (site_id, ring_started_at DESC);
CREATE INDEX line_calls_line_open ON line_calls (line_id, ring_started_at DESC) WHERE state IN ('ringing', 'answered', 'transferred');
CREATE INDEX line_calls_to_register ON line_calls (ended_at)
    WHERE registration = 'pending' AND answered_at IS NOT NULL AND ended_at IS NOT NULL;

-- Every switch event taken, once: a retry or a duplicate finds its row.
CREATE TABLE line_events (
    switch_id text NOT NULL,
    switch_call_id text NOT NULL,
    kind text NOT NULL,
    line_call_id text NOT NULL REFERENCES line_calls (id),
    at timestamptz NOT NULL,
    extension text NOT NULL DEFAULT '',
    transfer_target text NOT NULL DEFAULT '',
    recording_ref text NOT NULL DEFAULT '',
    recording_retain_until timestamptz,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (switch_id, switch_call_id, kind)
);
CREATE INDEX line_events_call ON line_events (line_call_id);

-- A call record may be the registration of a line call (the switch's times), or the record of a
-- missed one (never answered: no answer time). One record per line call.
ALTER TABLE calls
    ALTER COLUMN answered_at DROP NOT NULL,
    ADD COLUMN line_call_id text UNIQUE REFERENCES line_calls (id);
