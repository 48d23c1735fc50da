-- Qualifications, training and drills (资格、培训、演练).

-- What each role of a site requires (值班员培训合格证 for officers, say) and how long a training grants it.
CREATE TABLE required_qualifications (
    site_id text NOT NULL REFERENCES sites (id),
    role text NOT NULL,
    qualification text NOT NULL,
    valid_days integer NOT NULL CHECK (valid_days > 0),
    updated_by text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site_id, role, qualification)
);

-- Each training completed; the latest valid_until of a person's qualification is what they hold.
CREATE TABLE trainings (
    id text PRIMARY KEY,
    person_id text NOT NULL REFERENCES people (id),
    site_id text NOT NULL REFERENCES sites (id),
    qualification text NOT NULL,
    completed_on date NOT NULL,
    valid_until date NOT NULL CHECK (valid_until >= completed_on),
    course text NOT NULL DEFAULT '',
    certificate_no text NOT NULL DEFAULT '',
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    -- The same training recorded twice is one training.
    UNIQUE (person_id, qualification, completed_on)
);
CREATE INDEX trainings_held ON trainings (person_id, qualification, valid_until DESC);

-- One warning per qualification and expiry (qualification.expiring); notified_at once notify has it.
CREATE TABLE qualification_warnings (
    person_id text NOT NULL REFERENCES people (id),
    qualification text NOT NULL,
    valid_until date NOT NULL,
    site_id text NOT NULL REFERENCES sites (id),
    warned_at timestamptz NOT NULL DEFAULT now(),
    notified_at timestamptz,
    PRIMARY KEY (person_id, qualification, valid_until)
);
CREATE INDEX qualification_warnings_unnotified ON qualification_warnings (warned_at) WHERE notified_at IS NULL;

-- The drill calendar (应急演练): attendance and the after-action review (演练总结) once held.
CREATE TABLE drills (
    id text PRIMARY KEY,
    site_id text NOT NULL REFERENCES sites (id),
    subject text NOT NULL,
    scheduled_for timestamptz NOT NULL,
    participant_ids text[] NOT NULL,
    status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'held')),
    attended_ids text[] NOT NULL DEFAULT '{}',
    held_at timestamptz,
    review text NOT NULL DEFAULT '',
    scheduled_by text NOT NULL,
    recorded_by text NOT NULL DEFAULT '',
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX drills_calendar ON drills (site_id, scheduled_for);
