-- Manager decisions on applications, the cards that show them, and answers managers type.
ALTER TABLE applications ADD COLUMN role TEXT NOT NULL DEFAULT 'specialist';
ALTER TABLE applications ADD COLUMN version INTEGER NOT NULL DEFAULT 1;  -- +1 per resubmission
ALTER TABLE applications ADD COLUMN escalated_at TEXT;

-- One row per decision taken; the status compare-and-set on `applications` keeps it to one
-- per version, and the unique key makes a second insert fail loudly if that ever broke.
CREATE TABLE decisions (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications (id),
    version         INTEGER NOT NULL,
    action          TEXT NOT NULL CHECK (action IN ('approved', 'rejected', 'changes_requested')),
    manager_id      INTEGER NOT NULL,
    reason          TEXT,
    points          INTEGER,          -- the figure the manager picked, where the rules left one
    compensation    INTEGER,          -- kopecks, likewise
    assessment      TEXT NOT NULL,    -- the rules' assessment the decision was made under, JSON
    rulebook        TEXT NOT NULL,
    decided_at      TEXT NOT NULL,
    UNIQUE (application_id, version)
);

-- Every copy of an application's card (several managers, or the team chat), to edit them all.
CREATE TABLE cards (
    chat_id         INTEGER NOT NULL,
    message_id      INTEGER NOT NULL,
    application_id  INTEGER NOT NULL REFERENCES applications (id),
    version         INTEGER NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX cards_application ON cards (application_id);

-- A question the bot asked a manager with force-reply (a reason, an amount): the reply is
-- matched by the prompt's message id, which works in groups with privacy mode on.
CREATE TABLE awaiting (
    chat_id     INTEGER NOT NULL,
    prompt_id   INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    purpose     TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL,
    PRIMARY KEY (chat_id, prompt_id)
);
