-- Partners' requests besides applications (info support, promo materials, promotions, case
-- studies, Marketplace solutions, profile updates, talks at the vendor's events), their cards,
-- and the vendor's invitations to its own events with each partner's answer.
CREATE TABLE requests (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    partner_id      INTEGER NOT NULL REFERENCES partners (id),
    author_id       INTEGER NOT NULL,
    application_id  INTEGER REFERENCES applications (id),  -- the approved event it is for
    invitation_id   INTEGER,                               -- the vendor's event (a talk)
    role            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN (
                        'pending', 'accepted', 'returned', 'declined', 'refused')),
    version         INTEGER NOT NULL DEFAULT 1,   -- +1 each time it is sent again
    answers         TEXT NOT NULL,                -- the form's answers, JSON
    submitted_at    TEXT NOT NULL,
    decided_by      INTEGER,
    decided_at      TEXT,
    reason          TEXT,        -- a common reason (`code:…`, `limit:…`) or what was typed
    possible_from   TEXT,        -- refused by a limit: the first day it becomes possible
    shown_from      TEXT,        -- a published announcement: the days the rules give it
    shown_until     TEXT
);
CREATE INDEX requests_partner ON requests (partner_id, kind, status);
CREATE INDEX requests_application ON requests (application_id, kind);

-- Every copy of a request's card, to close them all once it is decided.
CREATE TABLE request_cards (
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    request_id  INTEGER NOT NULL REFERENCES requests (id),
    version     INTEGER NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX request_cards_request ON request_cards (request_id, version);

CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    answers     TEXT NOT NULL,      -- what, title, date, city, place, talks: JSON
    event_date  TEXT NOT NULL,
    created_by  INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    sent_to     INTEGER NOT NULL DEFAULT 0   -- people it reached
);

-- One answer per partner (any employee may give it; a later tap changes it).
CREATE TABLE invitation_answers (
    invitation_id  INTEGER NOT NULL REFERENCES invitations (id),
    partner_id     INTEGER NOT NULL REFERENCES partners (id),
    answer         TEXT NOT NULL CHECK (answer IN ('yes', 'talk', 'no')),
    by_id          INTEGER NOT NULL,
    at             TEXT NOT NULL,
    PRIMARY KEY (invitation_id, partner_id)
);
