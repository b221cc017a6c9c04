"""One log line per update with its duration and outcome, and its inbox row marked handled.

`TrackedApplication` (PTB's Application, built by `ApplicationBuilder.application_class`)
times every update, notes its outcome and, when the handling finished, marks it handled in the
inbox (`bot/services/updates.py`, written in the background). Each update comes once: the
intake (`bot/intake.py`) hands on only updates new to the inbox. Each update is handled holding
its sender's lock (`Runtime.person_locks`), which the jobs that touch a person's form take too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.runtime import runtime, runtime_of
from bot.services import updates

log = logging.getLogger("bot.updates")


@dataclass(slots=True)
class Handling:
    started: float
    outcome: str = "ok"


# The poller asks for the next batch once the queue is empty and fewer than this many updates
# are in hand: under load one getUpdates then brings many updates instead of one each
# (bench/throughput.py), and one slow update (a chart, a download) holds nobody else's back.
FETCH_BELOW = 3
FETCH_AT_LEAST_EVERY = 0.1  # seconds


class TrackedApplication(Application[Any, Any, Any, Any, Any, Any]):
    """The Application, plus the bookkeeping above; updates of different people are handled
    side by side (`concurrent_updates`), each person's in order (their lock)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.in_hand: dict[int, Handling] = {}
        self._room = asyncio.Event()

    def has_room(self) -> bool:
        return self.update_queue.qsize() == 0 and len(self.in_hand) < FETCH_BELOW

    def _note_room(self) -> None:
        if self.has_room():
            self._room.set()

    async def room_for_more(self) -> None:
        """Return once the next batch of updates should be fetched (`FETCH_BELOW`), or after
        `FETCH_AT_LEAST_EVERY`: updates in hand that only wait for their turn to send (the
        rate limiter) must not keep the next ones at Telegram, out of their order."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(FETCH_AT_LEAST_EVERY):
                while not self.has_room():
                    self._room.clear()
                    await self._room.wait()

    async def process_update(self, update: object) -> None:
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        handling = Handling(started=time.perf_counter())
        self.in_hand[update.update_id] = handling
        self._note_room()  # taken off the queue: perhaps the last of its batch
        rt, user = runtime_of(self), update.effective_user
        try:
            async with rt.person_locks.hold(user.id) if user else contextlib.nullcontext():
                await super().process_update(update)
        finally:
            del self.in_hand[update.update_id]
            self._note_room()
            rt.inbox.handled(update.update_id, rt.clock.now())
            log_line(update.update_id, kind_of(update), handling.outcome,
                     time.perf_counter() - handling.started)

    async def process_error(self, update: object | None, error: Exception, job: Any = None,
                            coroutine: Any = None) -> bool:
        if isinstance(update, Update) and (handling := self.in_hand.get(update.update_id)):
            handling.outcome = f"error:{type(error).__name__}"
        return await super().process_error(update, error, job, coroutine)


def kind_of(update: Update) -> str:
    return next((kind for kind in Update.ALL_TYPES if getattr(update, kind, None) is not None),
                "other")


def log_line(update_id: int, kind: str, outcome: str, seconds: float,
             level: int = logging.INFO) -> None:
    """The one line per update: ids and kinds only, never names or texts."""
    duration_ms = seconds * 1000
    log.log(
        level, "update=%d kind=%s outcome=%s duration_ms=%.1f",
        update_id, kind, outcome, duration_ms,
        extra={"update_id": update_id, "update_kind": kind,
               "outcome": outcome, "duration_ms": round(duration_ms, 1)},
    )


async def prune_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeating job: forget updates handled more than a few days ago."""
    rt = runtime(context)
    await updates.prune(rt.db, rt.clock.now())
