-- A call's record after registration (来电记录): optional caller details, the handling and result
-- given when it is completed, and handling notes appended at any time.
CREATE TABLE call_records (
    call_id text PRIMARY KEY REFERENCES calls (id),
    caller_gender text NOT NULL DEFAULT '' CHECK (caller_gender IN ('', 'female', 'male', 'other')),
    caller_age integer NOT NULL DEFAULT 0 CHECK (caller_age BETWEEN 0 AND 130),
    caller_declined_number boolean NOT NULL DEFAULT false,
    handling text NOT NULL DEFAULT '',
    result text NOT NULL DEFAULT '',
    completed_by text NOT NULL DEFAULT '',
    completed_at timestamptz
);

CREATE TABLE call_notes (
    id text PRIMARY KEY,
    call_id text NOT NULL REFERENCES calls (id),
    text text NOT NULL,
    written_by text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX call_notes_call ON call_notes (call_id, at);

-- A notice from a superior with missing elements is followed up like a message: the duty leader is
-- told at once, the officer reminded before its deadline, the leader again once it has passed.
-- A message's recipient is a person of the roster or an entry of the directory (reached through
-- the entry's contacts).
ALTER TABLE callbacks DROP CONSTRAINT callbacks_kind_check;
ALTER TABLE callbacks ADD CONSTRAINT callbacks_kind_check CHECK (kind IN ('message', 'callback', 'notice'));
ALTER TABLE callbacks ADD COLUMN recipient_kind text NOT NULL DEFAULT 'person'
    CHECK (recipient_kind IN ('person', 'directory'));
