"""/events: the partner's activities (every employee of the partner sees them), one by one."""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.forms.application import APPLICATION
from bot.handlers import cards, copartners, forms, membership, reminders, support
from bot.handlers.callbacks import decode, encode, is_id, pattern
from bot.handlers.markup import remove_buttons, set_buttons
from bot.handlers.render import answer_lines, assessment_lines, fitted, short_date
from bot.rules import report_due
from bot.runtime import Runtime, runtime
from bot.services import applications, decisions, reports
from bot.services import copartners as copartners_service
from bot.services.applications import OPEN_STATUSES, NotAllowed, Withdrawn
from bot.services.reports import REPORTABLE
from bot.storage.applications import ApplicationRow

ACTION = "ev"
REPORT_ACTION = "rp"  # handled by handlers/report.py
LIST_LIMIT = 20  # buttons in the list; older activities stay in the database and the exports


def _line(rt: Runtime, user: User, row: ApplicationRow) -> str:
    return rt.text(user, "events.line", id=row.id, date=short_date(row.event_date),
                   kind=rt.text(user, f"forms.apply.kind_short.{row.kind}"), title=row.title,
                   status=rt.text(user, f"events.status.{row.status}"))


async def events_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    try:
        rows = await applications.of_member(rt.db, user.id)
    except NotAllowed:
        await message.reply_text(await membership.not_active(rt, user), parse_mode=ParseMode.HTML)
        return
    draft = await applications.load_draft(rt.db, user.id, APPLICATION.name)
    lines = [rt.text(user, "events.title")]
    if draft is not None:
        lines.append(rt.text(user, "events.draft"))
    if not rows:
        lines.append(rt.text(user, "events.none"))
    lines.extend(_line(rt, user, row) for row in rows[:LIST_LIMIT])
    buttons = [
        [InlineKeyboardButton(f"#{row.id} · {short_date(row.event_date)} · {row.title}"[:60],
                              callback_data=encode(ACTION, "open", row.id))]
        for row in rows[:LIST_LIMIT]
    ]
    await message.reply_text("\n".join(lines), parse_mode=ParseMode.HTML,
                             reply_markup=InlineKeyboardMarkup(buttons) if buttons else None)


def _next_step(rt: Runtime, user: User, row: ApplicationRow, reason: str) -> str:
    held = date.fromisoformat(row.event_date)
    due = report_due(rt.rulebook, held)
    step = row.status
    if step == "approved" and held < rt.clock.now().date():  # the day has passed: report
        step = "report_due"
    elif step == "approved" and row.kind == "article":
        step = "approved_article"
    return rt.text(user, f"events.next.{step}", event_date=short_date(row.event_date),
                   report_due=due.strftime("%d.%m.%Y"), reason=reason)


async def _rejection_reason(rt: Runtime, user: User, row: ApplicationRow) -> str:
    if row.status != "rejected":
        return ""
    decided = await decisions.latest(rt.db, row.id)
    return cards.reason_text(rt, rt.language(user), decided.reason if decided else None)


async def _credited(rt: Runtime, user: User, row: ApplicationRow) -> str | None:
    """What was credited for a credited activity: the report's figures, not the forecast."""
    if row.status != "credited":
        return None
    report = await reports.of_application(rt.db, row.id)
    if report is None:
        return None
    return rt.text(user, "events.credited", figures=cards.figures(
        rt, rt.language(user), report.points, report.compensation))


def details_text(rt: Runtime, user: User, row: ApplicationRow,
                 partnered: list[copartners_service.Copartnered], reason: str = "",
                 credited: str | None = None) -> str:
    language = rt.language(user)
    head = [
        rt.text(user, "events.details_title", id=row.id,
                kind=rt.text(user, f"forms.apply.kind_short.{row.kind}"), title=row.title,
                status=rt.text(user, f"events.status.{row.status}")),
        _next_step(rt, user, row, reason),
    ]
    expected = [credited] if credited else [rt.text(user, "apply.expected"), "\n".join(
        assessment_lines(rt, language, row.assessment, row.answers.get("planned_listeners")))]
    section = copartners.results_section(rt, language, partnered, rt.clock.now().date())
    return fitted(lambda limit: "\n\n".join([
        *head,
        "\n".join(answer_lines(rt, language, APPLICATION, "forms.apply", row.answers, limit)),
        *expected,
        *([section] if section else []),
    ]))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.data is None:
        return
    _, parts = decode(query.data)
    if len(parts) != 2 or not is_id(parts[1]):
        await query.answer()
        return
    what, application_id = parts[0], int(parts[1])
    try:
        row = await applications.visible(rt.db, user.id, application_id)
    except NotAllowed:
        await query.answer(rt.text(user, "events.not_yours"), show_alert=True)
        return
    if what == "open":
        await query.answer()
        buttons = []
        if row.status in OPEN_STATUSES:
            buttons.append([InlineKeyboardButton(rt.text(user, "events.withdraw"),
                                                 callback_data=encode(ACTION, "withdraw", row.id))])
        if row.status in REPORTABLE and date.fromisoformat(row.event_date) <= rt.clock.now().date():
            buttons.append([InlineKeyboardButton(rt.text(user, "events.report"),
                                                 callback_data=encode(REPORT_ACTION, row.id))])
        if reminders.has_reminders(row):
            buttons.append([reminders.open_button(rt, rt.language(user), row.id)])
        buttons.extend(support.event_buttons(rt, user, row))  # 📣 info support, 📦 promo
        buttons.append([InlineKeyboardButton(rt.text(user, "events.repeat"),
                                             callback_data=encode(ACTION, "repeat", row.id))])
        partnered = await copartners_service.of_event(rt.db, row.id)
        if partnered or row.status in copartners_service.OPEN_FOR_COPARTNERS:
            buttons.append([copartners.list_button(rt, rt.language(user), row.id,
                                                   len(partnered))])
        await context.bot.send_message(
            user.id, details_text(rt, user, row, partnered,
                                  await _rejection_reason(rt, user, row),
                                  await _credited(rt, user, row)),
            parse_mode=ParseMode.HTML,
            reply_markup=InlineKeyboardMarkup(buttons) if buttons else None,
        )
    elif what == "repeat":
        await _repeat(update, context, row.id)
    elif what == "withdraw":
        await query.answer()
        confirm = InlineKeyboardMarkup([[
            InlineKeyboardButton(rt.text(user, "events.withdraw_yes"),
                                 callback_data=encode(ACTION, "withdraw_yes", row.id)),
        ]])
        await set_buttons(query, confirm)
    elif what == "withdraw_yes":
        result = await applications.withdraw(rt.db, telegram_id=user.id,
                                             application_id=row.id, now=rt.clock.now())
        await query.answer()
        await remove_buttons(query)
        key = "events.withdrawn" if result is Withdrawn.DONE else "events.withdraw_too_late"
        await context.bot.send_message(user.id, rt.text(user, key, id=row.id))
    else:
        await query.answer()


async def _repeat(update: Update, context: ContextTypes.DEFAULT_TYPE, application_id: int) -> None:
    """🔁 Repeat: the event's answers become a new draft that asks only the date."""
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    if await applications.load_draft(rt.db, user.id, APPLICATION.name) is not None:
        await query.answer()
        await context.bot.send_message(user.id, rt.text(user, "events.repeat_draft_exists"))
        return
    try:
        draft = await applications.repeat(rt.db, telegram_id=user.id,
                                          application_id=application_id, now=rt.clock.now())
    except NotAllowed:
        await query.answer(rt.text(user, "events.not_yours"), show_alert=True)
        return
    await query.answer()
    await forms.ask(update, context, draft)


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [
        CommandHandler("events", events_command),
        CallbackQueryHandler(on_button, pattern=pattern(ACTION)),
    ]
