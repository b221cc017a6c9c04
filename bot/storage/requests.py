"""Partners' requests besides applications, and their cards. Never commits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

OPEN = ("pending", "accepted")  # a request in one of these stands; another one would repeat it


@dataclass(frozen=True, slots=True)
class RequestRow:
    id: int
    kind: str
    partner_id: int
    author_id: int
    application_id: int | None
    invitation_id: int | None
    role: str
    status: str
    version: int
    answers: dict[str, Any]
    submitted_at: str
    decided_by: int | None
    decided_at: str | None
    reason: str | None
    possible_from: str | None
    shown_from: str | None
    shown_until: str | None


_SELECT = (
    "SELECT id, kind, partner_id, author_id, application_id, invitation_id, role, status,"
    " version, answers, submitted_at, decided_by, decided_at, reason, possible_from, shown_from,"
    " shown_until FROM requests"
)


def _row(row: Any) -> RequestRow:
    values = list(row)
    values[9] = json.loads(values[9])
    return RequestRow(*values)


async def insert(
    conn: aiosqlite.Connection, *, kind: str, partner_id: int, author_id: int,
    application_id: int | None, invitation_id: int | None, role: str, answers: dict[str, Any],
    now: datetime,
) -> int:
    cursor = await conn.execute(
        "INSERT INTO requests (kind, partner_id, author_id, application_id, invitation_id, role,"
        " status, answers, submitted_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
        (kind, partner_id, author_id, application_id, invitation_id, role,
         json.dumps(answers, ensure_ascii=False), now.isoformat()),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def get(conn: aiosqlite.Connection, request_id: int) -> RequestRow | None:
    async with conn.execute(f"{_SELECT} WHERE id = ?", (request_id,)) as cursor:
        row = await cursor.fetchone()
    return _row(row) if row else None


async def latest_for(conn: aiosqlite.Connection, kind: str, *, application_id: int | None = None,
                     invitation_id: int | None = None,
                     partner_id: int | None = None) -> RequestRow | None:
    """The newest request of a kind for an event (or an invitation) of a partner."""
    async with conn.execute(
        f"{_SELECT} WHERE kind = ? AND application_id IS ? AND invitation_id IS ?"
        " AND (? IS NULL OR partner_id = ?) ORDER BY id DESC LIMIT 1",
        (kind, application_id, invitation_id, partner_id, partner_id),
    ) as cursor:
        row = await cursor.fetchone()
    return _row(row) if row else None


async def of_partner(conn: aiosqlite.Connection, partner_id: int, kind: str,
                     statuses: tuple[str, ...]) -> list[RequestRow]:
    marks = ", ".join("?" for _ in statuses)
    async with conn.execute(
        f"{_SELECT} WHERE partner_id = ? AND kind = ? AND status IN ({marks}) ORDER BY id",
        (partner_id, kind, *statuses),
    ) as cursor:
        return [_row(row) for row in await cursor.fetchall()]


async def of_kind(conn: aiosqlite.Connection, kind: str,
                  statuses: tuple[str, ...]) -> list[RequestRow]:
    marks = ", ".join("?" for _ in statuses)
    async with conn.execute(
        f"{_SELECT} WHERE kind = ? AND status IN ({marks}) ORDER BY partner_id, id",
        (kind, *statuses),
    ) as cursor:
        return [_row(row) for row in await cursor.fetchall()]


async def decide(
    conn: aiosqlite.Connection, request_id: int, *, version: int, status: str, by: int,
    reason: str | None, now: datetime, possible_from: str | None = None,
    shown_from: str | None = None, shown_until: str | None = None,
) -> bool:
    """Compare-and-set from `pending` (this version only)."""
    cursor = await conn.execute(
        "UPDATE requests SET status = ?, decided_by = ?, decided_at = ?, reason = ?,"
        " possible_from = ?, shown_from = ?, shown_until = ?"
        " WHERE id = ? AND version = ? AND status = 'pending'",
        (status, by, now.isoformat(), reason, possible_from, shown_from, shown_until,
         request_id, version),
    )
    return cursor.rowcount == 1


async def resubmit(conn: aiosqlite.Connection, request_id: int, *, answers: dict[str, Any],
                   author_id: int, now: datetime) -> bool:
    """Sent back → pending again with the new answers, as the next version."""
    cursor = await conn.execute(
        "UPDATE requests SET status = 'pending', answers = ?, author_id = ?, submitted_at = ?,"
        " version = version + 1, decided_by = NULL, decided_at = NULL, reason = NULL"
        " WHERE id = ? AND status = 'returned'",
        (json.dumps(answers, ensure_ascii=False), author_id, now.isoformat(), request_id),
    )
    return cursor.rowcount == 1


async def add_card(conn: aiosqlite.Connection, *, chat_id: int, message_id: int,
                   request_id: int, version: int) -> None:
    await conn.execute(
        "INSERT OR REPLACE INTO request_cards (chat_id, message_id, request_id, version)"
        " VALUES (?, ?, ?, ?)",
        (chat_id, message_id, request_id, version),
    )


async def cards_of(conn: aiosqlite.Connection, request_id: int,
                   version: int) -> list[tuple[int, int]]:
    async with conn.execute(
        "SELECT chat_id, message_id FROM request_cards WHERE request_id = ? AND version = ?",
        (request_id, version),
    ) as cursor:
        return [(int(r[0]), int(r[1])) for r in await cursor.fetchall()]
