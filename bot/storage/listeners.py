"""Listener lists (personal data). Explicit SQL; never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite


@dataclass(frozen=True, slots=True)
class ListenerList:
    report_id: int
    state: str
    file_id: str | None
    path: str | None
    delete_after: str | None


_SELECT = "SELECT report_id, state, file_id, path, delete_after FROM listener_lists"


async def of_report(conn: aiosqlite.Connection, report_id: int) -> ListenerList | None:
    async with conn.execute(f"{_SELECT} WHERE report_id = ?", (report_id,)) as cursor:
        row = await cursor.fetchone()
    return ListenerList(*row) if row else None


async def requested_for_partner(conn: aiosqlite.Connection,
                                partner_id: int) -> ListenerList | None:
    async with conn.execute(
        f"{_SELECT} WHERE state = 'requested' AND report_id IN"
        " (SELECT id FROM reports WHERE partner_id = ?) ORDER BY requested_at DESC LIMIT 1",
        (partner_id,),
    ) as cursor:
        row = await cursor.fetchone()
    return ListenerList(*row) if row else None


async def request(conn: aiosqlite.Connection, report_id: int, by: int, now: datetime) -> bool:
    cursor = await conn.execute(
        "INSERT INTO listener_lists (report_id, state, requested_by, requested_at)"
        " VALUES (?, 'requested', ?, ?) ON CONFLICT (report_id) DO NOTHING",
        (report_id, by, now.isoformat()),
    )
    return cursor.rowcount == 1


async def settle(conn: aiosqlite.Connection, report_id: int, *, state: str,
                 file_id: str | None, path: str | None, now: datetime,
                 delete_after: datetime | None) -> bool:
    cursor = await conn.execute(
        "UPDATE listener_lists SET state = ?, file_id = ?, path = ?, received_at = ?,"
        " delete_after = ? WHERE report_id = ? AND state = 'requested'",
        (state, file_id, path, now.isoformat(),
         delete_after.isoformat() if delete_after else None, report_id),
    )
    return cursor.rowcount == 1


async def due_for_deletion(conn: aiosqlite.Connection, now: datetime) -> list[ListenerList]:
    async with conn.execute(
        f"{_SELECT} WHERE state = 'received' AND delete_after <= ?", (now.isoformat(),)
    ) as cursor:
        return [ListenerList(*row) for row in await cursor.fetchall()]


async def mark_deleted(conn: aiosqlite.Connection, report_id: int) -> None:
    await conn.execute(
        "UPDATE listener_lists SET state = 'deleted', file_id = NULL, path = NULL"
        " WHERE report_id = ?",
        (report_id,),
    )
