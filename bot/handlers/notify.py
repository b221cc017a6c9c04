"""Answering a press whose effect is already committed. Messages to other people (managers,
colleagues, partners) go through the outbox (bot/handlers/outbox.py), not from here.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery
from telegram.error import BadRequest

log = logging.getLogger(__name__)


async def answer_quietly(query: CallbackQuery, text: str | None = None,
                         show_alert: bool = False) -> None:
    """Answer a press whose effect is already committed. A press queued while the bot was down
    is «too old» to answer: nothing is lost but the toast, so that is no error."""
    try:
        await query.answer(text, show_alert=show_alert)
    except BadRequest as exc:
        log.info("callback %s not answered: %s", query.id, exc.message)
