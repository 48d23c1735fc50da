-- Duties (值班安排): who holds which shift at which site, from roster's events only
-- (services/insight/projections/duties.py); the assessment's month-without-violation bonus is earned
-- by a person on duty in the month. `drill` marks an exercise's shifts, which no score counts.
CREATE TABLE duties (
    assignment_id text PRIMARY KEY,
    site_id text NOT NULL,
    person_id text NOT NULL,
    role text,
    shift_name text NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    drill boolean NOT NULL,
    -- The event the row is as of: a later event (a greater id) wins, whatever order they arrive in.
    event_id text NOT NULL
);
CREATE INDEX duties_site_time ON duties (site_id, starts_at);
CREATE INDEX duties_person_time ON duties (person_id, starts_at);

-- Each roster publication read: the period whose shifts it replaced. A shift an earlier event made is
-- not (re)written once a later publication covered its start (that one listed it, or dropped it).
CREATE TABLE duty_publications (
    publication_id text PRIMARY KEY,
    site_id text NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    event_id text NOT NULL
);
CREATE INDEX duty_publications_site ON duty_publications (site_id, starts_at);
