-- What GetStatistics reads beyond the projections' own indexes (services/insight/rpc_statistics.py):
-- the late answers of scoring_facts are found by site and answer time, not by scanning every call of
-- the sites.
CREATE INDEX calls_late_answers ON calls (site_id, answered_at) WHERE answered_late AND record_version > 0;
