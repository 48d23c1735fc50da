-- Hotline cases (工单): the case with its owner and deadline, its notes, the versioned case policies
-- and each site's holiday calendar.
CREATE TABLE cases (
    id text PRIMARY KEY,
    site_id text NOT NULL,
    category text NOT NULL CHECK (category IN ('consultation', 'complaint', 'request')),
    status text NOT NULL
        CHECK (status IN ('accepted', 'assigned', 'in_progress', 'answered', 'feedback_given', 'closed')),
    urgent boolean NOT NULL,
    subject text NOT NULL,
    -- The caller: sealed (AES-GCM, bound to the case and field) with masked copies for display.
    caller_key_id text NOT NULL,
    caller_name_enc bytea,
    caller_phone_enc bytea,
    caller_unit_enc bytea,
    caller_address_enc bytea,
    caller_name_masked text NOT NULL DEFAULT '',
    caller_phone_masked text NOT NULL DEFAULT '',
    caller_unit_masked text NOT NULL DEFAULT '',
    caller_address_masked text NOT NULL DEFAULT '',
    call_id text REFERENCES calls (id),
    -- A roster person ("person") or a directory entry ("department"); the pending one awaits 签收.
    owner_id text NOT NULL DEFAULT '',
    owner_kind text NOT NULL DEFAULT '',
    pending_owner_id text NOT NULL DEFAULT '',
    pending_owner_kind text NOT NULL DEFAULT '',
    -- Who handed it over last: reminded for a department owner.
    assigned_by text NOT NULL DEFAULT '',
    due_at timestamptz NOT NULL,
    remind_at timestamptz NOT NULL,
    -- Counts the deadlines set (opening, reassignment, reopening): the workflow supervises the latest.
    deadline_round integer NOT NULL DEFAULT 1,
    -- The round recorded overdue (the mark and its event once per round).
    overdue_round integer NOT NULL DEFAULT 0,
    policy_version integer NOT NULL,
    answer text NOT NULL DEFAULT '',
    feedback text NOT NULL DEFAULT '',
    return_visit text NOT NULL DEFAULT '',
    return_visit_comment text NOT NULL DEFAULT '',
    reopened integer NOT NULL DEFAULT 0,
    opened_by text NOT NULL,
    opened_at timestamptz NOT NULL,
    closed_at timestamptz,
    drill boolean NOT NULL DEFAULT false,
    version bigint NOT NULL DEFAULT 1,
    workflow_started_at timestamptz
);
CREATE INDEX cases_site_status ON cases (site_id, status, opened_at);
CREATE INDEX cases_without_workflow ON cases (opened_at) WHERE workflow_started_at IS NULL;

-- Every reveal of a case's caller in clear: who, when, why (保护来电人隐私).
CREATE TABLE case_reveal_audit (
    id text PRIMARY KEY,
    case_id text NOT NULL REFERENCES cases (id),
    revealed_by text NOT NULL,
    reason text NOT NULL,
    at timestamptz NOT NULL
);

CREATE TABLE case_notes (
    seq bigserial PRIMARY KEY,
    case_id text NOT NULL REFERENCES cases (id),
    kind text NOT NULL,
    text text NOT NULL,
    by text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, seq);

-- Every version kept; the newest of a site's own, else of the default (site_id ''), is in force.
CREATE TABLE case_policies (
    site_id text NOT NULL,
    category text NOT NULL,
    version integer NOT NULL,
    working_days integer NOT NULL CHECK (working_days BETWEEN 1 AND 60),
    urgent_hours integer NOT NULL CHECK (urgent_hours BETWEEN 1 AND 72),
    remind_before_minutes integer NOT NULL CHECK (remind_before_minutes BETWEEN 1 AND 10080),
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (site_id, category, version)
);

CREATE TABLE holiday_calendars (
    site_id text PRIMARY KEY,
    holidays date[] NOT NULL DEFAULT '{}',
    working_days date[] NOT NULL DEFAULT '{}',
    version integer NOT NULL,
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL
);
