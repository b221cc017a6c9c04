"""Form drafts: one per person and form, saved at every step. Explicit SQL; never commits, but
`save_alone`: a form step's save, a transaction of its own."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite

from bot.storage.database import Database

_LOAD = "SELECT data FROM drafts WHERE telegram_id = ? AND form = ?"
_LATEST = "SELECT data FROM drafts WHERE telegram_id = ? ORDER BY updated_at DESC LIMIT 1"
_SAVE = ("INSERT INTO drafts (telegram_id, form, data, application_id, updated_at)"
         " VALUES (?, ?, ?, ?, ?) ON CONFLICT (telegram_id, form) DO UPDATE SET"
         " data = excluded.data, updated_at = excluded.updated_at,"
         " application_id = COALESCE(excluded.application_id, drafts.application_id)")


async def load(db: Database, telegram_id: int, form: str) -> dict[str, Any] | None:
    return await db.read_at_once(lambda conn: load_in(conn, telegram_id, form))


async def load_in(conn: aiosqlite.Connection, telegram_id: int,
                  form: str) -> dict[str, Any] | None:
    """`load` inside the caller's transaction."""
    async with conn.execute(_LOAD, (telegram_id, form)) as cursor:
        row = await cursor.fetchone()
    return dict(json.loads(row[0])) if row else None


def _save_params(telegram_id: int, form: str, data: dict[str, Any], now: datetime,
                 application_id: int | None) -> tuple[object, ...]:
    return (telegram_id, form, json.dumps(data, ensure_ascii=False), application_id,
            now.isoformat())


async def save(
    conn: aiosqlite.Connection, telegram_id: int, form: str, data: dict[str, Any],
    now: datetime, application_id: int | None = None,
) -> None:
    """Inside the caller's transaction."""
    await conn.execute(_SAVE, _save_params(telegram_id, form, data, now, application_id))


async def save_alone(db: Database, telegram_id: int, form: str, data: dict[str, Any],
                     now: datetime) -> None:
    """A transaction of its own: a form's step (one trip to the database's thread)."""
    await db.write_one(_SAVE, _save_params(telegram_id, form, data, now, None))


async def delete(conn: aiosqlite.Connection, telegram_id: int, form: str) -> None:
    await conn.execute("DELETE FROM drafts WHERE telegram_id = ? AND form = ?", (telegram_id, form))


async def latest(db: Database, telegram_id: int) -> dict[str, Any] | None:
    """The draft the person touched last: the form they are in."""
    row = await db.fetch_one(_LATEST, (telegram_id,))
    return dict(json.loads(row[0])) if row else None
