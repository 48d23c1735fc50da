-- Emergency plans (应急预案) as versioned data, their activations on incidents with the tasks, and the
-- incident's response level (响应级别).

CREATE TABLE plans (
    id text NOT NULL,
    version integer NOT NULL,
    name text NOT NULL,
    -- '' = any category; [] = any sub-type, any severity.
    category text NOT NULL DEFAULT '',
    sub_types text[] NOT NULL DEFAULT '{}',
    severities text[] NOT NULL DEFAULT '{}',
    response_level text NOT NULL DEFAULT '',
    -- [{name, person_id | role | directory_entry_id | superior_office}]
    contacts jsonb NOT NULL DEFAULT '[]',
    -- [{key, title, owner_person_id | owner_role, due_after_seconds}]
    tasks jsonb NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, version)
);

CREATE TABLE plan_activations (
    id text PRIMARY KEY,
    incident_id text NOT NULL REFERENCES incidents (id),
    plan_id text NOT NULL,
    plan_version integer NOT NULL,
    activated_by_id text NOT NULL,
    activated_by_name text NOT NULL,
    activated_by_kind text NOT NULL,
    activated_at timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed', 'ended')),
    ended_at timestamptz,
    -- Its PlanActivationWorkflow has been started (a reconciler starts the ones Temporal missed).
    workflow_started boolean NOT NULL DEFAULT false,
    FOREIGN KEY (plan_id, plan_version) REFERENCES plans (id, version),
    -- One activation per incident and plan, however often it is asked for.
    UNIQUE (incident_id, plan_id)
);

CREATE TABLE plan_tasks (
    activation_id text NOT NULL REFERENCES plan_activations (id),
    key text NOT NULL,
    title text NOT NULL,
    owner_person_id text NOT NULL DEFAULT '',
    owner_role text NOT NULL DEFAULT '',
    due_at timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    result text NOT NULL DEFAULT '',
    completed_by_id text NOT NULL DEFAULT '',
    completed_by_name text NOT NULL DEFAULT '',
    completed_by_kind text NOT NULL DEFAULT '',
    completed_at timestamptz,
    overdue boolean NOT NULL DEFAULT false,
    PRIMARY KEY (activation_id, key)
);

ALTER TABLE incidents
    ADD COLUMN response_level text NOT NULL DEFAULT '',
    ADD COLUMN response_changed_at timestamptz;
