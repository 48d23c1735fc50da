-- Every NATS user issued to an agency (public keys only; the seeds are handed out once), so that
-- they can be revoked: the account JWT pushed to the NATS servers lists the revoked ones that have
-- not expired yet, and the servers refuse and disconnect them.
CREATE TABLE agency_nats_users (
    public_key text PRIMARY KEY,
    agency_id text NOT NULL REFERENCES agencies (id),
    subjects text[] NOT NULL,
    issued_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX agency_nats_users_live ON agency_nats_users (agency_id) WHERE revoked_at IS NULL;
