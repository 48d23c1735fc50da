-- The statistics of cases, check-ins and coverage gaps (services/insight/rpc_statistics.py), from the
-- events only.

-- Hotline cases (工单) from intake's case.* events (services/insight/projections/cases.py): each case
-- once, with what became of it; the visits are counted per return visit (a dissatisfied caller may be
-- visited again after the case is handled anew).
CREATE TABLE cases (
    case_id text PRIMARY KEY,
    site_id text NOT NULL,
    drill boolean NOT NULL,
    opened_at timestamptz NOT NULL,
    answered boolean NOT NULL,
    -- Some answer came after the deadline then in force.
    answered_late boolean NOT NULL,
    overdue boolean NOT NULL,
    feedback_given boolean NOT NULL,
    return_visits integer NOT NULL,
    satisfied integer NOT NULL,
    dissatisfied integer NOT NULL
);
CREATE INDEX cases_site_time ON cases (site_id, opened_at);

-- A check-in's shift (statistics count it at the shift's start), and an absence (缺岗) kept once
-- recorded: a check-in after the absence limit is recorded as late, and the absence stands.
ALTER TABLE shift_check_ins ADD COLUMN shift_start timestamptz;
ALTER TABLE shift_check_ins ADD COLUMN absent boolean NOT NULL DEFAULT false;
CREATE INDEX shift_check_ins_site_time ON shift_check_ins (site_id, shift_start);

-- The coverage gaps (缺岗时段) of each site's published roster, as roster.published lists them: spans
-- with fewer officers or leaders rostered than required, published with a recorded override. A later
-- publication replaces the gaps starting in its period (services/insight/projections/duties.py).
CREATE TABLE coverage_gaps (
    site_id text NOT NULL,
    role text NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    required integer NOT NULL,
    present integer NOT NULL,
    drill boolean NOT NULL,
    event_id text NOT NULL,
    PRIMARY KEY (site_id, role, starts_at)
);
