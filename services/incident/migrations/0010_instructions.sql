-- Leaders' instructions (领导批示/指令), on an incident or on a site's duty work (incident_id NULL),
-- followed to completion by their process (InstructionWorkflow, workflow id "instruction-<id>").
CREATE TABLE instructions (
    id text PRIMARY KEY,
    site_id text NOT NULL,
    incident_id text REFERENCES incidents (id),
    -- Who instructed: a leader of the platform and/or a superior named in text.
    instructed_by_id text NOT NULL DEFAULT '',
    instructed_by text NOT NULL DEFAULT '',
    content text NOT NULL,
    assignee_id text NOT NULL,
    due_at timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed')),
    -- Set once by the process when due_at passed with the instruction still open.
    overdue_at timestamptz,
    result text NOT NULL DEFAULT '',
    recorded_by_id text NOT NULL,
    recorded_by_name text NOT NULL DEFAULT '',
    recorded_by_kind text NOT NULL DEFAULT 'person',
    recorded_at timestamptz NOT NULL,
    completed_by_id text NOT NULL DEFAULT '',
    completed_by_name text NOT NULL DEFAULT '',
    completed_by_kind text NOT NULL DEFAULT '',
    completed_at timestamptz,
    drill boolean NOT NULL DEFAULT false,
    version integer NOT NULL DEFAULT 1,
    -- Set once Temporal accepted the process; a reconciler starts the missing ones.
    workflow_started_at timestamptz
);
CREATE INDEX instructions_site_open ON instructions (site_id, due_at) WHERE status = 'open';
CREATE INDEX instructions_incident ON instructions (incident_id) WHERE incident_id IS NOT NULL;
CREATE INDEX instructions_assignee ON instructions (assignee_id, due_at);
CREATE INDEX instructions_workflow_pending ON instructions (recorded_at) WHERE workflow_started_at IS NULL;
