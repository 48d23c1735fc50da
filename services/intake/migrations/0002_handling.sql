-- Handling a call: classifications, transfers, messages and callbacks, notices, reveals.
ALTER TABLE calls
    ADD COLUMN duty_gap boolean NOT NULL DEFAULT false,
    -- The six elements of a notice from a superior, and those still missing.
    ADD COLUMN notice jsonb,
    ADD COLUMN notice_missing text[] NOT NULL DEFAULT '{}';
CREATE INDEX calls_notice_incomplete ON calls (site_id) WHERE cardinality(notice_missing) > 0;
CREATE INDEX calls_incident ON calls (incident_id) WHERE incident_id IS NOT NULL;

CREATE TABLE call_classifications (
    seq bigserial PRIMARY KEY,
    call_id text NOT NULL REFERENCES calls (id),
    category text NOT NULL,
    reason text NOT NULL DEFAULT '',
    classified_by text NOT NULL,
    at timestamptz NOT NULL
);

CREATE TABLE transfers (
    seq bigserial PRIMARY KEY,
    call_id text NOT NULL REFERENCES calls (id),
    target_id text NOT NULL,
    caller_agreed boolean NOT NULL,
    briefing text NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('connected', 'unreachable')),
    transferred_by text NOT NULL,
    at timestamptz NOT NULL,
    callback_id text
);

-- 留言 and 承诺回电, each with its deadline; a CallbackWorkflow reminds and escalates.
CREATE TABLE callbacks (
    id text PRIMARY KEY,
    call_id text NOT NULL REFERENCES calls (id),
    site_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('message', 'callback')),
    recipient_id text NOT NULL,
    content text NOT NULL,
    urgent boolean NOT NULL DEFAULT false,
    due_at timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed')),
    overdue boolean NOT NULL DEFAULT false,
    outcome text NOT NULL DEFAULT '',
    created_by text NOT NULL,
    created_at timestamptz NOT NULL,
    completed_at timestamptz,
    workflow_started_at timestamptz
);
CREATE INDEX callbacks_open ON callbacks (site_id, due_at) WHERE status = 'open';

-- Every reveal of a caller's clear name or number: who, when, why (保护来电人隐私).
CREATE TABLE reveal_audit (
    id text PRIMARY KEY,
    call_id text NOT NULL REFERENCES calls (id),
    revealed_by text NOT NULL,
    reason text NOT NULL,
    at timestamptz NOT NULL
);
