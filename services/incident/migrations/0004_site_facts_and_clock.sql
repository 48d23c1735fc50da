-- site_confirmed: false when roster could not be asked at opening; the jurisdiction and time zone
-- are then filled in from roster before the reporting policy is chosen (load_policy).
-- clock_from: the first call's answer, from which the reporting deadlines count (NULL: the
-- incident was opened directly, without a call; they count from its registration).
ALTER TABLE incidents
    ADD COLUMN site_confirmed boolean NOT NULL DEFAULT true,
    ADD COLUMN clock_from timestamptz;
