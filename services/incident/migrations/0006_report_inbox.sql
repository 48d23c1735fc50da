-- Reports travel upward: each report submitted is delivered to the superior duty office's report
-- inbox (报告收件箱), where it is signed for (签收) or returned (退回); one not signed for in time escalates.

-- Learned from roster with the site's other facts: the office reports go to by default
-- (NULL: not learned yet; '' a headquarters).
ALTER TABLE incidents
    ADD COLUMN parent_site_id text,
    -- An incident opened by signing for a subordinate office's report: that office's incident.
    ADD COLUMN reported_from_incident_id text REFERENCES incidents (id),
    ADD COLUMN reported_from_site_id text NOT NULL DEFAULT '';
-- One incident per receiving office and reported incident, however often it signs.
CREATE UNIQUE INDEX incidents_reported_from ON incidents (reported_from_incident_id, site_id)
    WHERE reported_from_incident_id IS NOT NULL;

-- A policy may name the office reports go to, and how long it has to sign for one.
ALTER TABLE reporting_policies
    ADD COLUMN recipient_site_id text NOT NULL DEFAULT '',
    ADD COLUMN receipt_window_seconds integer NOT NULL DEFAULT 0;

CREATE TABLE report_inbox (
    id text PRIMARY KEY,
    report_id text NOT NULL REFERENCES reports (id),
    -- 1 as first submitted; a corrected report is delivered again as its next version.
    report_version integer NOT NULL DEFAULT 1,
    incident_id text NOT NULL REFERENCES incidents (id),
    sender_site_id text NOT NULL,
    recipient_site_id text NOT NULL,
    author_id text NOT NULL,
    status text NOT NULL DEFAULT 'delivered' CHECK (status IN ('delivered', 'escalated', 'received', 'returned')),
    delivered_at timestamptz NOT NULL,
    window_seconds integer NOT NULL,
    escalated_at timestamptz,
    received_by text,
    received_by_name text NOT NULL DEFAULT '',
    received_at timestamptz,
    returned_by text,
    returned_by_name text NOT NULL DEFAULT '',
    returned_at timestamptz,
    return_reason text NOT NULL DEFAULT '',
    returned_wrong boolean NOT NULL DEFAULT false,
    receiving_incident_id text REFERENCES incidents (id),
    drill boolean NOT NULL,
    -- Set once its ReportReceiptWorkflow was started; a reconciler starts the missing ones.
    workflow_started_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    UNIQUE (report_id, report_version)
);
CREATE INDEX report_inbox_recipient ON report_inbox (recipient_site_id, delivered_at DESC);
CREATE INDEX report_inbox_incident ON report_inbox (incident_id);
CREATE INDEX report_inbox_unstarted ON report_inbox (delivered_at) WHERE workflow_started_at IS NULL;

-- Violations beyond the reporting deadlines (错报 wrong_report, 瞒报 concealment, unverified): the code
-- names the kinds; each such charge has a `ref` that makes recording it again a no-op. The deadline
-- violations stay one per (incident, report, number).
ALTER TABLE violations DROP CONSTRAINT violations_kind_check;
ALTER TABLE violations DROP CONSTRAINT violations_incident_id_report_kind_number_key;
CREATE UNIQUE INDEX violations_deadline ON violations (incident_id, report_kind, number)
    WHERE kind IN ('late', 'missed');
ALTER TABLE violations ADD COLUMN ref text;
CREATE UNIQUE INDEX violations_ref ON violations (ref) WHERE ref IS NOT NULL;
