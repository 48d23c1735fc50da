-- 核实时限 and 现场联系: each reporting policy names the time to verify and how often the scene
-- reports progress while in tracking (0: not required).
ALTER TABLE reporting_policies
    ADD COLUMN verify_within_seconds integer NOT NULL DEFAULT 600 CHECK (verify_within_seconds > 0),
    ADD COLUMN progress_every_seconds integer NOT NULL DEFAULT 0 CHECK (progress_every_seconds >= 0);
-- The shipped defaults stored before this get their scene contact (rules.default_policies).
UPDATE reporting_policies SET progress_every_seconds = 3600
    WHERE created_by = 'system:defaults' AND id IN ('national-I', 'national-II', 'zj-I', 'zj-II');
UPDATE reporting_policies SET progress_every_seconds = 7200
    WHERE created_by = 'system:defaults' AND id IN ('national-III', 'accident', 'accident-road-fire');

