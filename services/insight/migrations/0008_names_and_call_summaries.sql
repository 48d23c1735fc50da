-- What a duty log (值班日志) words its lines and names its people with: a call's own summary, as
-- call.registered and the call's record carry it (the calls projection), and each person's name as the
-- latest published roster or assignment change gives it (the duties projection). A document shows
-- "赵磊 (p-hz-officer-3)", or the id alone for a person no roster named yet.
ALTER TABLE calls ADD COLUMN summary text;

CREATE TABLE people (
    person_id text PRIMARY KEY,
    display_name text NOT NULL,
    -- The event the name is as of: a later event (a greater id) wins, whatever order they arrive in.
    event_id text NOT NULL
);
