"""Typed messages that are not commands: a manager's awaited answer first, else a form answer.

In a group the bot (privacy mode on) only sees replies to its own messages, which is how
managers answer a force-reply question there.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from bot.handlers import decision_card, forms, listeners
from bot.runtime import runtime
from bot.services import decisions


async def on_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not await answer_awaited(update, context):
        await forms.on_text(update, context)


async def on_private_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file: the listener list a manager asked for, else an answer to a form's question."""
    if not await listeners.take_file(update, context):
        await forms.on_file(update, context)


async def on_group_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await answer_awaited(update, context)


async def answer_awaited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """A manager's answer to a question the bot asked with force-reply; False if it is none."""
    rt = runtime(context)
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return False
    # Only a manager is ever asked (a decision card's reason or amount): a partner's typed
    # answer goes straight to their form, without a write transaction to look.
    if not rt.settings.is_manager(user.id):
        return False
    replied = message.reply_to_message.message_id if message.reply_to_message else None
    awaited = await decisions.take_awaited(rt.db, chat_id=message.chat_id, user_id=user.id,
                                           prompt_id=replied)
    if awaited is None:
        return False
    await decision_card.on_awaited(update, context, awaited)
    return True


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    text = filters.TEXT & ~filters.COMMAND
    return [
        MessageHandler(filters.ChatType.PRIVATE & (text | filters.CONTACT), on_private_text),
        MessageHandler(filters.ChatType.PRIVATE & (filters.PHOTO | filters.Document.ALL),
                       on_private_file),
        MessageHandler(filters.ChatType.GROUPS & text & filters.REPLY, on_group_reply),
    ]
