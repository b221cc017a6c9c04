-- The reminders table becomes the outbox of every consequential message (issue 18): cards to
-- managers, decisions and review outcomes to partners, credits, escalations, closing old cards.
-- Each row is written in the transaction of the state change it announces and composed at send
-- time from the ids in `application_id` / `payload`. New states: `waiting` (the recipient has
-- not started the bot: sent when they /start) and `given_up` (undelivered after the give-up
-- time; reported to the ops chat and by `partnerdesk status`). SQLite can't change a CHECK in
-- place, so the table is rebuilt; nothing references it.
CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,  -- the idempotency key: a second write of it is a no-op
    application_id  INTEGER REFERENCES applications (id),
    partner_id      INTEGER REFERENCES partners (id),
    recipient_id    INTEGER NOT NULL,      -- a Telegram chat id (a person, or the team chat)
    kind            TEXT NOT NULL,
    planned_for     TEXT,
    due_at          TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'planned' CHECK (state IN (
                        'planned', 'sending', 'sent', 'cancelled', 'dropped', 'failed',
                        'waiting', 'given_up')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    claim           TEXT,
    claimed_at      TEXT,
    sent_at         TEXT,
    note            TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    promise_id      INTEGER REFERENCES copartner_promises (id),
    payload         TEXT                   -- JSON: the ids a message is composed from
);
INSERT INTO outbox_new (id, key, application_id, partner_id, recipient_id, kind, planned_for,
                        due_at, state, attempts, claim, claimed_at, sent_at, note, created_at,
                        updated_at, promise_id)
    SELECT id, key, application_id, partner_id, recipient_id, kind, planned_for, due_at, state,
           attempts, claim, claimed_at, sent_at, note, created_at, updated_at, promise_id
    FROM reminders;
DROP TABLE reminders;
ALTER TABLE outbox_new RENAME TO reminders;
CREATE INDEX reminders_due ON reminders (due_at) WHERE state = 'planned';
CREATE INDEX reminders_sending ON reminders (claimed_at) WHERE state = 'sending';
CREATE INDEX reminders_application ON reminders (application_id, state);
-- Messages waiting for a recipient to start the bot, found by recipient when they do.
CREATE INDEX reminders_waiting ON reminders (recipient_id) WHERE state = 'waiting';
