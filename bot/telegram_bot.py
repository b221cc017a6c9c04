"""The bot's Bot API client: PTB's ExtBot, with an answer to a press that came too late not
treated as an error.

Telegram takes an answer to a callback query only for a short while after the press. A press
queued while the bot was down (or handled again after a restart) is «too old» to answer: the
spinner has long stopped on the person's phone, and what the press does must still happen. So
that refusal is logged and swallowed here, once for all 100-odd `query.answer()` calls, instead
of aborting the handler before it does the work.
"""

from __future__ import annotations

import logging
from typing import Any

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
