-- Reports are versioned (更正): a correction adds a version with its reason and never overwrites the
-- earlier ones. `reports` shows the current version; `report_versions` keeps every one, 1 = as submitted.
ALTER TABLE reports
    ADD COLUMN version integer NOT NULL DEFAULT 1,
    -- The material figures the current version states: casualties and loss, severity, cause.
    ADD COLUMN casualties jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN severity text NOT NULL DEFAULT '',
    ADD COLUMN cause text NOT NULL DEFAULT '',
    ADD COLUMN corrected_at timestamptz,
    ADD COLUMN correction_reason text NOT NULL DEFAULT '',
    ADD COLUMN corrected_by text NOT NULL DEFAULT '';

-- Reports made before: the figures they stated are their accident report's, else the incident's now
-- (the closest record there is of what was reported).
UPDATE reports r SET
    casualties = COALESCE(r.accident -> 'casualties', i.casualties),
    severity = i.severity
FROM incidents i WHERE i.id = r.incident_id;

CREATE TABLE report_versions (
    report_id text NOT NULL REFERENCES reports (id),
    version integer NOT NULL CHECK (version >= 1),
    content text NOT NULL DEFAULT '',
    accident jsonb,
    casualties jsonb NOT NULL DEFAULT '{}',
    severity text NOT NULL DEFAULT '',
    cause text NOT NULL DEFAULT '',
    -- Why it was corrected ('' for version 1).
    reason text NOT NULL DEFAULT '',
    author_id text NOT NULL,
    recorded_at timestamptz NOT NULL,
    -- The differences from the version before, as published: [{figure, before, after, material}].
    changes jsonb NOT NULL DEFAULT '[]',
    content_changed boolean NOT NULL DEFAULT false,
    -- A material figure corrected later than the policy allows (错报).
    late boolean NOT NULL DEFAULT false,
    PRIMARY KEY (report_id, version)
);

INSERT INTO report_versions (report_id, version, content, accident, casualties, severity, cause, author_id, recorded_at)
SELECT id, 1, content, accident, casualties, severity, cause, author_id, submitted_at FROM reports;

CREATE FUNCTION report_versions_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a report version is never changed: a correction is a new version';
END $$;
CREATE TRIGGER report_versions_kept BEFORE UPDATE OR DELETE ON report_versions
    FOR EACH ROW EXECUTE FUNCTION report_versions_are_kept();

-- A policy names how long material figures may be corrected (NULL/0: no limit). The shipped defaults:
-- 30 days, 7 for road traffic and fire accidents (伤亡变化补报).
ALTER TABLE reporting_policies ADD COLUMN correction_within_seconds integer;
UPDATE reporting_policies SET correction_within_seconds = CASE WHEN id = 'accident-road-fire' THEN 604800 ELSE 2592000 END
WHERE created_by = 'system:defaults'
  AND id IN ('national-I', 'national-II', 'national-III', 'national-IV', 'accident', 'accident-road-fire', 'zj-I', 'zj-II');

-- The report a 错报 is about.
ALTER TABLE violations ADD COLUMN report_id text;
