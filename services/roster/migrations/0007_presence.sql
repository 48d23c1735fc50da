-- Presence on duty (在岗): check-outs (签退) and presence checks (在岗抽查).
CREATE TABLE check_outs (
    assignment_id text PRIMARY KEY REFERENCES check_ins (assignment_id),
    person_id text NOT NULL,
    checked_out_at timestamptz NOT NULL,
    status text NOT NULL CHECK (status IN ('on_time', 'early_leave', 'excused')),
    early_seconds double precision NOT NULL DEFAULT 0,
    note text NOT NULL DEFAULT '',
    recorded_by text NOT NULL,
    -- An early leave's alert to the duty leader runs in a workflow; false until it was started.
    alert_started boolean NOT NULL DEFAULT false
);
CREATE INDEX check_outs_alert_pending ON check_outs (assignment_id) WHERE status = 'early_leave' AND NOT alert_started;

CREATE TABLE presence_checks (
    id text PRIMARY KEY,
    site_id text NOT NULL REFERENCES sites (id),
    assignment_id text NOT NULL REFERENCES assignments (id),
    person_id text NOT NULL,
    requested_by text NOT NULL,
    requested_at timestamptz NOT NULL,
    due_at timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'unanswered')),
    confirmed_at timestamptz,
    confirmed_via text NOT NULL DEFAULT '' CHECK (confirmed_via IN ('', 'confirm', 'notification')),
    workflow_started boolean NOT NULL DEFAULT false
);
CREATE INDEX presence_checks_assignment ON presence_checks (assignment_id, requested_at DESC);
CREATE INDEX presence_checks_unstarted ON presence_checks (requested_at) WHERE NOT workflow_started;
