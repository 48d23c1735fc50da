-- The daily reports (值班日报) sent to the superior duty offices (services/insight/daily_sender.py): one
-- row per site and local day, claimed before the notice is sent. The headline figures are frozen in the
-- row at the claim, so every retry sends the very same request under the same idempotency key and notify
-- answers it once; a row not yet 'sent' is due again at the next round, whatever its age.
CREATE TABLE daily_report_sends (
    site_id text NOT NULL,
    report_date date NOT NULL,
    superior_id text NOT NULL,
    data jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent')),
    -- Raised when notify found nobody at the superior office: that key reached no one, the next try
    -- takes a new one, not before retry_at (someone may be put on duty there meanwhile).
    key_round integer NOT NULL DEFAULT 0,
    retry_at timestamptz,
    attempts integer NOT NULL DEFAULT 0,
    last_error text NOT NULL DEFAULT '',
    notification_ids text[] NOT NULL DEFAULT '{}',
    claimed_at timestamptz NOT NULL,
    sent_at timestamptz,
    PRIMARY KEY (site_id, report_date)
);
-- What a round reads: every row not yet sent, and the recent ones.
CREATE INDEX daily_report_sends_unsent ON daily_report_sends (report_date) WHERE status <> 'sent';
CREATE INDEX daily_report_sends_recent ON daily_report_sends (report_date);
