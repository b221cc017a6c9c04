"""Applications (pre-approval requests). Explicit SQL; never commits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite


@dataclass(frozen=True, slots=True)
class ApplicationRow:
    id: int
    partner_id: int
    author_id: int
    kind: str
    title: str
    event_date: str
    status: str
    answers: dict[str, Any]
    assessment: dict[str, Any]
    rulebook: str
    submitted_at: str
    updated_at: str
    role: str
    version: int
    escalated_at: str | None


_SELECT = (
    "SELECT id, partner_id, author_id, kind, title, event_date, status, answers, assessment,"
    " rulebook, submitted_at, updated_at, role, version, escalated_at FROM applications"
)


def _row(row: aiosqlite.Row | tuple[Any, ...]) -> ApplicationRow:
    values = list(row)
    values[7] = json.loads(values[7])
    values[8] = json.loads(values[8])
    return ApplicationRow(*values)


async def insert(
    conn: aiosqlite.Connection, *, partner_id: int, author_id: int, kind: str, title: str,
    event_date: str, answers: dict[str, Any], assessment: dict[str, Any], rulebook: str,
    role: str, now: datetime,
) -> int:
    cursor = await conn.execute(
        "INSERT INTO applications (partner_id, author_id, kind, title, event_date, status,"
        " answers, assessment, rulebook, submitted_at, updated_at, role)"
        " VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)",
        (partner_id, author_id, kind, title, event_date, json.dumps(answers, ensure_ascii=False),
         json.dumps(assessment, ensure_ascii=False), rulebook, now.isoformat(), now.isoformat(),
         role),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def get(conn: aiosqlite.Connection, application_id: int) -> ApplicationRow | None:
    async with conn.execute(f"{_SELECT} WHERE id = ?", (application_id,)) as cursor:
        row = await cursor.fetchone()
    return _row(row) if row else None


async def of_partner(conn: aiosqlite.Connection, partner_id: int) -> list[ApplicationRow]:
    async with conn.execute(
        f"{_SELECT} WHERE partner_id = ? ORDER BY event_date DESC, id DESC", (partner_id,)
    ) as cursor:
        return [_row(row) for row in await cursor.fetchall()]


async def newest_of_kind(conn: aiosqlite.Connection, partner_id: int,
                         kind: str) -> ApplicationRow | None:
    """The partner's last application of this kind, whatever became of it."""
    async with conn.execute(
        f"{_SELECT} WHERE partner_id = ? AND kind = ? ORDER BY id DESC LIMIT 1",
        (partner_id, kind),
    ) as cursor:
        row = await cursor.fetchone()
    return _row(row) if row else None


async def set_status(
    conn: aiosqlite.Connection, application_id: int, *, expected: tuple[str, ...], status: str,
    now: datetime,
) -> bool:
    """Compare-and-set: changes the status only from one of `expected`."""
    marks = ", ".join("?" for _ in expected)
    cursor = await conn.execute(
        f"UPDATE applications SET status = ?, updated_at = ? WHERE id = ? AND status IN ({marks})",
        (status, now.isoformat(), application_id, *expected),
    )
    return cursor.rowcount == 1


async def resubmit(
    conn: aiosqlite.Connection, application_id: int, *, title: str, event_date: str,
    answers: dict[str, Any], assessment: dict[str, Any], rulebook: str, now: datetime,
) -> bool:
    """Changes requested → pending again with the new answers, as the next version."""
    cursor = await conn.execute(
        "UPDATE applications SET status = 'pending', title = ?, event_date = ?, answers = ?,"
        " assessment = ?, rulebook = ?, submitted_at = ?, updated_at = ?, version = version + 1,"
        " escalated_at = NULL WHERE id = ? AND status = 'changes_requested'",
        (title, event_date, json.dumps(answers, ensure_ascii=False),
         json.dumps(assessment, ensure_ascii=False), rulebook, now.isoformat(), now.isoformat(),
         application_id),
    )
    return cursor.rowcount == 1


async def pending(
    conn: aiosqlite.Connection, roles: tuple[str, ...] | None
) -> list[ApplicationRow]:
    """Waiting for a decision, oldest first; `roles` None means every role (the head)."""
    params: tuple[str, ...] = ()
    if roles is None:
        where = "status = 'pending'"
    else:
        marks = ", ".join("?" for _ in roles)
        where, params = f"status = 'pending' AND role IN ({marks})", roles
    async with conn.execute(f"{_SELECT} WHERE {where} ORDER BY submitted_at, id", params) as cur:
        return [_row(row) for row in await cur.fetchall()]


async def mark_escalated(conn: aiosqlite.Connection, application_id: int, now: datetime) -> bool:
    cursor = await conn.execute(
        "UPDATE applications SET escalated_at = ? WHERE id = ? AND status = 'pending'"
        " AND escalated_at IS NULL",
        (now.isoformat(), application_id),
    )
    return cursor.rowcount == 1


async def set_role(conn: aiosqlite.Connection, application_id: int, role: str,
                   now: datetime) -> None:
    await conn.execute("UPDATE applications SET role = ?, updated_at = ? WHERE id = ?",
                       (role, now.isoformat(), application_id))
