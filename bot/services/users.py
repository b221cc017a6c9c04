"""Use cases about the people who write to the bot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage import audit, reminders, users
from bot.storage.database import Database


@dataclass(frozen=True, slots=True)
class Seen:
    user: users.UserRow
    first_time: bool
    released: int = 0  # messages that waited for them to start the bot, now due


async def see_user(
    db: Database, *, telegram_id: int, first_name: str, username: str | None, language: str,
    now: datetime,
) -> Seen:
    """Record that a user wrote; the first time, the user joins (with an audit row). What the
    outbox kept waiting for them is due now."""
    async def work(conn: aiosqlite.Connection) -> Seen:
        existing = await users.get(conn, telegram_id)
        if existing is None:
            await users.insert(conn, telegram_id, first_name, username, language, now)
            await audit.record(conn, at=now, actor_id=telegram_id, action="user.joined",
                               subject=f"user:{telegram_id}")
        else:
            await users.touch(conn, telegram_id, first_name, username, now)
        row = await users.get(conn, telegram_id)
        released = await reminders.release_waiting(conn, telegram_id, now)
        assert row is not None
        return Seen(user=row, first_time=existing is None, released=released)

    return await db.atomically(work)


async def set_blocked(db: Database, telegram_id: int, *, blocked: bool, now: datetime) -> None:
    """The user blocked the bot (nothing is sent to them until they write again) or came back."""
    async with db.transaction() as conn:
        await users.set_blocked(conn, telegram_id, now if blocked else None)
        await audit.record(conn, at=now, actor_id=telegram_id,
                           action="user.blocked_bot" if blocked else "user.unblocked_bot",
                           subject=f"user:{telegram_id}")
