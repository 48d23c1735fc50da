-- 瞒报 signals for supervisors (OversightService): what happened to a call or an incident that may hide
-- an emergency, with its evidence and the people involved, and the supervisor's finding.
CREATE TABLE concealment_signals (
    id text PRIMARY KEY,
    site_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('call_reclassified', 'unfounded', 'unverified_overdue', 'severity_lowered',
                                       'casualties_above_reported', 'closed_by_override')),
    incident_id text,
    call_id text,
    occurred_at timestamptz NOT NULL,
    raised_at timestamptz NOT NULL,
    summary text NOT NULL,
    -- [{label, value, at, link}] and [{person_id, role}]
    evidence jsonb NOT NULL DEFAULT '[]',
    people jsonb NOT NULL DEFAULT '[]',
    drill boolean NOT NULL DEFAULT false,
    source_event_id text NOT NULL,
    -- One signal per source event and kind (a redelivered event raises none), and for casualties one
    -- per incident and figure reported (a further call about the same figure adds nothing).
    dedupe_key text NOT NULL UNIQUE,
    finding text NOT NULL DEFAULT '' CHECK (finding IN ('', 'none', 'confirmed')),
    note text NOT NULL DEFAULT '',
    decided_by text,
    decided_by_name text NOT NULL DEFAULT '',
    decided_at timestamptz,
    violation_ids text[] NOT NULL DEFAULT '{}',
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX concealment_signals_site ON concealment_signals (site_id, raised_at DESC);

-- What oversight needs to remember of calls to judge later events: the category of every emergency
-- call (a reclassification says only where it went) and the casualties a caller told of.
CREATE TABLE oversight_calls (
    call_id text PRIMARY KEY,
    category text NOT NULL,
    casualties integer NOT NULL DEFAULT 0,
    version bigint NOT NULL
);
-- And each incident's last severity (incident.reclassified carries only the new one).
CREATE TABLE oversight_severities (
    incident_id text PRIMARY KEY,
    severity text NOT NULL,
    version bigint NOT NULL
);
