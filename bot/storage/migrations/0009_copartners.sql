-- Co-partners of an event (media, organisational, sponsor, content), the package agreed with
-- each as a checklist of promises with due days, and the reminders about open promises.
CREATE TABLE copartners (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications (id),
    partner_id      INTEGER NOT NULL REFERENCES partners (id),
    name            TEXT NOT NULL,
    name_key        TEXT NOT NULL,   -- the name casefolded, spaces collapsed: one media partner
                                     -- across events (SQLite's LOWER knows ASCII only)
    kind            TEXT NOT NULL CHECK (kind IN ('media', 'organisational', 'sponsor', 'content')),
    answers         TEXT NOT NULL,   -- the form's answers (status, audience, reach, package), JSON
    brought         INTEGER,         -- participants it brought, from the report
    added_by        INTEGER NOT NULL,
    added_at        TEXT NOT NULL,
    removed_at      TEXT
);
CREATE INDEX copartners_application ON copartners (application_id);
CREATE INDEX copartners_partner ON copartners (partner_id, kind, name_key);

-- One row per promise of the package: what the co-partner owes ('them': an announcement, a
-- post-material, money) or what the partner owes it ('us': a logo, a photo report).
CREATE TABLE copartner_promises (
    id              INTEGER PRIMARY KEY,
    copartner_id    INTEGER NOT NULL REFERENCES copartners (id),
    item            TEXT NOT NULL,
    owed_by         TEXT NOT NULL CHECK (owed_by IN ('us', 'them')),
    due_on          TEXT NOT NULL,
    done_at         TEXT,
    done_by         INTEGER,
    proof_url       TEXT,
    proof_file_id   INTEGER REFERENCES files (id),
    UNIQUE (copartner_id, item)
);

-- A reminder about one open promise names it, so a kept promise cancels its reminders.
ALTER TABLE reminders ADD COLUMN promise_id INTEGER REFERENCES copartner_promises (id);
