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


_SELECT = (
    "SELECT id, partner_id, author_id, kind, title, event_date, status, answers, assessment,"
    " rulebook, submitted_at, updated_at FROM applications"
)


def _row(row: aiosqlite.Row | tuple[Any, ...]) -> ApplicationRow:
    values = list(row)
    values[7] = json.loads(values[7])
    values[8] = json.loads(values[8])
    return ApplicationRow(*values)


async def insert(
    conn: aiosqlite.Connection, *, partner_id: int, author_id: int, kind: str, title: str,
    event_date: str, answers: dict[str, Any], assessment: dict[str, Any], rulebook: str,
    now: datetime,
) -> int:
    cursor = await conn.execute(
        "INSERT INTO applications (partner_id, author_id, kind, title, event_date, status,"
        " answers, assessment, rulebook, submitted_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)",
        (partner_id, author_id, kind, title, event_date, json.dumps(answers, ensure_ascii=False),
         json.dumps(assessment, ensure_ascii=False), rulebook, now.isoformat(), now.isoformat()),
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
