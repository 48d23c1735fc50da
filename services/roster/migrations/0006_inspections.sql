-- The duty leader's inspection of each shift (带班领导查岗): a site's checklist and the inspections.
CREATE TABLE inspection_checklists (
    site_id text PRIMARY KEY REFERENCES sites (id),
    -- [{code, label}]
    items jsonb NOT NULL,
    version integer NOT NULL DEFAULT 1,
    updated_by text NOT NULL,
    updated_by_name text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE inspections (
    id text PRIMARY KEY,
    site_id text NOT NULL REFERENCES sites (id),
    assignment_id text NOT NULL REFERENCES assignments (id),
    inspector_id text NOT NULL,
    inspector_name text NOT NULL DEFAULT '',
    inspected_at timestamptz NOT NULL,
    checklist_version integer NOT NULL,
    -- [{code, ok, note}], one per item of the checklist version answered
    results jsonb NOT NULL,
    note text NOT NULL DEFAULT '',
    recorded_at timestamptz NOT NULL DEFAULT now()
);
-- ListInspections and "was there one during this leader's shift".
CREATE INDEX inspections_site_time ON inspections (site_id, inspected_at DESC, id DESC);
