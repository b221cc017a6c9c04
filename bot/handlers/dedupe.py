"""Each update once, and one log line per update with its duration and outcome.

`TrackedApplication` (PTB's Application, built by `ApplicationBuilder.application_class`)
times every update, notes its outcome and, when the handling finished, remembers the update's
id and the digest of its content (`bot/services/updates.py`: in memory at once, in the table in
the background). `skip_repeats`, registered in `GROUP` before every other group, stops an update
already handled: Telegram re-sends after a crash or a lost answer. Each update is handled holding
its sender's lock (`Runtime.person_locks`), which the jobs that touch a person's form take too.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, TypeHandler

from bot.runtime import runtime, runtime_of
from bot.services import updates

log = logging.getLogger("bot.updates")

# Before everything: a TypeHandler takes every update, and only one handler per group runs, so it
# gets a group of its own (group -1 stays free for other early handlers).
GROUP = -100


@dataclass(slots=True)
class Handling:
    started: float
    digest: str
    outcome: str = "ok"


def digest_of(update: Update) -> str:
    """Of what tells one update from another: a re-delivery is identical, a recycled id brings
    another message, press or moment. (Not the whole JSON: serialising every update was a tenth
    of the bot's time per update.)"""
    kind = kind_of(update)
    payload = getattr(update, kind, None)
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    key = (kind, user.id if user else None, chat.id if chat else None,
           message.message_id if message else None, message.text if message else None,
           getattr(payload, "id", None), getattr(payload, "data", None),
           getattr(payload, "date", None), getattr(payload, "edit_date", None))
    return hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest()


class TrackedApplication(Application[Any, Any, Any, Any, Any, Any]):
    """The Application, plus the bookkeeping above; updates are handled one at a time."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.in_hand: dict[int, Handling] = {}

    async def process_update(self, update: object) -> None:
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        handling = Handling(started=time.perf_counter(), digest=digest_of(update))
        if update.update_id in self.in_hand:  # the same update again while the first is in hand
            handling.outcome = "duplicate"
            _log_line(update, handling)
            return
        self.in_hand[update.update_id] = handling
        rt, user = runtime_of(self), update.effective_user
        try:
            async with rt.person_locks.hold(user.id) if user else contextlib.nullcontext():
                await super().process_update(update)
        finally:
            del self.in_hand[update.update_id]
            if handling.outcome != "duplicate":
                rt.handled_updates.remember(update.update_id, handling.digest, rt.clock.now())
            _log_line(update, handling)

    async def process_error(self, update: object | None, error: Exception, job: Any = None,
                            coroutine: Any = None) -> bool:
        if isinstance(update, Update) and (handling := self.in_hand.get(update.update_id)):
            handling.outcome = f"error:{type(error).__name__}"
        return await super().process_error(update, error, job, coroutine)


async def skip_repeats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Group `GROUP`: an update handled before stops here, before any handler sees it."""
    rt = runtime(context)
    app = context.application
    handling = app.in_hand.get(update.update_id) if isinstance(app, TrackedApplication) else None
    digest = handling.digest if handling else digest_of(update)
    if not await rt.handled_updates.handled(update.update_id, digest, rt.clock.now()):
        return
    if handling is not None:
        handling.outcome = "duplicate"
    raise ApplicationHandlerStop


def handler() -> TypeHandler[Update, Any, None]:
    return TypeHandler(Update, skip_repeats)


def kind_of(update: Update) -> str:
    return next((kind for kind in Update.ALL_TYPES if getattr(update, kind, None) is not None),
                "other")


def _log_line(update: Update, handling: Handling) -> None:
    duration_ms = (time.perf_counter() - handling.started) * 1000
    kind = kind_of(update)
    log.info(
        "update=%d kind=%s outcome=%s duration_ms=%.1f",
        update.update_id, kind, handling.outcome, duration_ms,
        extra={"update_id": update.update_id, "update_kind": kind,
               "outcome": handling.outcome, "duration_ms": round(duration_ms, 1)},
    )


async def prune_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeating job: forget update ids older than a few days."""
    rt = runtime(context)
    await updates.prune(rt.db, rt.clock.now())
