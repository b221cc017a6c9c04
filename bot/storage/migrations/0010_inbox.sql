-- The inbox: every update is stored here before Telegram is told it arrived (polling: before
-- the next getUpdates confirms it; webhook: before the 200), and handled from here. A kill at
-- any moment loses no update: on start the rows still `received` are handled first.
--
-- It is also the record of updates already seen, so `processed_updates` goes: a second
-- delivery of a stored update (same id, same content) is not handled again. Ids are not
-- forever (Telegram restarts them at random after a week without updates, a local Bot API
-- server at every start), so a repeat must match the digest of the content too; rows are
-- pruned after a few days.
CREATE TABLE inbox (
    id          INTEGER PRIMARY KEY,    -- arrival order
    update_id   INTEGER NOT NULL,
    digest      TEXT NOT NULL,          -- of the update's JSON: a re-delivery is identical
    state       TEXT NOT NULL DEFAULT 'received'
                CHECK (state IN ('received', 'handled', 'unparseable')),
    received_at TEXT NOT NULL,          -- UTC, YYYY-MM-DDTHH:MM:SSZ
    handled_at  TEXT,
    raw         TEXT                    -- the update's JSON; emptied once handled (it holds
                                        -- names and texts); kept for an unparseable one
);
CREATE UNIQUE INDEX inbox_update ON inbox (update_id, digest);
CREATE INDEX inbox_waiting ON inbox (id) WHERE state = 'received';
CREATE INDEX inbox_received_at ON inbox (received_at);

DROP TABLE processed_updates;
