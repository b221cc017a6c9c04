"""Each update once: the ids of updates already handled, remembered for a few days.

Telegram delivers at least once: after a crash (or a webhook answer that got lost) the same
update can come again. An id is recorded when its handling *finished*, so an update
interrupted by a crash is handled again when it comes back (the services' compare-and-set
and unique keys keep that harmless), and one that finished is skipped.

Ids are not forever: Telegram restarts them at random after a week without updates, and a
local Bot API server restarts them at every start. So a repeat must also carry the same
content (its digest), and rows older than `KEEP` are ignored and pruned: a recycled id never
makes a new update look like a repeat.

`HandledUpdates` keeps this off the path of every update: the ids handled by this process are
answered from memory, the table is read only for an id not above the newest one it held at
start (what a restart may see again), and records are written in the background, many in one
transaction when updates come fast. An update finished in the moment before a crash may so go
unrecorded; it is then handled again, which the services make harmless (see above).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from datetime import UTC, datetime, timedelta

from bot.storage.database import Database

KEEP = timedelta(days=6)  # under the week of silence after which Telegram restarts the ids
IN_MEMORY = 10_000  # ids; a re-delivery concerns the last few, older ones go to the table

log = logging.getLogger(__name__)


def stamp(moment: datetime) -> str:
    """UTC, to the second, sortable as text: `2025-03-01T09:30:00Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class HandledUpdates:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._recent: OrderedDict[int, str] = OrderedDict()  # update id → digest, this process
        self._stored_up_to: int | None = None  # the newest id the table may hold, outside memory
        self._pending: list[tuple[int, str, str]] = []
        self._writer: asyncio.Task[None] | None = None

    async def load(self, now: datetime) -> None:
        row = await self.db.fetch_one(
            "SELECT MAX(update_id) FROM processed_updates WHERE seen_at >= ?",
            (stamp(now - KEEP),))
        self._stored_up_to = int(row[0]) if row and row[0] is not None else None

    async def handled(self, update_id: int, digest: str, now: datetime) -> bool:
        """Whether this very update (id and content) finished handling within the last `KEEP`."""
        if update_id in self._recent:
            return self._recent[update_id] == digest
        if self._stored_up_to is None or update_id > self._stored_up_to:
            return False
        return await handled(self.db, update_id, digest, now)

    def remember(self, update_id: int, digest: str, now: datetime) -> None:
        """Record that the update's handling finished; the row is written in the background."""
        self._recent[update_id] = digest
        self._recent.move_to_end(update_id)
        if len(self._recent) > IN_MEMORY:
            oldest, _ = self._recent.popitem(last=False)
            self._stored_up_to = (oldest if self._stored_up_to is None
                                  else max(self._stored_up_to, oldest))
        self._pending.append((update_id, digest, stamp(now)))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_pending())

    async def flush(self) -> None:
        """Wait until every record so far is written (before the database closes)."""
        while self._writer is not None and not self._writer.done():
            await self._writer

    async def _write_pending(self) -> None:
        while self._pending:
            rows, self._pending = self._pending, []
            try:
                async with self.db.transaction() as conn:
                    await conn.executemany(_UPSERT, rows)
            except Exception:  # the updates were handled; only a repeat would go unnoticed
                log.warning("could not record %d handled updates", len(rows), exc_info=True)


_UPSERT = ("INSERT INTO processed_updates (update_id, digest, seen_at) VALUES (?, ?, ?)"
           " ON CONFLICT (update_id) DO UPDATE SET digest = excluded.digest,"
           " seen_at = excluded.seen_at")


async def handled(db: Database, update_id: int, digest: str, now: datetime) -> bool:
    """Whether the table holds this very update (id and content) from within the last `KEEP`."""
    row = await db.fetch_one(
        "SELECT 1 FROM processed_updates WHERE update_id = ? AND digest = ? AND seen_at >= ?",
        (update_id, digest, stamp(now - KEEP)),
    )
    return row is not None


async def prune(db: Database, now: datetime) -> int:
    """Forget ids older than `KEEP`; returns how many."""
    async with db.transaction() as conn:
        cursor = await conn.execute("DELETE FROM processed_updates WHERE seen_at < ?",
                                    (stamp(now - KEEP),))
        return cursor.rowcount


async def last_seen(db: Database) -> str | None:
    """When the last update finished handling (UTC stamp), or None."""
    row = await db.fetch_one("SELECT MAX(seen_at) FROM processed_updates")
    return str(row[0]) if row and row[0] is not None else None
