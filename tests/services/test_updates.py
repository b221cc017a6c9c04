"""The inbox: a batch stored in one transaction, a repeat left out, a recycled id with new
content taken as new, what a kill left waiting found again, handled rows emptied and pruned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.services import updates
from bot.services.updates import Inbox, arrival, valid_update_id
from bot.storage.database import Database
from bot.storage.inbox import Arrival

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def message(update_id: int, text: str = "hi") -> Arrival:
    return arrival({"update_id": update_id, "message": {"text": text}}, update_id, parsed=True)


async def table(db: Database) -> list[tuple[int, str, bool]]:
    rows = await db.fetch_all("SELECT update_id, state, raw IS NOT NULL FROM inbox ORDER BY id")
    return [(row[0], row[1], bool(row[2])) for row in rows]


async def test_a_batch_is_stored_and_a_repeat_of_a_stored_update_is_left_out(
    db: Database,
) -> None:
    inbox = Inbox(db)
    first = [message(7), message(8)]
    assert await inbox.store(first, NOW) == first
    again = [message(8), message(9)]  # Telegram sends 8 again (its confirmation was lost)
    assert await inbox.store(again, NOW) == [again[1]]
    assert await table(db) == [(7, "received", True), (8, "received", True),
                               (9, "received", True)]


async def test_a_recycled_id_with_new_content_is_a_new_update(db: Database) -> None:
    inbox = Inbox(db)
    await inbox.store([message(5, "old")], NOW)
    inbox.handled(5, NOW)
    await inbox.flush()
    new = message(5, "new")
    assert await inbox.store([new], NOW + timedelta(days=8)) == [new]
    assert await inbox.waiting() == [(5, new.raw)]


async def test_what_was_stored_and_not_handled_waits_in_arrival_order(db: Database) -> None:
    inbox = Inbox(db)
    await inbox.store([message(300), message(12), message(40)], NOW)
    inbox.handled(12, NOW)
    await inbox.flush()
    after_a_kill = Inbox(db)
    assert [update_id for update_id, _ in await after_a_kill.waiting()] == [300, 40]


async def test_marks_written_in_the_background_are_all_there_and_empty_the_json(
    db: Database,
) -> None:
    inbox = Inbox(db)
    await inbox.store([message(n) for n in range(100, 400)], NOW)
    for update_id in range(100, 400):
        inbox.handled(update_id, NOW)
    await inbox.flush()
    assert await inbox.waiting() == []
    assert {row[1:] for row in await table(db)} == {("handled", False)}
    assert await updates.last_seen(db) == "2026-03-02T09:30:00Z"


async def test_an_unparseable_update_keeps_its_json_and_is_never_waiting(db: Database) -> None:
    inbox = Inbox(db)
    bad = arrival({"update_id": 3, "message": "?"}, 3, parsed=False)
    await inbox.store([bad], NOW)
    assert await inbox.waiting() == []
    assert await table(db) == [(3, "unparseable", True)]


async def test_pruning_forgets_old_rows_done_with_and_keeps_waiting_ones(db: Database) -> None:
    inbox = Inbox(db)
    await inbox.store([message(1), message(2)], NOW)
    inbox.handled(1, NOW)
    await inbox.flush()
    await inbox.store([message(3)], NOW + timedelta(days=5))
    inbox.handled(3, NOW)
    await inbox.flush()
    assert await updates.prune(db, NOW + updates.KEEP + timedelta(minutes=1)) == 1
    assert [row[0] for row in await table(db)] == [2, 3]


@pytest.mark.parametrize(("body", "expected"), [
    ({"update_id": 1}, 1),
    ({"update_id": 2**63 - 1, "message": {}}, 2**63 - 1),
    ({"update_id": 0}, None),
    ({"update_id": -5}, None),
    ({"update_id": 2**63}, None),
    ({"update_id": "5"}, None),
    ({"update_id": 5.0}, None),
    ({"update_id": True}, None),
    ({"update_id": None}, None),
    ({"message": {}}, None),
    ([{"update_id": 1}], None),
    ("update", None),
])
def test_an_update_id_is_a_positive_64_bit_integer_of_a_json_object(
    body: object, expected: int | None
) -> None:
    assert valid_update_id(body) == expected
