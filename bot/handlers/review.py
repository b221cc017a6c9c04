"""Managers review a report: the photos as an album, the documents, the final figures, and
Accept / Reject / Ask for more — once per version, with the credit on acceptance.

Callback data: `rv:<report>:<version>:<step>[:…]`.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot.forms.fields import format_rubles
from bot.forms.parsing import Invalid, parse_money
from bot.forms.report import REPORT
from bot.handlers import cards, copartners, listeners, outbox
from bot.handlers.callbacks import card_press, encode, pattern
from bot.handlers.decide import ask_typed, point_choices
from bot.handlers.notify import answer_quietly
from bot.handlers.render import answer_lines, assessment_lines, fitted, short_date
from bot.rules import expires_on, report_due
from bot.runtime import Runtime, runtime
from bot.services import copartners as copartners_service
from bot.services import decisions, reports
from bot.services.outbox import Subject
from bot.services.reports import Review, ReviewOutcome
from bot.services.routing import may_decide
from bot.storage import applications as applications_repo
from bot.storage import files as files_repo
from bot.storage import listeners as listeners_repo
from bot.storage import partners as partners_repo
from bot.storage import reports as reports_repo
from bot.storage.applications import ApplicationRow
from bot.storage.decisions import Awaited
from bot.storage.files import FileRow
from bot.storage.reports import ReportRow

log = logging.getLogger(__name__)
ACTION = "rv"
PURPOSE_PREFIX = "report_"
REASONS = {
    "no": ("not_held", "no_documents", "competitors"),
    "more": ("photos", "documents", "listener_list", "link"),
}
ACTIONS = {"no": Review.REJECT, "more": Review.MORE}


async def review_text(rt: Runtime, language: str, report: ReportRow, row: ApplicationRow,
                      decided: bool = False) -> str:
    t = rt.speaker(language)
    partner = await partners_repo.by_id(rt.db.conn, row.partner_id)
    assert partner is not None
    head = [
        t("review.title", id=row.id, kind=t(f"forms.apply.kind_short.{row.kind}"),
          title=row.title, date=short_date(row.event_date), version=report.version),
        t("cards.partner", company=partner.company, code=partner.code, city=partner.city,
          status=t(f"forms.join.status.{partner.status}")),
    ]
    if report.late:
        due = report_due(rt.rulebook, date.fromisoformat(row.event_date))
        head.append(t("review.late", due=due.strftime("%d.%m.%Y")))
    asked = await listeners_repo.of_report(rt.db.conn, report.id)
    if asked is not None:  # a refusal may cost points and compensation (§3)
        head.append(t(f"review.listeners.{asked.state}"))
    partnered = await copartners_service.of_event(rt.db, row.id)
    section = copartners.results_section(rt, language, partnered, rt.clock.now().date())
    tail = [*([section] if section else []),
            t("review.expected"), "\n".join(assessment_lines(rt, language, report.assessment))]
    if decided:
        tail.append(await decision_line(rt, language, report))

    def build(limit: int) -> str:
        answers = answer_lines(rt, language, REPORT, "forms.report", report.answers, limit)
        return "\n\n".join([*head, "\n".join(answers), *tail])

    return fitted(build)


async def decision_line(rt: Runtime, language: str, report: ReportRow) -> str:
    t = rt.speaker(language)
    who = await cards.person_name(rt, report.decided_by) if report.decided_by else "—"
    at = datetime.fromisoformat(report.decided_at or report.submitted_at).astimezone(
        rt.settings.timezone)
    return t(f"review.decided.{report.status}", who=who,
             at=at.strftime("%d.%m.%Y %H:%M"),
             figures=cards.figures(rt, language, report.points, report.compensation),
             reason=cards.reason_text(rt, language, report.reason))


def review_buttons(rt: Runtime, language: str, report: ReportRow) -> InlineKeyboardMarkup:
    t = rt.speaker(language)

    def button(label: str, *parts: object) -> InlineKeyboardButton:
        return InlineKeyboardButton(t(label), callback_data=encode(
            ACTION, report.id, report.version, *parts))

    return InlineKeyboardMarkup([
        [button("review.accept", "ok")],
        [button("review.reject", "no"), button("review.more", "more")],
        [button("review.ask_listeners", "ll")],
    ])


def _attachments(photos: list[FileRow], documents: list[FileRow]) -> outbox.Prelude:
    """The report's photos as an album, then its documents, before the card."""

    async def send(bot: Bot, chat_id: int) -> None:
        if len(photos) >= 2:
            await bot.send_media_group(chat_id, [InputMediaPhoto(p.file_id) for p in photos[:10]])
        elif photos:
            await bot.send_photo(chat_id, photos[0].file_id)
        for document in documents:  # a scan may have come as a photo
            if document.kind == "photo":
                await bot.send_photo(chat_id, document.file_id)
            else:
                await bot.send_document(chat_id, document.file_id)

    return send


# --- the report's messages in the outbox (bot/handlers/outbox.py) ------------------------------

async def _open_card(rt: Runtime, language: str, report_id: int, version: int, chat_id: int,
                     note: dict[str, Any] | None) -> outbox.Outgoing | None:
    report = await reports_repo.get(rt.db.conn, report_id)
    row = await applications_repo.get(rt.db.conn, report.application_id) if report else None
    if report is None or row is None or report.version != version or report.status != "sent":
        return None  # reviewed meanwhile
    photos = await files_repo.by_ids(rt.db.conn, list(
        (report.answers.get("photos") or {}).get("photos", {}).values()))
    documents = await files_repo.by_ids(rt.db.conn, list(report.answers.get("documents") or []))
    return outbox.Outgoing(await review_text(rt, language, report, row),
                           review_buttons(rt, language, report),
                           prelude=_attachments(photos, documents))


async def _closed_card(rt: Runtime, language: str, report_id: int, version: int) -> str | None:
    report = await reports_repo.get(rt.db.conn, report_id)
    row = await applications_repo.get(rt.db.conn, report.application_id) if report else None
    if report is None or row is None:
        return None
    return await review_text(rt, language, report, row, True)


async def _outcome(rt: Runtime, language: str, report_id: int,
                   version: int) -> outbox.Outgoing | None:
    report = await reports_repo.get(rt.db.conn, report_id)
    row = await applications_repo.get(rt.db.conn, report.application_id) if report else None
    if report is None or row is None or report.version != version:
        return None
    t = rt.speaker(language)
    credited_on = date.fromisoformat((report.decided_at or report.submitted_at)[:10])
    text = t(f"review.tell.{report.status}", id=row.id, title=row.title,
             points=report.points or 0, compensation=format_rubles(report.compensation or 0),
             expires=expires_on(rt.rulebook, credited_on).strftime("%d.%m.%Y"),
             reason=cards.reason_text(rt, language, report.reason))
    markup = None
    if report.status == Review.MORE.value:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(
            t("review.fix"), callback_data=encode("rp", row.id))]])
    return outbox.Outgoing(text, markup)


outbox.register_views(Subject.REPORT, outbox.CardViews(_open_card, _closed_card, _outcome))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.data is None:
        return
    press = card_press(query.data)
    if press is None:
        await query.answer()
        return
    report_id, version, step, args = press
    report = await reports_repo.get(rt.db.conn, report_id)
    row = await applications_repo.get(rt.db.conn, report.application_id) if report else None
    t = rt.speaker(rt.language(user))
    if report is None or row is None:
        await query.answer()
        return
    if not may_decide(rt.settings, user.id, row.role):
        await query.answer(t("cards.not_yours"), show_alert=True)
        return
    if report.version != version or report.status != "sent":
        await query.answer((await decision_line(rt, rt.language(user), report))[:200],
                           show_alert=True)
        return

    def button(label: str, *more: object, literal: bool = False) -> InlineKeyboardButton:
        return InlineKeyboardButton(label if literal else t(label), callback_data=encode(
            ACTION, report.id, report.version, *more))

    back = [button("cards.back", "back")]
    if step == "ok":
        points_range = decisions.points_range(report.assessment)
        if points_range is not None:
            await query.answer(t("cards.pick_points"))
            picks = [button(str(p), "p", p, literal=True) for p in point_choices(*points_range)]
            await query.edit_message_reply_markup(InlineKeyboardMarkup(
                [picks[i:i + 3] for i in range(0, len(picks), 3)] + [back]))
            return
        await _accept_with_points(update, context, report, None)
    elif step == "p" and args and args[0].isdigit():
        await _accept_with_points(update, context, report, int(args[0]))
    elif step == "c" and len(args) == 2 and args[1].isdigit():
        await _review(update, context, report, Review.ACCEPT,
                      points=int(args[0]) if args[0].isdigit() else None,
                      compensation=int(args[1]))
    elif step == "ct" and args:
        await query.answer()
        await ask_typed(update, context, f"{PURPOSE_PREFIX}compensation",
                        t("review.type_amount", id=row.id),
                        {"report_id": report.id, "version": report.version, "points": args[0]})
    elif step in REASONS:
        await query.answer()
        rows = [[button(f"review.reason.{code}", "r", step, code)] for code in REASONS[step]]
        rows.append([button("cards.type_reason", "rt", step), *back])
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))
    elif step == "r" and len(args) == 2 and args[0] in REASONS and args[1] in REASONS[args[0]]:
        await _review(update, context, report, ACTIONS[args[0]], reason=f"review:{args[1]}")
    elif step == "rt" and args and args[0] in REASONS:
        await query.answer()
        await ask_typed(update, context, f"{PURPOSE_PREFIX}reason",
                        t(f"review.type_reason.{args[0]}", id=row.id),
                        {"report_id": report.id, "version": report.version, "action": args[0]})
    elif step == "back":
        await query.answer()
        await query.edit_message_reply_markup(review_buttons(rt, rt.language(user), report))
    elif step == "ll":
        await listeners.ask_partner(update, context, report.id)
    else:
        await query.answer()


async def _accept_with_points(update: Update, context: ContextTypes.DEFAULT_TYPE,
                              report: ReportRow, points: int | None) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    t = rt.speaker(rt.language(user))
    money = decisions.compensation_range(report.assessment)
    if money is None:
        await _review(update, context, report, Review.ACCEPT, points=points)
        return
    await query.answer(t("cards.pick_compensation"))
    await query.edit_message_reply_markup(cards.compensation_keyboard(
        rt, rt.language(user), ACTION, report.id, report.version, money,
        "-" if points is None else str(points)))


async def on_awaited(update: Update, context: ContextTypes.DEFAULT_TYPE,
                     awaited: Awaited) -> None:
    rt = runtime(context)
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None and message.text is not None
    report = await reports_repo.get(rt.db.conn, int(awaited.data["report_id"]))
    if report is None:
        return
    if report.version != int(awaited.data["version"]) or report.status != "sent":
        await message.reply_text(await decision_line(rt, rt.language(user), report))
        return
    if awaited.purpose == f"{PURPOSE_PREFIX}reason":
        await _review(update, context, report, ACTIONS[str(awaited.data["action"])],
                      reason=message.text.strip()[:500])
        return
    carried = str(awaited.data.get("points", "-"))
    try:
        amount = parse_money(message.text)
    except Invalid:
        await ask_typed(update, context, awaited.purpose,
                        rt.text(user, "cards.amount_again"), awaited.data)
        return
    await _review(update, context, report, Review.ACCEPT,
                  points=int(carried) if carried.isdigit() else None, compensation=amount)


async def _review(update: Update, context: ContextTypes.DEFAULT_TYPE, report: ReportRow,
                  action: Review, *, reason: str | None = None, points: int | None = None,
                  compensation: int | None = None) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    assert user is not None
    t = rt.speaker(rt.language(user))
    result = await reports.review(
        rt.db, rt.settings, rt.rulebook, report_id=report.id, version=report.version,
        manager_id=user.id,
        action=action, now=rt.clock.now(), reason=reason, points=points,
        compensation=compensation,
    )
    if result.outcome is not ReviewOutcome.DONE:
        text = {ReviewOutcome.OUT_OF_RANGE: t("cards.out_of_range"),
                ReviewOutcome.NOT_ALLOWED: t("cards.not_yours")}.get(result.outcome) or (
            await decision_line(rt, rt.language(user), result.report or report))
        if query is not None:
            await query.answer(text[:200], show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(text)
        return
    rt.outbox.wake()  # the card's copies closed and the partner told, by the outbox
    if query is not None:
        await answer_quietly(query, t(f"review.done.{action.value}"))


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [CallbackQueryHandler(on_button, pattern=pattern(ACTION))]
