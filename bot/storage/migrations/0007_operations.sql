-- Operations: updates already handled (Telegram may deliver one twice), and scans deleted when
-- their retention period ends.

-- One row per update whose handling finished; a second delivery of it is skipped. Ids are
-- not forever: Telegram restarts them at random after a week without updates (and a local Bot
-- API server at every start), so a repeat must also match the digest of the update's content,
-- and rows are pruned after a few days.
CREATE TABLE processed_updates (
    update_id   INTEGER PRIMARY KEY,
    digest      TEXT NOT NULL,          -- of the update's JSON: a re-delivery is identical
    seen_at     TEXT NOT NULL           -- UTC, YYYY-MM-DDTHH:MM:SSZ
);
CREATE INDEX processed_updates_seen ON processed_updates (seen_at);

-- Accounting scans are deleted from disk after PARTNERDESK_SCAN_YEARS; the row stays, marked.
ALTER TABLE files ADD COLUMN deleted_at TEXT;
