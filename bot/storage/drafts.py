"""Form drafts: one per person and form, saved at every step. Explicit SQL; never commits."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite


async def load(conn: aiosqlite.Connection, telegram_id: int, form: str) -> dict[str, Any] | None:
    async with conn.execute(
        "SELECT data FROM drafts WHERE telegram_id = ? AND form = ?", (telegram_id, form)
    ) as cursor:
        row = await cursor.fetchone()
    return dict(json.loads(row[0])) if row else None


async def save(
    conn: aiosqlite.Connection, telegram_id: int, form: str, data: dict[str, Any],
    now: datetime, application_id: int | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO drafts (telegram_id, form, data, application_id, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (telegram_id, form) DO UPDATE SET"
        " data = excluded.data, updated_at = excluded.updated_at,"
        " application_id = COALESCE(excluded.application_id, drafts.application_id)",
        (telegram_id, form, json.dumps(data, ensure_ascii=False), application_id,
         now.isoformat()),
    )


async def delete(conn: aiosqlite.Connection, telegram_id: int, form: str) -> None:
    await conn.execute("DELETE FROM drafts WHERE telegram_id = ? AND form = ?", (telegram_id, form))


async def latest(conn: aiosqlite.Connection, telegram_id: int) -> dict[str, Any] | None:
    """The draft the person touched last: the form they are in."""
    async with conn.execute(
        "SELECT data FROM drafts WHERE telegram_id = ? ORDER BY updated_at DESC LIMIT 1",
        (telegram_id,),
    ) as cursor:
        row = await cursor.fetchone()
    return dict(json.loads(row[0])) if row else None
