-- Files partners send (kept on disk, deduplicated) and their reports after events.
CREATE TABLE files (
    id              INTEGER PRIMARY KEY,
    file_unique_id  TEXT NOT NULL UNIQUE,   -- Telegram's stable id: the same file is kept once
    file_id         TEXT NOT NULL,          -- to show it again (per bot, may change)
    kind            TEXT NOT NULL CHECK (kind IN ('photo', 'document')),
    mime_type       TEXT,
    file_name       TEXT,
    size            INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    path            TEXT NOT NULL,          -- relative to the data folder
    uploaded_by     INTEGER NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE TABLE reports (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications (id),
    partner_id      INTEGER NOT NULL REFERENCES partners (id),
    author_id       INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,   -- +1 each time it is sent again
    status          TEXT NOT NULL CHECK (status IN ('sent', 'accepted', 'rejected',
                                                    'more_requested')),
    answers         TEXT NOT NULL,
    assessment      TEXT NOT NULL,   -- the final assessment with the actual figures, JSON
    late            INTEGER NOT NULL DEFAULT 0,
    submitted_at    TEXT NOT NULL,
    decided_by      INTEGER,
    decided_at      TEXT,
    reason          TEXT,
    points          INTEGER,
    compensation    INTEGER,
    UNIQUE (application_id)
);
CREATE INDEX reports_status ON reports (status, submitted_at);

-- Every copy of a report's review card, to show the decision on all of them.
CREATE TABLE review_cards (
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    report_id   INTEGER NOT NULL REFERENCES reports (id),
    version     INTEGER NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX review_cards_report ON review_cards (report_id, version);

-- Listener lists with contacts: personal data, kept apart from other files (own folder, own
-- table), shown to managers only, deleted when `delete_after` passes.
CREATE TABLE listener_lists (
    report_id     INTEGER PRIMARY KEY REFERENCES reports (id),
    state         TEXT NOT NULL CHECK (state IN ('requested', 'received', 'declined',
                                                 'deleted')),
    requested_by  INTEGER NOT NULL,
    requested_at  TEXT NOT NULL,
    file_id       TEXT,          -- Telegram's, to show it to managers
    path          TEXT,          -- relative to the data folder, under personal/
    received_at   TEXT,
    delete_after  TEXT
);
CREATE INDEX listener_lists_delete ON listener_lists (state, delete_after);
