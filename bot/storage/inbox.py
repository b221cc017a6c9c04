"""Repository of the inbox: updates as they arrived, until handled. Explicit SQL; never commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import aiosqlite

from bot.storage.database import Database

RECEIVED, HANDLED, UNPARSEABLE = "received", "handled", "unparseable"


@dataclass(frozen=True, slots=True)
class Arrival:
    """One update as it came: its id, the digest of its JSON, the JSON, and whether it parsed."""

    update_id: int
    digest: str
    raw: str
    state: str = RECEIVED

    @property
    def key(self) -> tuple[int, str]:
        return self.update_id, self.digest


async def store_new(conn: aiosqlite.Connection, arrivals: Sequence[Arrival],
                    at: str) -> list[Arrival]:
    """Insert the arrivals the inbox does not hold yet (id and digest); returns those."""
    if not arrivals:
        return []
    ids = sorted({a.update_id for a in arrivals})
    marks = ",".join("?" * len(ids))
    seen = {(int(row[0]), str(row[1])) for row in await conn.execute_fetchall(
        f"SELECT update_id, digest FROM inbox WHERE update_id IN ({marks})", ids)}
    fresh: list[Arrival] = []
    for one in arrivals:
        if one.key not in seen:
            seen.add(one.key)
            fresh.append(one)
    await conn.executemany(
        "INSERT OR IGNORE INTO inbox (update_id, digest, state, received_at, raw)"
        " VALUES (?, ?, ?, ?, ?)",
        [(a.update_id, a.digest, a.state, at, a.raw) for a in fresh])
    return fresh


async def mark_handled(conn: aiosqlite.Connection, done: Iterable[tuple[int, str]]) -> None:
    """`done`: (update id, when). The JSON goes: it held names and texts, and is not needed."""
    await conn.executemany(
        "UPDATE inbox SET state = 'handled', handled_at = ?, raw = NULL"
        " WHERE update_id = ? AND state = 'received'",
        [(at, update_id) for update_id, at in done])


async def waiting(db: Database) -> list[tuple[int, str]]:
    """(update id, JSON) of the updates stored and not yet handled, in arrival order."""
    rows = await db.fetch_all(
        "SELECT update_id, raw FROM inbox WHERE state = 'received' ORDER BY id")
    return [(int(row[0]), str(row[1])) for row in rows]


async def delete_before(conn: aiosqlite.Connection, before: str) -> int:
    """Rows received before `before` and done with (handled or unparseable)."""
    cursor = await conn.execute(
        "DELETE FROM inbox WHERE received_at < ? AND state != 'received'", (before,))
    return cursor.rowcount


async def last_handled(db: Database) -> str | None:
    """When the newest handled update was handled (the newest rows come last)."""
    row = await db.fetch_one(
        "SELECT handled_at FROM inbox WHERE state = 'handled' ORDER BY id DESC LIMIT 1")
    return str(row[0]) if row and row[0] is not None else None
