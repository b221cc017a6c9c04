-- The copies of a joining card (a new employee to confirm), so that the first decision closes
-- every other copy: its buttons gone, who decided said.
CREATE TABLE join_cards (
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    member_id   INTEGER NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX join_cards_member ON join_cards (member_id);
