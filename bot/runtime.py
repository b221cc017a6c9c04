"""What every handler needs, built once per process and kept in `application.bot_data`."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from telegram import User
from telegram.ext import Application, CallbackContext

from bot import private_files
from bot.clock import Clock
from bot.config import Role, Settings
from bot.i18n import Texts
from bot.rules import Rulebook
from bot.services.files import KEPT_FILES
from bot.services.listeners import PERSONAL
from bot.services.presence import Presence
from bot.services.updates import Inbox
from bot.storage.database import Database

_KEY = "partnerdesk.runtime"


class PersonLocks:
    """One lock per person: their updates are handled in order (different people's side by
    side), and jobs that touch a form take it too: the album's answer (a job) must not load a
    person's form while their next update saves it."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: Counter[int] = Counter()  # holders and waiters, to forget idle locks

    @asynccontextmanager
    async def hold(self, telegram_id: int) -> AsyncIterator[None]:
        lock = self._locks.setdefault(telegram_id, asyncio.Lock())
        self._users[telegram_id] += 1
        try:
            async with lock:
                yield
        finally:
            self._users[telegram_id] -= 1
            if not self._users[telegram_id]:
                del self._users[telegram_id], self._locks[telegram_id]


class OutboxWakeup:
    """Wakes the outbox dispatcher right after a commit wrote messages, so they go out within
    seconds rather than at the next tick."""

    def __init__(self) -> None:
        self.waker: Callable[[float], None] | None = None  # (delay in seconds); set at start
        self.lock = asyncio.Lock()  # held by the repeating dispatch that runs

    def wake(self, delay: float = 0.0) -> None:
        """Dispatch now (after a commit), or in `delay` seconds (a retry falls due)."""
        if self.waker is not None:
            self.waker(delay)


@dataclass
class Runtime:
    settings: Settings
    texts: Texts
    clock: Clock
    rulebook: Rulebook
    _db: Database | None = field(default=None, repr=False)
    _inbox: Inbox | None = field(default=None, repr=False)
    _presence: Presence | None = field(default=None, repr=False)
    person_locks: PersonLocks = field(default_factory=PersonLocks, repr=False)
    outbox: OutboxWakeup = field(default_factory=OutboxWakeup, repr=False)

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("the database is opened in post_init; no handler runs before it")
        return self._db

    @property
    def inbox(self) -> Inbox:
        if self._inbox is None:
            raise RuntimeError("the database is opened in post_init; no handler runs before it")
        return self._inbox

    @property
    def presence(self) -> Presence:
        if self._presence is None:
            raise RuntimeError("the database is opened in post_init; no handler runs before it")
        return self._presence

    async def open_database(self) -> list[str]:
        """Open the database and apply pending migrations; returns the migrations applied."""
        self._db = await Database.open(self.settings.database)
        await asyncio.to_thread(restrict_kept_folders, self.settings.data_dir)
        applied = await self._db.migrate()
        self._inbox = Inbox(self._db)
        self._presence = Presence(self._db, wake_outbox=self.outbox.wake)
        await self._presence.load()
        return applied

    async def close_database(self) -> None:
        if self._inbox is not None:
            await self._inbox.flush()
            self._inbox = None
        if self._presence is not None:
            await self._presence.flush()
            self._presence = None
        if self._db is not None:
            await self._db.close()
            self._db = None

    def attach(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        app.bot_data[_KEY] = self

    def language(self, user: User | None) -> str:
        return self.texts.language_for(user.language_code if user else None)

    def text(self, user: User | None, key: str, /, **params: object) -> str:
        return self.texts.render(self.language(user), key, **params)

    def speaker(self, language: str) -> Callable[..., str]:
        """`t(key, **params)` in one language: for texts to someone other than the sender."""
        return partial(self.texts.render, language)

    def role_names(self, user: User) -> str:
        language = self.language(user)
        roles = sorted(self.settings.roles_of(user.id), key=list(Role).index)
        return ", ".join(self.texts.render(language, f"common.role.{r.value}") for r in roles)


def restrict_kept_folders(data_dir: Path) -> None:
    """Kept files' folders made 0700 at start: ones an older version made are world-readable."""
    for folder in (data_dir / KEPT_FILES, data_dir / PERSONAL):
        private_files.restrict(folder, private_files.DIR_MODE)


def runtime_of(app: Application[Any, Any, Any, Any, Any, Any]) -> Runtime:
    value = app.bot_data[_KEY]
    assert isinstance(value, Runtime)
    return value


def runtime(context: CallbackContext[Any, Any, Any, Any]) -> Runtime:
    return runtime_of(context.application)
