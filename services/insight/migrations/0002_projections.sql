-- The first projections of the read model (services/insight/projections): calls, line calls and
-- callbacks; incidents and their reports; violations. Only their projection writes them, from the
-- events, and `dutyline insight rebuild` empties and refills them. Rows are compact (ids, short names,
-- times, flags) and indexed by site and time, as the statistics and reports read them; `drill` marks
-- exercises, which no figure or score counts.

-- Calls (来电): each record as of its newest version. record_version / incident_version rank the
-- versions (services/insight/projections/calls.py); a row with record_version 0 has only its incident yet.
CREATE TABLE calls (
    call_id text PRIMARY KEY,
    site_id text NOT NULL,
    drill boolean NOT NULL,
    channel text,
    category text,
    officer_id text,
    assignment_id text,
    line_call_id text,
    ring_started_at timestamptz,
    answered_at timestamptz,
    ended_at timestamptz,
    answer_delay_seconds real,
    answered_late boolean,
    registered_at timestamptz,
    status text,
    duty_gap boolean,
    record_version bigint NOT NULL DEFAULT 0,
    incident_id text,
    incident_version bigint NOT NULL DEFAULT 0
);
CREATE INDEX calls_site_time ON calls (site_id, registered_at);
CREATE INDEX calls_officer_time ON calls (officer_id, registered_at) WHERE officer_id IS NOT NULL;
CREATE INDEX calls_incident ON calls (incident_id) WHERE incident_id IS NOT NULL;

-- Every call the switch reported ringing (the telephony record), missed or not; state is the
-- switch's: ringing, answered, transferred, ended, abandoned, not_answered.
CREATE TABLE line_calls (
    line_call_id text PRIMARY KEY,
    site_id text NOT NULL,
    drill boolean NOT NULL,
    line_id text NOT NULL,
    state text NOT NULL,
    ring_started_at timestamptz,
    answered_at timestamptz,
    ended_at timestamptz,
    answer_delay_seconds real NOT NULL,
    answered_late boolean NOT NULL,
    officer_id text,
    shift_name text,
    call_id text,
    callback_id text,
    registration_overdue boolean NOT NULL,
    version bigint NOT NULL
);
CREATE INDEX line_calls_site_time ON line_calls (site_id, ring_started_at);
CREATE INDEX line_calls_line_time ON line_calls (line_id, ring_started_at);

-- Callbacks, messages and notice follow-ups promised (kind), due_at, and when completed: on time
-- when completed_at <= due_at.
CREATE TABLE callbacks (
    callback_id text PRIMARY KEY,
    site_id text NOT NULL,
    drill boolean NOT NULL,
    call_id text NOT NULL,
    kind text NOT NULL,
    recipient_id text,
    urgent boolean NOT NULL,
    due_at timestamptz,
    promised_at timestamptz,
    completed_at timestamptz,
    overdue boolean NOT NULL
);
CREATE INDEX callbacks_site_due ON callbacks (site_id, due_at);

-- Incidents (事件) as of their newest version; outcome: closed, unfounded or merged once ended.
CREATE TABLE incidents (
    incident_id text PRIMARY KEY,
    site_id text NOT NULL,
    drill boolean NOT NULL,
    title text NOT NULL,
    category text,
    sub_type text,
    severity text,
    stage text,
    source_category text,
    registered_at timestamptz,
    verified_at timestamptz,
    closed_at timestamptz,
    outcome text,
    merged_into text,
    first_responder_id text,
    responsible_person_id text,
    call_count integer NOT NULL,
    overdue boolean NOT NULL,
    version bigint NOT NULL
);
CREATE INDEX incidents_site_time ON incidents (site_id, registered_at);

-- Reports made (报告): kind, number, author, when, and how late (0: on time).
CREATE TABLE reports (
    report_id text PRIMARY KEY,
    incident_id text NOT NULL,
    site_id text NOT NULL,
    drill boolean NOT NULL,
    kind text,
    number integer NOT NULL,
    author_id text,
    submitted_at timestamptz,
    late_seconds real NOT NULL
);
CREATE INDEX reports_site_time ON reports (site_id, submitted_at);
CREATE INDEX reports_incident ON reports (incident_id);

-- The facts the assessment charges (services/insight/scoring.py Fact), each from its record and the
-- event that told of it; person_id '' is the site's.
CREATE TABLE violations (
    site_id text NOT NULL,
    record_type text NOT NULL,
    record_id text NOT NULL,
    kind text NOT NULL,
    person_id text NOT NULL,
    occurred_at timestamptz NOT NULL,
    drill boolean NOT NULL,
    detail text NOT NULL,
    -- How late, for a late report (0 otherwise).
    late_seconds real NOT NULL,
    event_id text NOT NULL,
    PRIMARY KEY (site_id, record_type, record_id, kind)
);
CREATE INDEX violations_site_time ON violations (site_id, occurred_at);
CREATE INDEX violations_person_time ON violations (person_id, occurred_at);

-- Every scored fact: the violations, and the calls answered late (超三声接听), which are a state of the
-- call rather than an event (the switch's times may come after the registration).
CREATE VIEW scoring_facts AS
    SELECT kind, site_id, person_id, occurred_at, record_type, record_id, drill, detail FROM violations
    UNION ALL
    SELECT 'late_answer', site_id, coalesce(officer_id, ''), answered_at, 'call', call_id, drill,
           format('answered after %s s', round(answer_delay_seconds))
    FROM calls WHERE answered_late AND answered_at IS NOT NULL AND record_version > 0;
