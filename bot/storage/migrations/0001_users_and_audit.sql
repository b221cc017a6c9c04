-- Everyone who has written to the bot, and the audit trail of every state change.
CREATE TABLE users (
    telegram_id    INTEGER PRIMARY KEY,
    first_name     TEXT NOT NULL,
    username       TEXT,
    language       TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL,
    blocked_at     TEXT
);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor_id  INTEGER,
    action    TEXT NOT NULL,          -- dotted name, e.g. user.joined, activity.approved
    subject   TEXT,
    details   TEXT NOT NULL DEFAULT '{}'  -- JSON
);
CREATE INDEX audit_log_subject ON audit_log (subject);
