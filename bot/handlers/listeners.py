"""The listener list a manager asks for: the partner sends a CSV/XLSX or declines."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot.handlers import outbox
from bot.handlers.callbacks import decode, encode, is_id, pattern
from bot.handlers.downloads import download
from bot.handlers.markup import remove_buttons
from bot.runtime import Runtime, runtime
from bot.services import listeners, reports
from bot.services.applications import NotAllowed
from bot.services.files import Refused

ACTION = "ll"  # ll:<report>:no — the partner declines
PURGE_SECONDS = 6 * 3600


async def ask_partner(update: Update, context: ContextTypes.DEFAULT_TYPE, report_id: int) -> None:
    """From the review card: ask the report's author for the list."""
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    try:
        await listeners.request(rt.db, rt.settings, report_id=report_id, manager_id=user.id,
                                now=rt.clock.now())
    except NotAllowed:
        await query.answer(rt.text(user, "cards.not_yours"), show_alert=True)
        return
    rt.outbox.wake()  # the partner asked, by the outbox
    await query.answer(rt.text(user, "listeners.asked"))


async def _asked(rt: Runtime, language: str, payload: dict[str, Any]) -> outbox.Outgoing | None:
    """The report's author is asked for the list, with a button to decline."""
    found = await reports.under_review(rt.db, int(payload["report"]))
    if found is None:
        return None
    report, _ = found
    t = rt.speaker(language)
    return outbox.Outgoing(t("listeners.request", id=report.application_id),
                           InlineKeyboardMarkup([[InlineKeyboardButton(
                               t("listeners.decline"),
                               callback_data=encode(ACTION, report.id, "no"))]]))


async def _settled(rt: Runtime, language: str,
                   payload: dict[str, Any]) -> outbox.Outgoing | None:
    """The list goes to managers only (the report's role, or the team chat), or its refusal."""
    found = await reports.under_review(rt.db, int(payload["report"]))
    kept = await listeners.of_report(rt.db, int(payload["report"]))
    if found is None or kept is None:
        return None
    t, row = rt.speaker(language), found[1]
    if kept.state == "received" and kept.file_id:
        return outbox.Outgoing(t("listeners.received", id=row.id), document=kept.file_id)
    if kept.state == "declined":
        return outbox.Outgoing(t("listeners.declined", id=row.id))
    return None  # deleted after its period before it went out


outbox.register_notice("listeners_asked", _asked)
outbox.register_notice("listeners_settled", _settled)


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
    rt.outbox.wake()  # the list to the managers, by the outbox
    await message.reply_text(rt.text(user, "listeners.thanks"))
    return True


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
        done = await listeners.decline(rt.db, rt.settings, report_id=int(parts[0]),
                                       telegram_id=user.id, now=rt.clock.now())
    except NotAllowed:
        await query.answer(rt.text(user, "events.not_yours"), show_alert=True)
        return
    await query.answer()
    await remove_buttons(query)
    if done:
        rt.outbox.wake()  # the managers told, by the outbox
        await context.bot.send_message(user.id, rt.text(user, "listeners.declined_ok"))


async def purge_expired(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeating job: personal data kept past its period is deleted."""
    rt = runtime(context)
    await listeners.purge(rt.db, rt.settings.data_dir, rt.clock.now())


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [CallbackQueryHandler(on_decline, pattern=pattern(ACTION))]
