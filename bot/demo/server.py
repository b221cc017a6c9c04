"""The demo's process: the local Bot API, the real bot polling it, the page, a movable clock."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
from contextlib import AsyncExitStack
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from bot import private_files
from bot.app import AnyApplication, build_application, polling
from bot.clock import Clock
from bot.demo import chats, web
from bot.demo.people import (
    BOT_USERNAME,
    DEMO_TOKEN,
    MANAGERS,
    PARTNERS,
    PEOPLE,
    TIMEZONE,
    demo_settings,
)
from bot.demo.seed import is_seeded, seed
from bot.localapi import LocalBotApi
from bot.runtime import runtime_of

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
CLOCK_FILE = "clock.json"
# A jump lands on each day's 09:05 (the managers' digest) and 10:05 (reminders), running the
# jobs at both, so nothing planned in between is skipped or dropped as stale.
JUMP_STOPS = (time(9, 5), time(10, 5))
JOBS = ("reminders", "escalation", "ledger-expiry")


def reset(folder: Path) -> None:
    """Forget the demo: its database (with -wal/-shm), kept files, clock and chats."""
    for name in ("partnerdesk-demo.sqlite3", "partnerdesk-demo.sqlite3-wal",
                 "partnerdesk-demo.sqlite3-shm", CLOCK_FILE, chats.CHATS_FILE):
        (folder / name).unlink(missing_ok=True)
    shutil.rmtree(folder / "data", ignore_errors=True)


class Demo:
    """`async with Demo(folder, port) as demo:` runs everything on 127.0.0.1 until exit."""

    def __init__(self, folder: Path, port: int = 8080) -> None:
        self.folder = folder
        self.folder_shown = str(folder.resolve())
        self.port = port
        self.api = LocalBotApi(token=DEMO_TOKEN, bot_username=BOT_USERNAME,
                               bot_name="Partner Desk (demo)", host=HOST)
        self.clock = Clock(TIMEZONE, self._saved_offset())
        self.selected = {"partner": PARTNERS[0].id, "manager": MANAGERS[0].id}
        self._stack = AsyncExitStack()
        self._jump_lock = asyncio.Lock()
        self._app: AnyApplication | None = None
        self._web: web.WebServer | None = None

    @property
    def app(self) -> AnyApplication:
        assert self._app is not None, "the demo is not started"
        return self._app

    @property
    def url(self) -> str:
        assert self._web is not None, "the demo is not started"
        return f"http://{HOST}:{self._web.port}/"

    async def __aenter__(self) -> Demo:
        try:
            await self.start()
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._stack.aclose()

    async def start(self) -> None:
        private_files.make_dirs(self.folder)
        await self.api.start()
        self._stack.push_async_callback(self.api.stop)
        self.api.state.clock = lambda: self.clock.now().timestamp()  # messages dated as moved
        for who in PEOPLE:  # each has opened the chat with the bot, so it may write to them
            self.api.user(who.id, who.first_name, last_name=who.last_name,
                          language_code=who.language, started=True)
        if chats.load(self.api.state, self.folder):
            log.info("the chats of the last run are back")
        # Saved once the bot has stopped (callbacks run last pushed first), for the next start.
        self._stack.callback(chats.save, self.api.state, self.folder)
        settings = demo_settings(self.folder, self.api.base_url)
        self._app = build_application(settings, clock=self.clock)
        await self._stack.enter_async_context(polling(self._app, poll_timeout=10))
        rt = runtime_of(self._app)
        if not await is_seeded(rt.db):
            await seed(rt.db, rt.settings, rt.rulebook, self.clock.now())
            log.info("demo data written to %s", settings.database)
        self._web = web.WebServer(self)
        await self._web.start(HOST, self.port)
        self._stack.push_async_callback(self._web.stop)

    # --- the clock ------------------------------------------------------------------------

    def _saved_offset(self) -> timedelta:
        try:
            data = json.loads((self.folder / CLOCK_FILE).read_text(encoding="utf-8"))
            return timedelta(seconds=float(data["offset_seconds"]))
        except (OSError, ValueError, KeyError, TypeError):
            return timedelta()

    def _save_offset(self) -> None:
        offset = {"offset_seconds": self.clock.offset.total_seconds()}
        private_files.write_bytes(self.folder / CLOCK_FILE, json.dumps(offset).encode())

    def _set_clock(self, at: datetime) -> None:
        self.clock.offset = at - datetime.now(UTC)

    async def jump(self, days: int) -> datetime:
        """Move the clock `days` days on, stopping at each day's digest and reminder hours to
        run the jobs (reminders, escalations, expiries) as if the bot had been up all along."""
        async with self._jump_lock:
            today = self.clock.now().date()
            for step in range(1, days + 1):
                for stop in JUMP_STOPS:
                    at = datetime.combine(today + timedelta(days=step), stop, TIMEZONE)
                    self._set_clock(max(at, self.clock.now()))
                    await self.run_jobs()
            self._save_offset()
            self.api.state.changed.fire()
            return self.clock.now()

    async def run_jobs(self) -> None:
        assert self.app.job_queue is not None
        for name in JOBS:
            for job in self.app.job_queue.get_jobs_by_name(name):
                await job.run(self.app)


async def serve(folder: Path, port: int, *, fresh: bool = False) -> None:
    """`partnerdesk demo`: run until SIGINT/SIGTERM."""
    import signal

    if fresh:
        reset(folder)
    async with Demo(folder, port) as demo:
        print(f"Partner Desk demo: open {demo.url}", flush=True)
        print(f"(data in {demo.folder_shown}; Ctrl+C stops; --reset starts over)", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
