-- The emergency process: classification, deadlines, reports, feedback, violations and policies.
ALTER TABLE incidents
    ADD COLUMN sub_type text NOT NULL DEFAULT '',
    ADD COLUMN jurisdiction text NOT NULL DEFAULT '',
    ADD COLUMN time_zone text NOT NULL DEFAULT 'Asia/Shanghai',
    ADD COLUMN casualties jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN verified_at timestamptz,
    ADD COLUMN assignee_id text,
    ADD COLUMN feedback_recorded boolean NOT NULL DEFAULT false,
    ADD COLUMN merged_into text REFERENCES incidents (id),
    ADD COLUMN summary_at_close text NOT NULL DEFAULT '',
    ADD COLUMN close_reason text NOT NULL DEFAULT '',
    ADD COLUMN policy_id text,
    ADD COLUMN policy_version integer,
    -- A copy of the workflow's deadlines, for lists ("overdue") and reads; the workflow owns them.
    ADD COLUMN deadlines jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN next_due_at timestamptz;
CREATE INDEX incidents_next_due ON incidents (next_due_at) WHERE stage <> 'closed';

CREATE TABLE reports (
    id text PRIMARY KEY,
    incident_id text NOT NULL REFERENCES incidents (id),
    kind text NOT NULL,
    number integer NOT NULL DEFAULT 0,
    recipient text NOT NULL,
    content text NOT NULL DEFAULT '',
    accident jsonb,
    author_id text NOT NULL,
    submitted_at timestamptz NOT NULL,
    late_seconds double precision NOT NULL DEFAULT 0
);
CREATE INDEX reports_incident ON reports (incident_id, submitted_at);

CREATE TABLE feedback (
    id text PRIMARY KEY,
    incident_id text NOT NULL REFERENCES incidents (id),
    call_id text NOT NULL DEFAULT '',
    method text NOT NULL,
    message text NOT NULL,
    author_id text NOT NULL,
    recorded_at timestamptz NOT NULL
);

-- 迟报 (late) and 漏报 (missed) charged to the responsible person; the basis of duty assessment (考核).
CREATE TABLE violations (
    id text PRIMARY KEY,
    incident_id text NOT NULL REFERENCES incidents (id),
    site_id text NOT NULL,
    person_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('late', 'missed')),
    report_kind text NOT NULL,
    number integer NOT NULL DEFAULT 0,
    due_at timestamptz,
    recorded_at timestamptz NOT NULL,
    late_seconds double precision NOT NULL DEFAULT 0,
    drill boolean NOT NULL DEFAULT false,
    UNIQUE (incident_id, report_kind, number)
);
CREATE INDEX violations_person ON violations (person_id, recorded_at);
CREATE INDEX violations_site ON violations (site_id, recorded_at);

CREATE TABLE reporting_policies (
    id text NOT NULL,
    version integer NOT NULL,
    name text NOT NULL,
    jurisdiction text NOT NULL DEFAULT '',
    category text NOT NULL DEFAULT '',
    severity text NOT NULL DEFAULT '',
    sub_types text[] NOT NULL DEFAULT '{}',
    requirements jsonb NOT NULL,
    effective_from timestamptz NOT NULL,
    created_by text NOT NULL DEFAULT 'system',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, version)
);
