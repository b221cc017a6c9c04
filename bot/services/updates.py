"""The inbox of updates: each stored before Telegram is told it arrived, and handled from there.

Long polling confirms a batch when the *next* getUpdates passes a higher offset; a webhook post
is confirmed by its 200. Storing first (one transaction per batch) means a kill at any moment
loses nothing: what was stored and not handled is handled when the bot starts again
(`waiting`), and what Telegram sends again after the kill is already stored, so it is not
handled twice (`store` leaves it out). So the inbox is also the record of updates seen.

Ids are not forever: Telegram restarts them at random after a week without updates, and a
local Bot API server at every start. A repeat must therefore carry the same content (the digest
of its JSON), and rows older than `KEEP` are pruned: a recycled id never makes a new update
look like a repeat.

Marking an update handled is kept off its path: the marks are written in the background, many
in one transaction when updates come fast. An update finished in the moment before a crash may
so stay `received` and is handled again at the next start, which the services make harmless
(status compare-and-set, unique keys).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial

from bot.storage import inbox
from bot.storage.database import Database
from bot.storage.inbox import RECEIVED, UNPARSEABLE, Arrival

KEEP = timedelta(days=6)  # under the week of silence after which Telegram restarts the ids
MAX_UPDATE_ID = 2**63 - 1

log = logging.getLogger(__name__)


def stamp(moment: datetime) -> str:
    """UTC, to the second, sortable as text: `2025-03-01T09:30:00Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def valid_update_id(data: object) -> int | None:
    """The update id of what claims to be an update: a JSON object with a positive 64-bit
    integer `update_id`; None for anything else."""
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if type(update_id) is not int or not 0 < update_id <= MAX_UPDATE_ID:
        return None
    return update_id


def arrival(data: dict[str, object], update_id: int, *, parsed: bool) -> Arrival:
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()
    return Arrival(update_id, digest, raw, RECEIVED if parsed else UNPARSEABLE)


class Inbox:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._pending: list[tuple[int, str]] = []  # (update id, when handled)
        self._writer: asyncio.Task[None] | None = None

    async def store(self, arrivals: Sequence[Arrival], now: datetime) -> list[Arrival]:
        """Store the updates in one transaction, committed on return. Returns those new to the
        inbox (to handle); a repeat of a stored update is left out."""
        if not arrivals:
            return []
        at = stamp(now)
        return await self.db.atomically(lambda conn: inbox.store_new(conn, arrivals, at))

    async def waiting(self) -> list[tuple[int, str]]:
        """(update id, JSON) of the updates stored but not handled (a kill), oldest first."""
        return await inbox.waiting(self.db)

    def handled(self, update_id: int, now: datetime) -> None:
        """Record that the update's handling finished; the row is written in the background."""
        self._pending.append((update_id, stamp(now)))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_pending())

    async def flush(self) -> None:
        """Wait until every mark so far is written (before the database closes)."""
        while self._writer is not None and not self._writer.done():
            await self._writer

    async def _write_pending(self) -> None:
        while self._pending:
            done, self._pending = self._pending, []
            try:
                await self.db.atomically(partial(inbox.mark_handled, done=done))
            except Exception:  # handled all the same; only a restart would handle them again
                log.warning("could not mark %d updates handled", len(done), exc_info=True)


async def prune(db: Database, now: datetime) -> int:
    """Forget updates received more than `KEEP` ago and done with; returns how many."""
    async with db.transaction() as conn:
        return await inbox.delete_before(conn, stamp(now - KEEP))


async def last_seen(db: Database) -> str | None:
    """When the last update finished handling (UTC stamp), or None."""
    return await inbox.last_handled(db)
