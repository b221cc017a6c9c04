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


async def mark_seen(conn: aiosqlite.Connection, seen: list[tuple[int, datetime]]) -> None:
    """Move `last_seen_at` on to each moment (never back: /start may have written a later one)."""
    await conn.executemany(
        "UPDATE users SET last_seen_at = ?1"
        " WHERE telegram_id = ?2 AND julianday(last_seen_at) < julianday(?1)",
        [(moment.isoformat(), telegram_id) for telegram_id, moment in seen],
    )


async def clear_blocked(conn: aiosqlite.Connection, telegram_id: int) -> bool:
    """Unmark a user marked as having blocked the bot; False when they were not marked."""
    cursor = await conn.execute(
        "UPDATE users SET blocked_at = NULL WHERE telegram_id = ? AND blocked_at IS NOT NULL",
        (telegram_id,))
    return cursor.rowcount > 0


async def blocked_ids(conn: aiosqlite.Connection) -> set[int]:
    async with conn.execute("SELECT telegram_id FROM users WHERE blocked_at IS NOT NULL") as cursor:
        return {int(row[0]) for row in await cursor.fetchall()}
