-- The roster proper: duty rules per site, directory, patterns, rotations, publications, leave,
-- swaps, check-ins and handovers.
ALTER TABLE sites
    ADD COLUMN check_in_lead_minutes integer NOT NULL DEFAULT 15 CHECK (check_in_lead_minutes >= 0),
    ADD COLUMN absent_after_minutes integer NOT NULL DEFAULT 30 CHECK (absent_after_minutes > 0),
    ADD COLUMN reminder_minutes integer NOT NULL DEFAULT 60 CHECK (reminder_minutes >= 0),
    ADD COLUMN handover_accept_minutes integer NOT NULL DEFAULT 30 CHECK (handover_accept_minutes > 0),
    ADD COLUMN max_consecutive_shifts integer NOT NULL DEFAULT 2 CHECK (max_consecutive_shifts > 0);

-- 通讯录: departments and contacts outside the roster.
CREATE TABLE directory_entries (
    id text PRIMARY KEY,
    site_id text NOT NULL REFERENCES sites (id),
    department text NOT NULL,
    name text NOT NULL DEFAULT '',
    title text NOT NULL DEFAULT '',
    contacts jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX directory_entries_site ON directory_entries (site_id);

CREATE TABLE shift_patterns (
    id text PRIMARY KEY,
    site_id text NOT NULL REFERENCES sites (id),
    name text NOT NULL,
    -- [{name, local_start "08:00", duration_minutes, staffing {role: minimum}}]
    shifts jsonb NOT NULL,
    double_leader_dates date[] NOT NULL DEFAULT '{}',
    version integer NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rotations (
    id text PRIMARY KEY,
    site_id text NOT NULL REFERENCES sites (id),
    pattern_id text NOT NULL REFERENCES shift_patterns (id),
    shift_names text[] NOT NULL DEFAULT '{}',
    role text NOT NULL CHECK (role IN ('officer', 'leader')),
    person_ids text[] NOT NULL,
    period_days integer NOT NULL CHECK (period_days > 0),
    start_date date NOT NULL,
    slots integer NOT NULL DEFAULT 1 CHECK (slots > 0),
    double_leader_dates_only boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE publications (
    id text PRIMARY KEY,
    site_id text NOT NULL REFERENCES sites (id),
    period_start timestamptz NOT NULL,
    period_end timestamptz NOT NULL,
    -- Publishing with gaps is only possible with an override; the reason and the gaps are kept.
    override_reason text NOT NULL DEFAULT '',
    gaps jsonb NOT NULL DEFAULT '[]',
    published_by text NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE assignments
    ADD COLUMN local_date date,
    ADD COLUMN rostered_person_id text,
    ADD COLUMN publication_id text REFERENCES publications (id),
    ADD COLUMN workflow_started_at timestamptz,
    ADD COLUMN version integer NOT NULL DEFAULT 1;
UPDATE assignments a SET local_date = (a.starts_at AT TIME ZONE s.time_zone)::date, rostered_person_id = a.person_id
    FROM sites s WHERE s.id = a.site_id;
ALTER TABLE assignments
    ALTER COLUMN local_date SET NOT NULL,
    ALTER COLUMN rostered_person_id SET NOT NULL;
CREATE INDEX assignments_person_time ON assignments (person_id, starts_at);
CREATE INDEX assignments_workflow_pending ON assignments (starts_at) WHERE workflow_started_at IS NULL;

-- Who asked, who decided, when: the trail of every change to an assignment.
CREATE TABLE leave_requests (
    id text PRIMARY KEY,
    site_id text NOT NULL,
    assignment_id text NOT NULL REFERENCES assignments (id),
    person_id text NOT NULL,
    substitute_id text NOT NULL REFERENCES people (id),
    reason text NOT NULL DEFAULT '',
    status text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'approved', 'rejected')),
    requested_at timestamptz NOT NULL,
    decided_by text,
    decided_at timestamptz,
    remark text NOT NULL DEFAULT ''
);

CREATE TABLE swap_requests (
    id text PRIMARY KEY,
    site_id text NOT NULL,
    assignment_id text NOT NULL REFERENCES assignments (id),
    other_assignment_id text NOT NULL REFERENCES assignments (id),
    requested_by text NOT NULL,
    reason text NOT NULL DEFAULT '',
    status text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'approved', 'rejected')),
    requested_at timestamptz NOT NULL,
    decided_by text,
    decided_at timestamptz,
    remark text NOT NULL DEFAULT ''
);

CREATE TABLE check_ins (
    assignment_id text PRIMARY KEY REFERENCES assignments (id),
    person_id text NOT NULL,
    checked_in_at timestamptz NOT NULL,
    status text NOT NULL CHECK (status IN ('on_time', 'late')),
    late_seconds double precision NOT NULL DEFAULT 0
);

-- 缺岗 and other duty violations charged to a person.
CREATE TABLE violations (
    id text PRIMARY KEY,
    site_id text NOT NULL,
    person_id text NOT NULL,
    kind text NOT NULL,
    assignment_id text REFERENCES assignments (id),
    detail text NOT NULL DEFAULT '',
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, assignment_id)
);

CREATE TABLE handovers (
    id text PRIMARY KEY,
    site_id text NOT NULL,
    outgoing_assignment_id text NOT NULL REFERENCES assignments (id),
    incoming_assignment_id text NOT NULL REFERENCES assignments (id),
    outgoing_person_id text NOT NULL,
    incoming_person_id text NOT NULL,
    shift_log text NOT NULL DEFAULT '',
    notes text NOT NULL DEFAULT '',
    open_items jsonb NOT NULL DEFAULT '[]',
    gathering_notes text[] NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'accepted', 'overdue')),
    overdue boolean NOT NULL DEFAULT false,
    submitted_at timestamptz NOT NULL,
    accepted_at timestamptz,
    remarks text NOT NULL DEFAULT '',
    UNIQUE (outgoing_assignment_id)
);
