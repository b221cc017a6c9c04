"""The demo running in a thread of its own (its own event loop), for httpx and the browser."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.demo.server import Demo


class RunningDemo:
    """`partnerdesk demo` in-process: a thread runs the event loop, tests talk HTTP to it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.url = ""
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="demo", daemon=True)

    def __enter__(self) -> RunningDemo:
        self._thread.start()
        assert self._ready.wait(30), "the demo did not start within 30 s"
        if self._error is not None:
            raise self._error
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)
        assert not self._thread.is_alive(), "the demo did not stop within 30 s"
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as error:
            self._error = error
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with Demo(self.folder, port=0) as demo:
            self.url = demo.url.rstrip("/")
            self._ready.set()
            await self._stop.wait()
            refused = demo.api.refusals
            assert not refused, f"the bot made requests Telegram refuses: {refused[:3]}"

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.folder / "partnerdesk-demo.sqlite3") as db:
            return db.execute(sql).fetchall()


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[RunningDemo]:
    with RunningDemo(tmp_path / "partnerdesk-demo") as running:
        yield running
