-- The duty room's equipment and emergency supplies (值班设备与应急物资).
CREATE TABLE equipment (
    id text PRIMARY KEY,
    site_id text NOT NULL REFERENCES sites (id),
    kind text NOT NULL CHECK (kind IN ('duty_phone', 'radio', 'fax', 'computer', 'generator', 'other')),
    name text NOT NULL,
    critical boolean NOT NULL DEFAULT false,
    -- [{name, period: shift|daily|weekly|monthly}]
    checks jsonb NOT NULL DEFAULT '[]',
    version integer NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX equipment_site ON equipment (site_id, name);

CREATE TABLE equipment_checks (
    id text PRIMARY KEY,
    site_id text NOT NULL REFERENCES sites (id),
    equipment_id text NOT NULL REFERENCES equipment (id),
    check_name text NOT NULL,
    result text NOT NULL CHECK (result IN ('ok', 'fault')),
    note text NOT NULL DEFAULT '',
    checked_by_id text NOT NULL,
    checked_by_name text NOT NULL DEFAULT '',
    checked_at timestamptz NOT NULL
);
-- The latest check of each kind decides whether it is due again.
CREATE INDEX equipment_checks_latest ON equipment_checks (equipment_id, check_name, checked_at DESC);

CREATE TABLE equipment_faults (
    id text PRIMARY KEY,
    site_id text NOT NULL REFERENCES sites (id),
    equipment_id text NOT NULL REFERENCES equipment (id),
    check_id text REFERENCES equipment_checks (id),
    description text NOT NULL,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    reported_by_id text NOT NULL,
    reported_by_name text NOT NULL DEFAULT '',
    reported_at timestamptz NOT NULL,
    resolution text NOT NULL DEFAULT '',
    resolved_by_id text NOT NULL DEFAULT '',
    resolved_by_name text NOT NULL DEFAULT '',
    resolved_at timestamptz,
    -- When the duty leader was alerted (a critical item's fault): the reconciler alerts the rest.
    alerted_at timestamptz,
    -- When the duty leader was told it is still open after a day (followed until repaired).
    followed_up_at timestamptz
);
CREATE INDEX equipment_faults_site ON equipment_faults (site_id, reported_at DESC, id DESC);
CREATE INDEX equipment_faults_open ON equipment_faults (reported_at) WHERE status = 'open';

CREATE TABLE supplies (
    id text PRIMARY KEY,
    site_id text NOT NULL REFERENCES sites (id),
    name text NOT NULL,
    quantity integer NOT NULL CHECK (quantity >= 0),
    minimum integer NOT NULL DEFAULT 0 CHECK (minimum >= 0),
    expiry_date date,
    version integer NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX supplies_site ON supplies (site_id, name);

-- supply.expiring once per supply and expiry date (the daily reconciler is idempotent).
CREATE TABLE supply_expiry_warnings (
    supply_id text NOT NULL REFERENCES supplies (id),
    expiry_date date NOT NULL,
    warned_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (supply_id, expiry_date)
);
