"""The error handler: log everything with the update, tell the user, never go silent."""

from __future__ import annotations

import html
import json
import logging
import traceback

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.runtime import runtime

log = logging.getLogger(__name__)
_OPS_LIMIT = 3500


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    update_json = update.to_dict() if isinstance(update, Update) else repr(update)
    log.error(
        "error while handling update %s",
        json.dumps(update_json, ensure_ascii=False, default=str),
        exc_info=error,
    )
    if not isinstance(update, Update) or isinstance(error, Forbidden):
        return
    rt = runtime(context)
    chat = update.effective_chat
    try:
        # A message, not a callback answer: the handler may have answered the callback already,
        # and Telegram refuses a second answer.
        if chat is not None:
            await context.bot.send_message(chat.id, rt.text(update.effective_user, "common.error"))
    except TelegramError:
        log.warning("could not tell the user about the error", exc_info=True)
    ops_chat = rt.settings.ops_chat
    if ops_chat is not None and error is not None:
        trace = "".join(traceback.format_exception(error))[-_OPS_LIMIT:]
        try:
            await context.bot.send_message(
                ops_chat, f"<pre>{html.escape(trace)}</pre>", parse_mode=ParseMode.HTML
            )
        except TelegramError:
            log.warning("could not post the traceback to the ops chat", exc_info=True)
