-- A handover's changes (submitted, overdue, accepted, countersigned) happen in any order, so each one's event
-- carries the row's own version rather than a number fixed per kind (which went backwards when an overdue
-- handover was accepted). Rows from before start above every number the fixed scheme used for them.
ALTER TABLE handovers ADD COLUMN version integer NOT NULL DEFAULT 1;
UPDATE handovers
   SET version = greatest(1,
                          CASE WHEN accepted_at IS NOT NULL THEN 2 ELSE 1 END,
                          CASE WHEN overdue THEN 3 ELSE 1 END,
                          CASE WHEN countersigned_at IS NOT NULL THEN 4 ELSE 1 END);
