"""Updates in: stored in the inbox before Telegram is told, then handed to the Application.

`Intake.receive` is the one way in, for long polling and the webhook alike: every update of a
batch is parsed, the batch is stored in one transaction (`bot/services/updates.py`), and only
then are the updates new to the inbox put on the Application's queue. An update the library
cannot parse is stored as `unparseable`, logged once with its id and skipped; the others go on.
`Intake.resume`, at start, queues first what a kill left stored and not handled.

`Poller` replaces PTB's Updater, which puts fetched updates on the queue and polls again at
once: getUpdates confirms a batch when the *next* call passes a higher offset, so the Updater
confirmed updates not yet handled and a kill lost them. Here the next call is made only once the
batch is committed (and the Application has room for more: `FETCH_BELOW`). It fetches the JSON
as it came (PTB's `get_updates` parses the whole batch and fails on one bad update, so the
Updater fetched the same batch forever), and it retries network errors and 429s with a backoff,
as the Updater does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, ExtBot

from bot.handlers.dedupe import TrackedApplication, log_line
from bot.handlers.outbox import retry_after_seconds
from bot.runtime import runtime_of
from bot.services.updates import arrival, valid_update_id
from bot.storage.inbox import Arrival

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
POLL_LIMIT = 100  # updates per getUpdates, Telegram's maximum
READ_SLACK = 5.0  # seconds a long poll may take beyond its timeout before it counts as lost
MAX_BACKOFF = 30.0


def kind_of_raw(data: dict[str, object]) -> str:
    return next((key for key in data if key != "update_id"), "other")


@dataclass(frozen=True, slots=True)
class Incoming:
    arrival: Arrival
    update: Update | None  # None: the library could not parse it
    kind: str
    error: str  # the name of the library's exception, when it could not


class Intake:
    def __init__(self, app: AnyApplication) -> None:
        self.app = app

    async def resume(self) -> int:
        """Queue the updates stored but not handled when the bot last stopped (a kill), before
        any new one; returns how many."""
        rt = runtime_of(self.app)
        waiting = await rt.inbox.waiting()
        for update_id, raw in waiting:
            update, _ = self._parse(json.loads(raw))
            if update is None:  # parsed when it came, not now (a library upgrade?): skip it
                rt.inbox.handled(update_id, rt.clock.now())
            else:
                await self.app.update_queue.put(update)
        if waiting:
            log.info("inbox: %d update(s) stored before the last stop and not handled;"
                     " handling them first", len(waiting))
        return len(waiting)

    async def receive(self, batch: Sequence[object]) -> int | None:
        """Store the batch (committed when this returns) and queue the updates new to the
        inbox. Returns the highest update id in the batch (None when it has none)."""
        started = time.perf_counter()
        incoming: list[Incoming] = []
        for data in batch:
            update_id = valid_update_id(data)
            if update_id is None:
                log.warning("inbox: skipped something without a valid update_id")
                continue
            assert isinstance(data, dict)
            update, error = self._parse(data)
            incoming.append(Incoming(arrival(data, update_id, parsed=update is not None),
                                     update, kind_of_raw(data), error))
        rt = runtime_of(self.app)
        stored = await rt.inbox.store([one.arrival for one in incoming], rt.clock.now())
        fresh = {id(one) for one in stored}
        for one in incoming:
            update_id = one.arrival.update_id
            if id(one.arrival) not in fresh:  # Telegram sent it again: stored already
                log_line(update_id, one.kind, "duplicate", time.perf_counter() - started)
            elif one.update is not None:
                await self.app.update_queue.put(one.update)
            else:
                log_line(update_id, one.kind, f"unparseable:{one.error}",
                         time.perf_counter() - started, logging.WARNING)
        return max((one.arrival.update_id for one in incoming), default=None)

    def _parse(self, data: dict[str, Any]) -> tuple[Update | None, str]:
        """The Update, or None and the name of the error the library raised."""
        try:
            update = Update.de_json(data, self.app.bot)
            if isinstance(self.app.bot, ExtBot):
                self.app.bot.insert_callback_data(update)
        except Exception as exc:  # anything the library raises on a shape it does not expect
            return None, type(exc).__name__
        return update, ""


class Poller:
    """Long polling into the inbox: fetch, store, and only then ask for (and so confirm) more."""

    def __init__(self, intake: Intake, *, timeout: float,
                 allowed_updates: Sequence[str]) -> None:
        self.intake = intake
        self.bot = intake.app.bot
        self.timeout = timeout
        self.allowed_updates = list(allowed_updates)
        self.offset: int | None = None
        self._stopping = False
        self._stopped = asyncio.Event()
        self._fetching: asyncio.Task[list[object]] | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.bot.delete_webhook()  # getUpdates is refused while a webhook is set
        self._task = asyncio.create_task(self._run(), name="inbox:polling")

    async def stop(self) -> None:
        """Stop fetching; a last getUpdates confirms what is stored, so it is not sent again."""
        self._stopping = True
        self._stopped.set()
        if self._fetching is not None:
            self._fetching.cancel()
        if self._task is not None:
            await self._task
        if self.offset is not None:
            with contextlib.suppress(TelegramError):
                await self._fetch(wait=0, limit=1)

    async def _run(self) -> None:
        delay = 0.0
        while not self._stopping:
            try:
                self._fetching = asyncio.ensure_future(self._next_batch())
                batch = await self._fetching
                highest = await self.intake.receive(batch)
            except asyncio.CancelledError:
                if self._stopping:
                    return
                raise
            except InvalidToken:
                log.critical("getUpdates: the token was refused; the bot stops polling")
                return
            except TimedOut:
                delay = 0.0  # a long poll that outlived its read timeout: again at once
                continue
            except RetryAfter as exc:
                delay = retry_after_seconds(exc) + 0.5
                log.warning("getUpdates: flood control; again in %.1f s", delay)
            except TelegramError as exc:  # network errors, another instance polling (409) …
                delay = min(MAX_BACKOFF, max(1.0, delay * 1.5))
                log.warning("getUpdates failed (%s); again in %.1f s", exc, delay)
            except Exception:  # the inbox could not store the batch: fetch it again
                delay = min(MAX_BACKOFF, max(1.0, delay * 1.5))
                log.exception("inbox: could not store updates; fetching them again in %.1f s",
                              delay)
            else:
                delay = 0.0
                if highest is not None:
                    self.offset = highest + 1
                continue
            finally:
                self._fetching = None
            await self._pause(delay)

    async def _next_batch(self) -> list[object]:
        """The next batch, asked for once the Application has room for it (`FETCH_BELOW`)."""
        if isinstance(self.intake.app, TrackedApplication):
            await self.intake.app.room_for_more()
        return await self._fetch(self.timeout, POLL_LIMIT)

    async def _fetch(self, wait: float, limit: int) -> list[object]:
        data: dict[str, Any] = {"offset": self.offset, "limit": limit, "timeout": wait,
                                "allowed_updates": self.allowed_updates}
        # `_post`, not `get_updates`: the JSON as it came, each update parsed on its own by
        # `receive`. (`do_api_request` would do the same, but warns for a method Bot has.)
        result = await self.bot._post("getUpdates", data, read_timeout=wait + READ_SLACK)
        return list(result) if isinstance(result, list) else []

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), seconds)
