"""Every message or tap tells `Presence` the person is there: `last_seen_at` moves on (at most
hourly) and a blocked mark is cleared (bot/services/presence.py)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes, JobQueue, TypeHandler

from bot.runtime import runtime
from bot.services import presence

# Its own group before the handlers, which it never stops: only one handler per group runs,
# and this one takes every update. (Repeats never get here: the intake hands on new ones only.)
GROUP = -90


async def note_presence(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    if user is None or not (update.message or update.edited_message or update.callback_query):
        return  # a membership update is handled by common.membership_changed
    rt = runtime(context)
    chat = update.effective_chat
    rt.presence.wrote(user.id, rt.clock.now(),
                      private=chat is not None and chat.type == ChatType.PRIVATE)


def handler() -> TypeHandler[Update, Any, None]:
    return TypeHandler(Update, note_presence)


def schedule(job_queue: JobQueue[Any]) -> None:
    job_queue.run_repeating(reload_job, interval=presence.RELOAD_SECONDS,
                            first=presence.RELOAD_SECONDS, name="blocked-marks-reload")


async def reload_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeating job: the blocked marks as the database has them, whoever wrote them."""
    await runtime(context).presence.reload_blocked()

