"""Handled updates: answered from memory, written in the background, found again after a
restart; a recycled id with new content is never taken for a repeat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.services import updates
from bot.services.updates import HandledUpdates
from bot.storage.database import Database

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


async def table(db: Database) -> list[tuple[int, str]]:
    rows = await db.fetch_all("SELECT update_id, digest FROM processed_updates ORDER BY update_id")
    return [(row[0], row[1]) for row in rows]


async def restarted(db: Database, now: datetime = NOW) -> HandledUpdates:
    again = HandledUpdates(db)
    await again.load(now)
    return again


async def test_an_update_handled_here_is_a_repeat_only_with_the_same_content(
    db: Database,
) -> None:
    seen = await restarted(db)
    assert not await seen.handled(7, "aaa", NOW)
    seen.remember(7, "aaa", NOW)
    assert await seen.handled(7, "aaa", NOW)
    assert not await seen.handled(7, "bbb", NOW)  # the id came back with another update
    await seen.flush()
    assert await table(db) == [(7, "aaa")]


async def test_records_written_in_the_background_are_all_there_and_found_after_a_restart(
    db: Database,
) -> None:
    seen = await restarted(db)
    for update_id in range(100, 400):
        seen.remember(update_id, f"d{update_id}", NOW)
    await seen.flush()
    assert len(await table(db)) == 300

    after = await restarted(db, NOW + timedelta(hours=1))
    assert await after.handled(250, "d250", NOW + timedelta(hours=1))
    assert not await after.handled(250, "other", NOW + timedelta(hours=1))
    assert not await after.handled(400, "d400", NOW + timedelta(hours=1))
    # past KEEP an id is forgotten: Telegram may have restarted the ids
    late = NOW + updates.KEEP + timedelta(minutes=1)
    assert not await (await restarted(db, late)).handled(250, "d250", late)


async def test_ids_pushed_out_of_memory_are_still_found_in_the_table(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(updates, "IN_MEMORY", 10)
    seen = await restarted(db)
    for update_id in range(1, 31):
        seen.remember(update_id, f"d{update_id}", NOW)
    await seen.flush()
    assert await seen.handled(3, "d3", NOW)
    assert await seen.handled(29, "d29", NOW)
    assert not await seen.handled(31, "d31", NOW)


async def test_a_recycled_id_replaces_the_old_record(db: Database) -> None:
    seen = await restarted(db)
    seen.remember(5, "old", NOW)
    await seen.flush()
    after = await restarted(db, NOW + timedelta(days=1))
    after.remember(5, "new", NOW + timedelta(days=1))
    await after.flush()
    assert await table(db) == [(5, "new")]
    assert await (await restarted(db)).handled(5, "new", NOW + timedelta(days=1))
