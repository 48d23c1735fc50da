-- Duty logs (值班日志). The dutylog projection (services/insight/projections/dutylog.py) writes what
-- a shift's log needs that no other table holds: check-ins, handovers, and the shift's cases, notices
-- and escalations as entries. The logs' frozen versions and signatures are the service's own records
-- (SignDutyLog, CorrectDutyLog): no rebuild empties them.

-- Each assignment's check-in (签到) as of the newest event about it: on_time, late or absent.
CREATE TABLE shift_check_ins (
    assignment_id text PRIMARY KEY,
    site_id text NOT NULL,
    person_id text NOT NULL,
    status text NOT NULL,
    checked_in_at timestamptz,
    late_seconds real NOT NULL,
    drill boolean NOT NULL,
    event_id text NOT NULL
);

-- Handovers (交接班) merged from their events: handover.overdue names nobody, so names are kept.
CREATE TABLE shift_handovers (
    handover_id text PRIMARY KEY,
    site_id text NOT NULL,
    outgoing_assignment_id text,
    incoming_assignment_id text,
    outgoing_person_id text,
    incoming_person_id text,
    submitted_at timestamptz,
    accepted_at timestamptz,
    open_items integer NOT NULL,
    overdue boolean NOT NULL,
    drill boolean NOT NULL
);
CREATE INDEX shift_handovers_outgoing ON shift_handovers (outgoing_assignment_id);

-- One line per event the log lists that no other table keeps: case_opened, case_answered,
-- notice_incomplete, escalation (its first step), acknowledgement.
CREATE TABLE duty_log_events (
    event_id text PRIMARY KEY,
    site_id text NOT NULL,
    drill boolean NOT NULL,
    kind text NOT NULL,
    at timestamptz NOT NULL,
    ref_id text NOT NULL,
    person_id text NOT NULL,
    summary text NOT NULL
);
CREATE INDEX duty_log_events_site_time ON duty_log_events (site_id, at);

-- A log's versions once frozen: the first signature freezes version 1 as the signer read it; a
-- correction adds the next version. `log` is the DutyLog message without its signatures.
CREATE TABLE duty_log_versions (
    log_id text NOT NULL,
    version integer NOT NULL,
    site_id text NOT NULL,
    shift_start timestamptz NOT NULL,
    log bytea NOT NULL,
    PRIMARY KEY (log_id, version)
);
CREATE INDEX duty_log_versions_site_time ON duty_log_versions (site_id, shift_start);

CREATE TABLE duty_log_signatures (
    log_id text NOT NULL,
    version integer NOT NULL,
    role text NOT NULL,
    person_id text NOT NULL,
    display_name text NOT NULL,
    signed_at timestamptz NOT NULL,
    comment text NOT NULL,
    PRIMARY KEY (log_id, version, role),
    FOREIGN KEY (log_id, version) REFERENCES duty_log_versions
);
