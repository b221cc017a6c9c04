-- RULEBOOK §7: in a Federal Program month the manager may approve an application with its info
-- support paused; the announcement is then not published (the bot never pauses it by itself).
ALTER TABLE decisions ADD COLUMN info_support_paused INTEGER NOT NULL DEFAULT 0;
