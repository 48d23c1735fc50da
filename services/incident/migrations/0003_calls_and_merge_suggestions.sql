-- A call belongs to one incident at a time. call_version is the version of intake's call that put it
-- there: a link from an older version of the call never overrides a newer one.
DELETE FROM incident_calls a USING incident_calls b
 WHERE a.call_id = b.call_id AND (a.linked_at, a.incident_id) > (b.linked_at, b.incident_id);
ALTER TABLE incident_calls DROP CONSTRAINT incident_calls_pkey;
ALTER TABLE incident_calls ADD PRIMARY KEY (call_id);
ALTER TABLE incident_calls ADD COLUMN call_version bigint NOT NULL DEFAULT 0;
CREATE INDEX incident_calls_incident ON incident_calls (incident_id, linked_at, call_id);

-- Proposals that two open incidents are one event (疑似重复事件), decided by the duty leader.
CREATE TABLE merge_suggestions (
    id text PRIMARY KEY,
    site_id text NOT NULL,
    primary_id text NOT NULL REFERENCES incidents (id),
    duplicate_id text NOT NULL REFERENCES incidents (id),
    score double precision NOT NULL,
    evidence text[] NOT NULL,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'merged', 'dismissed')),
    suggested_by_id text NOT NULL,
    suggested_by_name text NOT NULL,
    suggested_by_kind text NOT NULL,
    suggested_at timestamptz NOT NULL,
    decided_by_id text,
    decided_by_name text,
    decided_by_kind text,
    decided_at timestamptz,
    reason text NOT NULL DEFAULT '',
    drill boolean NOT NULL,
    version integer NOT NULL DEFAULT 1,
    UNIQUE (primary_id, duplicate_id)
);
CREATE INDEX merge_suggestions_open ON merge_suggestions (site_id, suggested_at) WHERE status = 'open';
