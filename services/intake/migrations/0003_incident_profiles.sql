-- What intake knows of every incident to match emergency calls against (事件画像): where its calls
-- came from (position sums in metres about a reference point: centroid and spread), when (first
-- and last call), in what words (terms and how many calls used each), and whether it is open.
CREATE TABLE incident_profiles (
    incident_id text PRIMARY KEY,
    site_id text NOT NULL,
    drill boolean NOT NULL,
    state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed', 'merged', 'refused')),
    merged_into text,
    -- The call that opened the incident; opened once the incident service has it.
    opening_call_id text,
    opened boolean NOT NULL DEFAULT false,
    first_at timestamptz NOT NULL,
    last_at timestamptz NOT NULL,
    calls integer NOT NULL DEFAULT 0,
    located integer NOT NULL DEFAULT 0,
    ref_lat double precision,
    ref_lon double precision,
    sum_x double precision NOT NULL DEFAULT 0,
    sum_y double precision NOT NULL DEFAULT 0,
    sum_xx double precision NOT NULL DEFAULT 0,
    sum_yy double precision NOT NULL DEFAULT 0,
    -- (longitude, latitude) of the centroid; NULL while no call is located.
    centroid point,
    terms text[] NOT NULL DEFAULT '{}',
    term_counts integer[] NOT NULL DEFAULT '{}',
    category text NOT NULL DEFAULT '',
    title text NOT NULL DEFAULT '',
    -- The incident's version last heard from the incident service.
    incident_version bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- Every open incident near a call is a candidate: a spatial index (core GiST on points), no LIMIT.
CREATE INDEX incident_profiles_open_centroid ON incident_profiles USING gist (centroid) WHERE state = 'open';
CREATE INDEX incident_profiles_open_site ON incident_profiles (site_id, last_at) WHERE state = 'open';
CREATE INDEX incident_profiles_unopened ON incident_profiles (created_at) WHERE NOT opened AND state = 'open';

-- The candidates of a call's decision, in one round trip: take the locks of its neighbourhood (the
-- site shared and the grid cells around the call, in the order given; an unlocated call: the whole
-- site), then read the open profiles it could be about, locked in id order. The locks are the
-- transaction's, so the decision is serialized with every one that could collide, until it commits.
CREATE FUNCTION locked_candidates(
    p_site text, p_drill boolean, p_since timestamptz, p_until timestamptz, p_cells text[], p_box box
) RETURNS SETOF incident_profiles LANGUAGE plpgsql AS $$
BEGIN
    IF p_box IS NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('intake-decide-' || p_site));
        RETURN QUERY SELECT * FROM incident_profiles
         WHERE state = 'open' AND site_id = p_site AND drill = p_drill AND last_at >= p_since AND first_at <= p_until
         ORDER BY incident_id FOR UPDATE;
    ELSE
        PERFORM pg_advisory_xact_lock_shared(hashtext('intake-decide-' || p_site));
        PERFORM pg_advisory_xact_lock(hashtext(cell)) FROM unnest(p_cells) AS cell;
        RETURN QUERY SELECT * FROM incident_profiles
         WHERE state = 'open' AND (centroid IS NULL OR centroid <@ p_box)
           AND site_id = p_site AND drill = p_drill AND last_at >= p_since AND first_at <= p_until
         ORDER BY incident_id FOR UPDATE;
    END IF;
END
$$;

-- Pairs of open incidents that one call found plausibly the same event, proposed to the incident
-- service (which lists them for the duty leader) once.
CREATE TABLE merge_proposals (
    primary_id text NOT NULL,
    duplicate_id text NOT NULL,
    site_id text NOT NULL,
    call_id text NOT NULL,
    score double precision NOT NULL,
    evidence text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    outcome text NOT NULL DEFAULT '',
    PRIMARY KEY (primary_id, duplicate_id)
);
CREATE INDEX merge_proposals_unsent ON merge_proposals (created_at) WHERE sent_at IS NULL;
