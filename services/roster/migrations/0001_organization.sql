-- Sites in a hierarchy (headquarters → region → site), people, and duty assignments.
CREATE TABLE sites (
    id text PRIMARY KEY,
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('headquarters', 'region', 'site')),
    parent_id text REFERENCES sites (id),
    time_zone text NOT NULL,
    jurisdiction text NOT NULL DEFAULT '',
    answer_limit_seconds integer NOT NULL DEFAULT 15 CHECK (answer_limit_seconds > 0),
    greeting text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE people (
    id text PRIMARY KEY,
    display_name text NOT NULL,
    site_id text NOT NULL REFERENCES sites (id),
    roles text[] NOT NULL,
    qualifications text[] NOT NULL DEFAULT '{}',
    contacts jsonb NOT NULL DEFAULT '[]',
    department text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE assignments (
    id text PRIMARY KEY,
    site_id text NOT NULL REFERENCES sites (id),
    person_id text NOT NULL REFERENCES people (id),
    role text NOT NULL CHECK (role IN ('officer', 'leader')),
    shift_name text NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX assignments_site_time ON assignments (site_id, starts_at, ends_at);
