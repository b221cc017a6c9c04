"""Reports after events. Explicit SQL; never commits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite


@dataclass(frozen=True, slots=True)
class ReportRow:
    id: int
    application_id: int
    partner_id: int
    author_id: int
    version: int
    status: str
    answers: dict[str, Any]
    assessment: dict[str, Any]
    late: bool
    submitted_at: str
    decided_by: int | None
    decided_at: str | None
    reason: str | None
    points: int | None
    compensation: int | None


_SELECT = (
    "SELECT id, application_id, partner_id, author_id, version, status, answers, assessment,"
    " late, submitted_at, decided_by, decided_at, reason, points, compensation FROM reports"
)


def _row(row: Any) -> ReportRow:
    values = list(row)
    values[6], values[7], values[8] = json.loads(values[6]), json.loads(values[7]), bool(values[8])
    return ReportRow(*values)


async def get(conn: aiosqlite.Connection, report_id: int) -> ReportRow | None:
    async with conn.execute(f"{_SELECT} WHERE id = ?", (report_id,)) as cursor:
        row = await cursor.fetchone()
    return _row(row) if row else None


async def waiting(conn: aiosqlite.Connection, roles: tuple[str, ...] | None) -> list[ReportRow]:
    """Reports sent and not reviewed yet, oldest first, of activities these roles decide
    (None: every role, for the head)."""
    params: tuple[str, ...] = ()
    where = "status = 'sent'"
    if roles is not None:
        marks = ", ".join("?" for _ in roles)
        where += f" AND application_id IN (SELECT id FROM applications WHERE role IN ({marks}))"
        params = roles
    async with conn.execute(f"{_SELECT} WHERE {where} ORDER BY submitted_at, id",
                            params) as cursor:
        return [_row(row) for row in await cursor.fetchall()]


async def of_application(conn: aiosqlite.Connection, application_id: int) -> ReportRow | None:
    async with conn.execute(f"{_SELECT} WHERE application_id = ?", (application_id,)) as cursor:
        row = await cursor.fetchone()
    return _row(row) if row else None


async def save_sent(
    conn: aiosqlite.Connection, *, application_id: int, partner_id: int, author_id: int,
    answers: dict[str, Any], assessment: dict[str, Any], late: bool, now: datetime,
) -> int:
    """A new report, or the next version of one the manager asked more of."""
    await conn.execute(
        "INSERT INTO reports (application_id, partner_id, author_id, status, answers, assessment,"
        " late, submitted_at) VALUES (?, ?, ?, 'sent', ?, ?, ?, ?)"
        " ON CONFLICT (application_id) DO UPDATE SET status = 'sent', answers = excluded.answers,"
        " assessment = excluded.assessment, late = excluded.late, author_id = excluded.author_id,"
        " submitted_at = excluded.submitted_at, version = reports.version + 1,"
        " decided_by = NULL, decided_at = NULL, reason = NULL"
        " WHERE reports.status = 'more_requested'",
        (application_id, partner_id, author_id, json.dumps(answers, ensure_ascii=False),
         json.dumps(assessment, ensure_ascii=False), int(late), now.isoformat()),
    )
    found = await of_application(conn, application_id)
    assert found is not None
    return found.id


async def decide(
    conn: aiosqlite.Connection, report_id: int, *, version: int, status: str, by: int,
    reason: str | None, points: int | None, compensation: int | None, now: datetime,
) -> bool:
    """Compare-and-set from `sent` (this version only)."""
    cursor = await conn.execute(
        "UPDATE reports SET status = ?, decided_by = ?, decided_at = ?, reason = ?, points = ?,"
        " compensation = ? WHERE id = ? AND version = ? AND status = 'sent'",
        (status, by, now.isoformat(), reason, points, compensation, report_id, version),
    )
    return cursor.rowcount == 1


async def add_card(conn: aiosqlite.Connection, *, chat_id: int, message_id: int,
                   report_id: int, version: int) -> None:
    await conn.execute(
        "INSERT OR REPLACE INTO review_cards (chat_id, message_id, report_id, version)"
        " VALUES (?, ?, ?, ?)",
        (chat_id, message_id, report_id, version),
    )


async def cards_of(conn: aiosqlite.Connection, report_id: int,
                   version: int) -> list[tuple[int, int]]:
    async with conn.execute(
        "SELECT chat_id, message_id FROM review_cards WHERE report_id = ? AND version = ?",
        (report_id, version),
    ) as cursor:
        return [(int(r[0]), int(r[1])) for r in await cursor.fetchall()]
