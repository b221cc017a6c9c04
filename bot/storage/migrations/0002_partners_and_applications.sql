-- Partners (companies, by the ID the vendor issued), their employees, form drafts, applications.
CREATE TABLE partners (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,     -- the partner ID the vendor issued
    company           TEXT NOT NULL,
    city              TEXT NOT NULL,
    status            TEXT NOT NULL,            -- gold | certified | other
    suspended_at      TEXT,
    suspended_reason  TEXT,
    created_at        TEXT NOT NULL
);

CREATE TABLE members (
    telegram_id   INTEGER PRIMARY KEY REFERENCES users (telegram_id),
    partner_id    INTEGER NOT NULL REFERENCES partners (id),
    full_name     TEXT NOT NULL,
    phone         TEXT,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'active', 'declined')),
    decided_by    INTEGER,
    created_at    TEXT NOT NULL,
    decided_at    TEXT
);
CREATE INDEX members_partner ON members (partner_id, state);

CREATE TABLE applications (
    id              INTEGER PRIMARY KEY,
    partner_id      INTEGER NOT NULL REFERENCES partners (id),
    author_id       INTEGER NOT NULL REFERENCES users (telegram_id),
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    event_date      TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN (
                        'pending', 'changes_requested', 'approved', 'rejected', 'withdrawn',
                        'report_due', 'report_sent', 'credited')),
    answers         TEXT NOT NULL,     -- the form's answers, JSON
    assessment      TEXT NOT NULL,     -- the rules' assessment when submitted, JSON
    rulebook        TEXT NOT NULL,     -- name and effective date of the rulebook used
    submitted_at    TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX applications_partner ON applications (partner_id, event_date);
CREATE INDEX applications_status ON applications (status, submitted_at);

-- One draft per person and form; `data` is the engine's Draft as JSON, saved at every step.
CREATE TABLE drafts (
    telegram_id   INTEGER NOT NULL REFERENCES users (telegram_id),
    form          TEXT NOT NULL,
    data          TEXT NOT NULL,
    application_id INTEGER REFERENCES applications (id),  -- set when changing a sent one
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (telegram_id, form)
);
