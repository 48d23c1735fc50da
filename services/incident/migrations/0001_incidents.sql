CREATE TABLE incidents (
    id text PRIMARY KEY,
    site_id text NOT NULL,
    title text NOT NULL,
    summary text NOT NULL DEFAULT '',
    category text NOT NULL DEFAULT '',
    severity text NOT NULL DEFAULT 'unrated',
    stage text NOT NULL DEFAULT 'register',
    place_text text NOT NULL DEFAULT '',
    latitude double precision,
    longitude double precision,
    first_responder_id text NOT NULL,
    drill boolean NOT NULL DEFAULT false,
    occurred_at timestamptz,
    registered_at timestamptz NOT NULL,
    closed_at timestamptz,
    -- Set once Temporal accepted the IncidentWorkflow; a reconciler starts the missing ones.
    workflow_started_at timestamptz,
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX incidents_site_stage ON incidents (site_id, stage);
CREATE INDEX incidents_workflow_pending ON incidents (registered_at) WHERE workflow_started_at IS NULL;

CREATE TABLE incident_calls (
    incident_id text NOT NULL REFERENCES incidents (id),
    call_id text NOT NULL,
    linked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (incident_id, call_id)
);

-- The timeline is append-only: a correction is a new entry.
CREATE TABLE timeline (
    seq bigserial PRIMARY KEY,
    incident_id text NOT NULL REFERENCES incidents (id),
    at timestamptz NOT NULL,
    actor_id text NOT NULL,
    actor_name text NOT NULL DEFAULT '',
    actor_kind text NOT NULL DEFAULT 'person',
    kind text NOT NULL,
    text text NOT NULL DEFAULT '',
    -- Activities run at least once: an entry they write carries a key so a retry adds nothing.
    dedupe_key text UNIQUE
);
CREATE INDEX timeline_incident ON timeline (incident_id, seq);

CREATE FUNCTION timeline_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the incident timeline is append-only';
END $$;
CREATE TRIGGER timeline_append_only BEFORE UPDATE OR DELETE ON timeline
    FOR EACH ROW EXECUTE FUNCTION timeline_is_append_only();
