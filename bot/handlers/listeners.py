"""The listener list a manager asks for: the partner sends a CSV/XLSX or declines."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot.handlers import cards
from bot.handlers.callbacks import decode, encode, is_id, pattern
from bot.handlers.downloads import download
from bot.handlers.markup import remove_buttons
from bot.handlers.notify import send_each
from bot.runtime import runtime
from bot.services import listeners
from bot.services.applications import NotAllowed
from bot.services.files import Refused
from bot.storage import applications as applications_repo
from bot.storage import reports as reports_repo

ACTION = "ll"  # ll:<report>:no — the partner declines
PURGE_SECONDS = 6 * 3600


async def ask_partner(update: Update, context: ContextTypes.DEFAULT_TYPE, report_id: int) -> None:
    """From the review card: ask the report's author for the list."""
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    try:
        report = await listeners.request(rt.db, rt.settings, report_id=report_id,
                                         manager_id=user.id, now=rt.clock.now())
    except NotAllowed:
        await query.answer(rt.text(user, "cards.not_yours"), show_alert=True)
        return
    await query.answer(rt.text(user, "listeners.asked"))
    language = await cards.language_of(rt, report.author_id)
    t = rt.speaker(language)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(
        t("listeners.decline"), callback_data=encode(ACTION, report.id, "no"))]])
    await send_each(rt, [report.author_id], lambda chat_id: context.bot.send_message(
        chat_id, t("listeners.request", id=report.application_id), parse_mode=ParseMode.HTML,
        reply_markup=markup))


async def take_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """A spreadsheet from a partner asked for a list; False when nothing was asked."""
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.document is None:
        return False
    asked = await listeners.asked_of(rt.db, user.id)
    if asked is None:
        return False
    document = message.document
    try:
        await listeners.receive(
            rt.db, rt.settings, report_id=asked.report_id, telegram_id=user.id,
            file_id=document.file_id, mime_type=document.mime_type,
            file_name=document.file_name, size=document.file_size,
            download=lambda: download(context, document.file_id),
            now=rt.clock.now(),
        )
    except Refused as exc:
        await message.reply_text(rt.text(user, f"forms.error.{exc.reason}"))
        return True
    await message.reply_text(rt.text(user, "listeners.thanks"))
    await _tell_managers(context, asked.report_id, document.file_id)
    return True


async def _tell_managers(context: ContextTypes.DEFAULT_TYPE, report_id: int,
                         file_id: str | None) -> None:
    """The list goes to managers only (the report's role, or the team chat)."""
    rt = runtime(context)
    report = await reports_repo.get(rt.db.conn, report_id)
    row = await applications_repo.get(rt.db.conn, report.application_id) if report else None
    if report is None or row is None:
        return
    targets = cards.recipients(rt, row)

    async def send(chat_id: int) -> None:
        t = rt.speaker(await cards.language_of(rt, chat_id))
        if file_id is None:
            await context.bot.send_message(chat_id, t("listeners.declined", id=row.id))
        else:
            await context.bot.send_document(chat_id, file_id,
                                            caption=t("listeners.received", id=row.id))

    if rt.settings.managers_chat is not None:
        for chat_id in targets:
            await send(chat_id)
    else:
        await send_each(rt, targets, send)


async def on_decline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.data is None:
        return
    _, parts = decode(query.data)
    if len(parts) != 2 or not is_id(parts[0]):
        await query.answer()
        return
    try:
        done = await listeners.decline(rt.db, report_id=int(parts[0]), telegram_id=user.id,
                                       now=rt.clock.now())
    except NotAllowed:
        await query.answer(rt.text(user, "events.not_yours"), show_alert=True)
        return
    await query.answer()
    await remove_buttons(query)
    if done:
        await context.bot.send_message(user.id, rt.text(user, "listeners.declined_ok"))
        await _tell_managers(context, int(parts[0]), None)


async def purge_expired(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeating job: personal data kept past its period is deleted."""
    rt = runtime(context)
    await listeners.purge(rt.db, rt.settings.data_dir, rt.clock.now())


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [CallbackQueryHandler(on_decline, pattern=pattern(ACTION))]
