"""The bot's Bot API client: PTB's ExtBot, with an answer to a press that came too late not
treated as an error; and the two calls of every form step without PTB's parsing of the answer.

Telegram takes an answer to a callback query only for a short while after the press. A press
queued while the bot was down (or handled again after a restart) is «too old» to answer: the
spinner has long stopped on the person's phone, and what the press does must still happen. So
that refusal is logged and swallowed here, once for all 100-odd `query.answer()` calls, instead
of aborting the handler before it does the work.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ExtBot

log = logging.getLogger(__name__)
TOO_LATE = ("query is too old", "query id is invalid")


class PartnerDeskBot(ExtBot[Any]):
    async def answer_callback_query(self, *args: Any, **kwargs: Any) -> bool:
        try:
            return await super().answer_callback_query(*args, **kwargs)
        except BadRequest as exc:
            if not any(words in exc.message.lower() for words in TOO_LATE):
                raise
            log.info("a callback query was not answered: too late")
            return False


# PTB turns every answer to sendMessage / editMessageText into a Message, field by field: it was
# the largest single cost of a form step (bench/throughput.py) and its result only ever gave
# the new message's id. These go through the same `_post` (defaults, the rate limiter, errors
# as PTB raises them) and keep the JSON.
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


async def send_html(bot: Bot, chat_id: int, text: str, markup: Markup = None) -> int:
    """sendMessage with HTML; the new message's id."""
    sent = await bot._post("sendMessage", {"chat_id": chat_id, "text": text,
                                           "parse_mode": ParseMode.HTML, "reply_markup": markup})
    return int(sent["message_id"])


async def edit_html(bot: Bot, chat_id: int, message_id: int, text: str,
                    markup: InlineKeyboardMarkup | None = None) -> None:
    """editMessageText with HTML (BadRequest as `edit_message_text` raises it)."""
    await bot._post("editMessageText", {"chat_id": chat_id, "message_id": message_id,
                                        "text": text, "parse_mode": ParseMode.HTML,
                                        "reply_markup": markup})
