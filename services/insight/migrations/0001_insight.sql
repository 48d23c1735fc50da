-- insight's own records, which no event replaces and a rebuild of the read model never touches: the
-- versions of the scoring rules, the leaders' annotations of scored facts, and where each projection
-- of the read model stands on the stream. The projections' own tables come in later migrations.

-- The scoring rules (考核细则), one row per version; the shipped defaults (version 1) live in the code
-- (services/insight/scoring.py). A version may be replaced only while it is not in force yet.
CREATE TABLE scoring_rules (
    version integer PRIMARY KEY CHECK (version >= 1),
    effective_from timestamptz NOT NULL UNIQUE,
    -- {"late_report": -2, ...}: points per kind, as the pure module's ScoringRules.
    penalties jsonb NOT NULL,
    bonuses jsonb NOT NULL,
    changed_by text NOT NULL,
    changed_by_name text NOT NULL DEFAULT '',
    changed_at timestamptz NOT NULL
);

-- A leader's note of an exceptional circumstance (特殊情况说明) and the records whose facts it waives.
-- A decision is never changed or taken back: a later annotation decides again.
CREATE TABLE annotations (
    id text PRIMARY KEY,
    site_id text NOT NULL,
    reason text NOT NULL,
    decided_by text NOT NULL,
    decided_by_name text NOT NULL DEFAULT '',
    decided_at timestamptz NOT NULL
);
CREATE INDEX annotations_site ON annotations (site_id, decided_at);

CREATE TABLE annotation_waivers (
    annotation_id text NOT NULL REFERENCES annotations (id),
    record_type text NOT NULL,
    record_id text NOT NULL,
    PRIMARY KEY (annotation_id, record_type, record_id)
);
CREATE INDEX annotation_waivers_record ON annotation_waivers (record_type, record_id);

CREATE FUNCTION annotations_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'annotations are a record of decisions: they are never changed or deleted';
END $$;
CREATE TRIGGER annotations_kept BEFORE UPDATE OR DELETE ON annotations
    FOR EACH ROW EXECUTE FUNCTION annotations_are_kept();
CREATE TRIGGER annotation_waivers_kept BEFORE UPDATE OR DELETE ON annotation_waivers
    FOR EACH ROW EXECUTE FUNCTION annotations_are_kept();

-- Where each projection of the read model stands: its durable consumer of the stream has the same name;
-- it moves its row in the transaction of every batch it applies (dutyline.projection).
CREATE TABLE projection_state (
    projection text PRIMARY KEY,
    -- The stream sequence of the last event applied (0: none yet), that event's id and time.
    stream_sequence bigint NOT NULL DEFAULT 0,
    last_event_id text NOT NULL DEFAULT '',
    last_event_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);
