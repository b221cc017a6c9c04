"""The vendor's invitations to its own events and partners' answers. Never commits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite


@dataclass(frozen=True, slots=True)
class InvitationRow:
    id: int
    answers: dict[str, Any]
    event_date: str
    created_by: int
    created_at: str
    sent_to: int


_SELECT = "SELECT id, answers, event_date, created_by, created_at, sent_to FROM invitations"


def _row(row: Any) -> InvitationRow:
    values = list(row)
    values[1] = json.loads(values[1])
    return InvitationRow(*values)


async def insert(conn: aiosqlite.Connection, *, answers: dict[str, Any], event_date: str,
                 created_by: int, now: datetime) -> int:
    cursor = await conn.execute(
        "INSERT INTO invitations (answers, event_date, created_by, created_at) VALUES (?, ?, ?, ?)",
        (json.dumps(answers, ensure_ascii=False), event_date, created_by, now.isoformat()),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def get(conn: aiosqlite.Connection, invitation_id: int) -> InvitationRow | None:
    async with conn.execute(f"{_SELECT} WHERE id = ?", (invitation_id,)) as cursor:
        row = await cursor.fetchone()
    return _row(row) if row else None


async def set_sent_to(conn: aiosqlite.Connection, invitation_id: int, count: int) -> None:
    await conn.execute("UPDATE invitations SET sent_to = ? WHERE id = ?", (count, invitation_id))


async def recipients(conn: aiosqlite.Connection) -> list[tuple[int, int]]:
    """(telegram id, partner id) of every active employee of a partner not suspended."""
    async with conn.execute(
        "SELECT m.telegram_id, m.partner_id FROM members m JOIN partners p ON p.id = m.partner_id"
        " WHERE m.state = 'active' AND p.suspended_at IS NULL ORDER BY m.partner_id, m.created_at",
    ) as cursor:
        return [(int(r[0]), int(r[1])) for r in await cursor.fetchall()]


async def answer(conn: aiosqlite.Connection, *, invitation_id: int, partner_id: int,
                 answer: str, by_id: int, now: datetime) -> str | None:
    """Record the partner's answer; returns the one it replaces (None: the first)."""
    async with conn.execute(
        "SELECT answer FROM invitation_answers WHERE invitation_id = ? AND partner_id = ?",
        (invitation_id, partner_id),
    ) as cursor:
        before = await cursor.fetchone()
    await conn.execute(
        "INSERT INTO invitation_answers (invitation_id, partner_id, answer, by_id, at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (invitation_id, partner_id) DO UPDATE SET"
        " answer = excluded.answer, by_id = excluded.by_id, at = excluded.at",
        (invitation_id, partner_id, answer, by_id, now.isoformat()),
    )
    return str(before[0]) if before else None


async def tally(conn: aiosqlite.Connection, invitation_id: int) -> dict[str, int]:
    async with conn.execute(
        "SELECT answer, COUNT(*) FROM invitation_answers WHERE invitation_id = ? GROUP BY answer",
        (invitation_id,),
    ) as cursor:
        return {str(r[0]): int(r[1]) for r in await cursor.fetchall()}
