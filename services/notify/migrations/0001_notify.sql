-- Notifications (通知) to one person each, with every delivery attempt, escalations over a site's
-- chain, and the agencies that subscribe to events.
CREATE TABLE notifications (
    id text PRIMARY KEY,
    -- The sender's idempotency key and the person: a retried Send writes nothing new.
    dedupe_key text NOT NULL UNIQUE,
    site_id text NOT NULL,
    person_id text NOT NULL,
    person_name text NOT NULL DEFAULT '',
    template text NOT NULL,
    locale text NOT NULL DEFAULT '',
    data jsonb NOT NULL DEFAULT '{}',
    -- As shown on the console and in the CLI (without the one-time acknowledgement token).
    subject text NOT NULL,
    body text NOT NULL,
    ref_kind text NOT NULL DEFAULT '',
    ref_id text NOT NULL DEFAULT '',
    escalation_id text,
    -- The loop and step (from 1) of the escalation that sent it.
    escalation_loop integer NOT NULL DEFAULT 0,
    escalation_step integer NOT NULL DEFAULT 0,
    drill boolean NOT NULL DEFAULT false,
    -- Where to try, in order: [{"channel": "sms", "address": "+86…"}, …], the last one the console.
    routes jsonb NOT NULL,
    route_index integer NOT NULL DEFAULT 0,
    -- Attempts on the current route.
    route_attempts integer NOT NULL DEFAULT 0,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sent', 'delivered', 'failed', 'acknowledged')),
    -- When the dispatcher should try next; NULL once there is nothing left to try.
    next_attempt_at timestamptz,
    -- A dispatcher holding the notification until then; an expired lease is taken over.
    lease_until timestamptz,
    acknowledged_at timestamptz,
    acknowledged_by text,
    created_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX notifications_person ON notifications (person_id, created_at DESC);
CREATE INDEX notifications_site ON notifications (site_id, created_at DESC);
CREATE INDEX notifications_ref ON notifications (ref_id) WHERE ref_id <> '';
CREATE INDEX notifications_escalation ON notifications (escalation_id) WHERE escalation_id IS NOT NULL;

CREATE TABLE delivery_attempts (
    id text PRIMARY KEY,
    notification_id text NOT NULL REFERENCES notifications (id),
    attempt integer NOT NULL,
    channel text NOT NULL,
    address text NOT NULL,
    at timestamptz NOT NULL,
    status text NOT NULL CHECK (status IN ('sent', 'delivered', 'failed')),
    provider_answer text NOT NULL DEFAULT ''
);
CREATE INDEX delivery_attempts_notification ON delivery_attempts (notification_id, at);

-- A site's escalation chain (升级链); sites without one use the default.
CREATE TABLE escalation_chains (
    site_id text PRIMARY KEY,
    steps jsonb NOT NULL,
    repeat integer NOT NULL CHECK (repeat >= 1),
    updated_at timestamptz NOT NULL,
    updated_by text NOT NULL
);

CREATE TABLE escalations (
    id text PRIMARY KEY,
    site_id text NOT NULL,
    template text NOT NULL,
    data jsonb NOT NULL DEFAULT '{}',
    ref_kind text NOT NULL DEFAULT '',
    ref_id text NOT NULL DEFAULT '',
    drill boolean NOT NULL DEFAULT false,
    locale text NOT NULL DEFAULT '',
    -- The chain as it was when the escalation began.
    steps jsonb NOT NULL,
    repeat integer NOT NULL,
    first_step integer NOT NULL DEFAULT 0,
    status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'acknowledged', 'exhausted')),
    acknowledged_by text,
    acknowledged_at timestamptz,
    created_at timestamptz NOT NULL,
    -- Set once Temporal accepted the EscalationWorkflow; a reconciler starts the missing ones.
    workflow_started_at timestamptz,
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX escalations_workflow_pending ON escalations (created_at) WHERE workflow_started_at IS NULL;
CREATE INDEX escalations_ref ON escalations (ref_id);

-- Steps and acknowledgements the workflow recorded (its activities run at least once).
CREATE TABLE escalation_records (
    escalation_id text NOT NULL REFERENCES escalations (id),
    key text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (escalation_id, key)
);

CREATE TABLE agencies (
    id text PRIMARY KEY,
    name text NOT NULL,
    site_ids text[] NOT NULL,
    event_types text[] NOT NULL,
    webhook_url text NOT NULL DEFAULT '',
    webhook_secret text NOT NULL DEFAULT '',
    nats_user text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    created_by text NOT NULL
);

-- Webhook deliveries of events to agencies, acknowledged by the agency's receipt.
CREATE TABLE agency_deliveries (
    agency_id text NOT NULL REFERENCES agencies (id),
    event_id text NOT NULL,
    event_type text NOT NULL,
    site_id text NOT NULL,
    drill boolean NOT NULL DEFAULT false,
    body bytea NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'acknowledged', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    lease_until timestamptz,
    receipt text NOT NULL DEFAULT '',
    last_error text NOT NULL DEFAULT '',
    acknowledged_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, event_id)
);
CREATE INDEX agency_deliveries_due ON agency_deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
