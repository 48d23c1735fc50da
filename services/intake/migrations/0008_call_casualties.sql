-- The casualties a caller tells of (dead, injured and missing together; 0: none told): compared by
-- incident's oversight with the casualties its incident reports (瞒报 signals).
ALTER TABLE call_records ADD COLUMN casualties integer NOT NULL DEFAULT 0 CHECK (casualties BETWEEN 0 AND 1000000);
