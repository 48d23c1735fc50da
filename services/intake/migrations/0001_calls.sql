CREATE TABLE calls (
    id text PRIMARY KEY,
    site_id text NOT NULL,
    channel text NOT NULL,
    category text NOT NULL,
    ring_started_at timestamptz NOT NULL,
    answered_at timestamptz NOT NULL,
    ended_at timestamptz,
    answer_delay_seconds double precision NOT NULL,
    answered_late boolean NOT NULL,
    -- Personal data: encrypted (AES-GCM) with the key named by caller_key_id; masked copies for display.
    caller_key_id text NOT NULL,
    caller_name_enc bytea,
    caller_phone_enc bytea,
    caller_name_masked text NOT NULL DEFAULT '',
    caller_phone_masked text NOT NULL DEFAULT '',
    caller_unit text NOT NULL DEFAULT '',
    caller_address text NOT NULL DEFAULT '',
    place_text text NOT NULL DEFAULT '',
    latitude double precision,
    longitude double precision,
    summary text NOT NULL,
    request text NOT NULL DEFAULT '',
    actions_taken text NOT NULL DEFAULT '',
    officer_id text NOT NULL,
    assignment_id text NOT NULL DEFAULT '',
    incident_id text,
    -- registered | escalation_pending | escalated
    status text NOT NULL,
    drill boolean NOT NULL DEFAULT false,
    registered_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX calls_site_time ON calls (site_id, registered_at DESC);
CREATE INDEX calls_pending_escalation ON calls (registered_at) WHERE status = 'escalation_pending';
