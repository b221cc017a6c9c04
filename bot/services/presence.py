"""Who writes to the bot: `users.last_seen_at` and the blocked mark, kept current by every
message or tap without a database write per update.

`last_seen_at` decides when an employee's phone is deleted (PARTNERDESK_PHONE_DAYS, counted
in days), so it is written at most once an hour per person: the first message after that hour
(or after a restart) moves it, the ones in between only read a dict. The phone is so deleted at
most an hour early on a year's count.

A person marked as having blocked the bot (a 403, a membership update) is in `_blocked`, loaded
at start, told by the code that marks them and reloaded every few minutes for anything else; a
message from them in their private chat clears the mark at once, so reminders and notifications
reach them again and what the outbox kept waiting for them goes out, as after /start. The
writes go in the background, many in one transaction when people write fast (as
`HandledUpdates` does); a write that fails is tried again at the next message.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta

import aiosqlite

from bot.storage import audit, users
from bot.storage import reminders as outbox
from bot.storage.database import Database

TOUCH_EVERY = timedelta(hours=1)
RELOAD_SECONDS = 300

log = logging.getLogger(__name__)


class Presence:
    def __init__(self, db: Database, wake_outbox: Callable[[], None]) -> None:
        self.db = db
        self._wake_outbox = wake_outbox  # messages that waited for them are due
        # person → the last_seen_at last written, oldest first (older than TOUCH_EVERY: dropped)
        self._written: OrderedDict[int, datetime] = OrderedDict()
        self._blocked: set[int] = set()
        self._seen: dict[int, datetime] = {}  # to write
        self._unblock: dict[int, datetime] = {}  # to unmark
        self._writer: asyncio.Task[None] | None = None

    async def load(self) -> None:
        self._blocked = await users.blocked_ids(self.db.conn)

    async def reload_blocked(self) -> None:
        self._blocked = await users.blocked_ids(self.db.conn) - self._unblock.keys()

    def wrote(self, telegram_id: int, now: datetime, *, private: bool) -> None:
        """A message or a tap from the person (in their private chat when `private`)."""
        unblock = private and telegram_id in self._blocked
        last = self._written.get(telegram_id)
        if not unblock and last is not None and now - last < TOUCH_EVERY:
            return
        if unblock:
            self._blocked.discard(telegram_id)
            self._unblock[telegram_id] = now
        self._written[telegram_id] = now
        self._written.move_to_end(telegram_id)
        while self._written and now - next(iter(self._written.values())) >= TOUCH_EVERY:
            self._written.popitem(last=False)
        self._seen[telegram_id] = now
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_pending())

    def blocked(self, telegram_id: int, *, blocked: bool = True) -> None:
        """The person was marked (or unmarked) as having blocked the bot."""
        if blocked:
            self._blocked.add(telegram_id)
        else:
            self._blocked.discard(telegram_id)

    async def flush(self) -> None:
        """Wait until everything noted so far is written (before the database closes)."""
        while self._writer is not None and not self._writer.done():
            await self._writer

    async def _write_pending(self) -> None:
        while self._seen or self._unblock:
            seen, self._seen = self._seen, {}
            unblock, self._unblock = self._unblock, {}
            try:
                released = await self._write(seen, unblock)
            except Exception:  # their next message tries again
                log.warning("could not record that %d user(s) wrote", len(seen), exc_info=True)
                for telegram_id in seen:
                    self._written.pop(telegram_id, None)
                self._blocked |= unblock.keys()
                continue
            if released:
                self._wake_outbox()

    async def _write(self, seen: dict[int, datetime], unblock: dict[int, datetime]) -> int:
        """One transaction; returns how many outbox messages were released."""
        async def work(conn: aiosqlite.Connection) -> int:
            released = 0
            await users.mark_seen(conn, list(seen.items()))
            for telegram_id, at in unblock.items():
                if await users.clear_blocked(conn, telegram_id):
                    await audit.record(conn, at=at, actor_id=telegram_id,
                                       action="user.unblocked_bot", subject=f"user:{telegram_id}")
                    # What waited for them goes now, as after /start.
                    released += await outbox.release_waiting(conn, telegram_id, at)
            return released

        return await self.db.atomically(work)
