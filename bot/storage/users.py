"""Repository of Telegram users who wrote to the bot. Explicit SQL; never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite


@dataclass(frozen=True, slots=True)
class UserRow:
    telegram_id: int
    first_name: str
    username: str | None
    language: str
    created_at: str
    last_seen_at: str
    blocked_at: str | None


async def get(conn: aiosqlite.Connection, telegram_id: int) -> UserRow | None:
    async with conn.execute(
        "SELECT telegram_id, first_name, username, language, created_at, last_seen_at, blocked_at"
        " FROM users WHERE telegram_id = ?",
        (telegram_id,),
    ) as cursor:
        row = await cursor.fetchone()
    return UserRow(*row) if row else None


async def insert(
    conn: aiosqlite.Connection,
    telegram_id: int,
    first_name: str,
    username: str | None,
    language: str,
    now: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO users (telegram_id, first_name, username, language, created_at, last_seen_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (telegram_id, first_name, username, language, now.isoformat(), now.isoformat()),
    )


async def touch(
    conn: aiosqlite.Connection, telegram_id: int, first_name: str, username: str | None,
    now: datetime,
) -> None:
    await conn.execute(
        "UPDATE users SET first_name = ?, username = ?, last_seen_at = ?, blocked_at = NULL"
        " WHERE telegram_id = ?",
        (first_name, username, now.isoformat(), telegram_id),
    )


async def set_blocked(conn: aiosqlite.Connection, telegram_id: int, at: datetime | None) -> None:
    await conn.execute("UPDATE users SET blocked_at = ? WHERE telegram_id = ?",
                       (at.isoformat() if at else None, telegram_id))
