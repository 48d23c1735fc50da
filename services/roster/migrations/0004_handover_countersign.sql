-- The duty leader's countersignature of a handover (带班领导签字): who, when and what they wrote.
ALTER TABLE handovers
    ADD COLUMN countersigned_by_id text,
    ADD COLUMN countersigned_at timestamptz,
    ADD COLUMN countersign_remarks text NOT NULL DEFAULT '';
