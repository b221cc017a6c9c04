-- The ledger of points and bonus money (RULEBOOK §4): append-only, balances are sums of rows.
-- A positive row is a lot (a credit, or a head's positive correction) valid from credited_on
-- through expires_on. A negative row (expiry, spend, a negative correction) draws from one lot
-- (lot_id) and carries that lot's partner, account, program and dates, so a balance is one
-- indexed range of one partner's rows with no join. Points are integers; money is kopecks.
CREATE TABLE ledger (
    id           INTEGER PRIMARY KEY,
    key          TEXT NOT NULL UNIQUE,  -- idempotency: report:7:points, expiry:12, correction:…
    partner_id   INTEGER NOT NULL REFERENCES partners (id),
    account      TEXT NOT NULL CHECK (account IN ('points', 'bonus')),
    program      TEXT CHECK (program IN ('site_management', 'bitrix24')),  -- points only
    kind         TEXT NOT NULL CHECK (kind IN ('credit', 'correction', 'expiry', 'spend')),
    amount       INTEGER NOT NULL CHECK (amount <> 0),
    lot_id       INTEGER REFERENCES ledger (id),  -- NULL: this row is a lot
    credited_on  TEXT NOT NULL,  -- YYYY-MM-DD, the lot's
    expires_on   TEXT NOT NULL,  -- the lot's last valid day
    report_id    INTEGER,        -- the accepted report a credit is for
    reason       TEXT,           -- a correction's
    by_id        INTEGER,        -- who: the manager who accepted, the head who corrected
    created_at   TEXT NOT NULL,
    CHECK ((account = 'points') = (program IS NOT NULL)),
    CHECK ((lot_id IS NULL) = (amount > 0)),
    CHECK (kind IN ('credit', 'correction') OR lot_id IS NOT NULL),
    CHECK (kind <> 'credit' OR lot_id IS NULL),
    CHECK (credited_on <= expires_on)
);

CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: add a correction row instead');
END;

CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: add a correction row instead');
END;

-- /balance: one partner's rows that still count, read from the index alone (it covers them).
CREATE INDEX ledger_partner ON ledger (partner_id, expires_on, credited_on, account, program,
                                       lot_id, amount);
-- /rating: every partner's points that still count.
CREATE INDEX ledger_points ON ledger (account, expires_on, credited_on, partner_id, program,
                                      lot_id, amount);
-- What has been drawn from a lot; lots past their last day (the expiry job).
CREATE INDEX ledger_draws ON ledger (lot_id) WHERE lot_id IS NOT NULL;
CREATE INDEX ledger_lots ON ledger (expires_on) WHERE lot_id IS NULL;
