"""Typed messages that are not commands: a manager's awaited answer first, else a form answer.

In a group the bot (privacy mode on) only sees replies to its own messages, which is how
managers answer a force-reply question there.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from bot.handlers import decide, forms


async def on_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await decide.on_typed(update, context):
        return
    await forms.on_text(update, context)


async def on_group_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await decide.on_typed(update, context)


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    text = filters.TEXT & ~filters.COMMAND
    return [
        MessageHandler(filters.ChatType.PRIVATE & (text | filters.CONTACT), on_private_text),
        MessageHandler(filters.ChatType.GROUPS & text & filters.REPLY, on_group_reply),
    ]
