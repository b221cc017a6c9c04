"""Each update once: the ids of updates already handled, remembered for a few days.

Telegram delivers at least once: after a crash (or a webhook answer that got lost) the same
update can come again. An id is recorded when its handling *finished*, so an update
interrupted by a crash is handled again when it comes back (the services' compare-and-set
and unique keys keep that harmless), and one that finished is skipped.

Ids are not forever: Telegram restarts them at random after a week without updates, and a
local Bot API server restarts them at every start. So a repeat must also carry the same
content (its digest), and rows older than `KEEP` are ignored and pruned: a recycled id never
makes a new update look like a repeat.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.storage.database import Database

KEEP = timedelta(days=6)  # under the week of silence after which Telegram restarts the ids


def stamp(moment: datetime) -> str:
    """UTC, to the second, sortable as text: `2025-03-01T09:30:00Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def handled(db: Database, update_id: int, digest: str, now: datetime) -> bool:
    """Whether this very update (id and content) finished handling within the last `KEEP`."""
    row = await db.fetch_one(
        "SELECT 1 FROM processed_updates WHERE update_id = ? AND digest = ? AND seen_at >= ?",
        (update_id, digest, stamp(now - KEEP)),
    )
    return row is not None


async def remember(db: Database, update_id: int, digest: str, now: datetime) -> None:
    """Record that the update's handling finished (a row with a recycled id is replaced)."""
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO processed_updates (update_id, digest, seen_at) VALUES (?, ?, ?)"
            " ON CONFLICT (update_id) DO UPDATE SET digest = excluded.digest,"
            " seen_at = excluded.seen_at",
            (update_id, digest, stamp(now)),
        )


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
