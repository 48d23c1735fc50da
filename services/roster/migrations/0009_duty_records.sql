-- ListDutyViolations (违纪记录): a site's violations newest first, and the late check-ins among them.
CREATE INDEX violations_site_time ON violations (site_id, recorded_at DESC, id DESC);
CREATE INDEX check_ins_late ON check_ins (checked_in_at DESC) WHERE status = 'late';
