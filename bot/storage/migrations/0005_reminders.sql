-- The reminders outbox: every reminder is a row, planned when an application is approved and
-- claimed by the dispatcher job by compare-and-set, so a restart neither loses nor repeats one.
CREATE TABLE reminders (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,  -- application:kind:day:recipient; re-planning is idempotent
    application_id  INTEGER REFERENCES applications (id),  -- NULL: a digest, a money nudge
    partner_id      INTEGER REFERENCES partners (id),      -- a money nudge's partner
    recipient_id    INTEGER NOT NULL,      -- a Telegram user id
    kind            TEXT NOT NULL,
    planned_for     TEXT,                  -- the event date it was planned for (a money
                                           -- nudge: the money's last valid day)
    due_at          TEXT NOT NULL,         -- UTC, YYYY-MM-DDTHH:MM:SSZ; moved on by a retry
    state           TEXT NOT NULL DEFAULT 'planned' CHECK (state IN (
                        'planned', 'sending', 'sent', 'cancelled', 'dropped', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,  -- failed sends so far
    claim           TEXT,                  -- the dispatcher run that holds it while 'sending'
    claimed_at      TEXT,
    sent_at         TEXT,
    note            TEXT,                  -- why cancelled / dropped / failed, or the last error
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
-- The dispatcher's one query per batch reads this small partial index: only planned rows.
CREATE INDEX reminders_due ON reminders (due_at) WHERE state = 'planned';
-- Claims left behind by a crash, released after the lease.
CREATE INDEX reminders_sending ON reminders (claimed_at) WHERE state = 'sending';
CREATE INDEX reminders_application ON reminders (application_id, state);

-- Optional reminders a partner switched off for one activity (announce, weekly, call, checklist).
CREATE TABLE reminder_optouts (
    application_id  INTEGER NOT NULL REFERENCES applications (id),
    kind            TEXT NOT NULL,
    by_id           INTEGER NOT NULL,
    at              TEXT NOT NULL,
    PRIMARY KEY (application_id, kind)
);
