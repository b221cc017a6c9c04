"""Managers review a report: the photos as an album, the documents, the final figures, and
Accept / Reject / Ask for more — once per version, with the credit on acceptance (the flow:
bot/handlers/decision_card.py); the listener list asked of the partner.

Callback data: `rv:<report>:<version>:<step>[:…]`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler

from bot.forms.engine import Form
from bot.forms.fields import format_rubles
from bot.forms.report import REPORT
from bot.handlers import cards, copartners, decision_card, listeners, outbox
from bot.handlers.callbacks import encode
from bot.handlers.decision_card import Choice, Decided, Ending, Facts, Kind, Press, Texts
from bot.handlers.render import answer_lines, assessment_lines, fitted, short_date
from bot.rules import expires_on, report_due
from bot.runtime import Runtime
from bot.services import copartners as copartners_service
from bot.services import outbox as outbox_service
from bot.services import reports
from bot.services.outbox import Subject
from bot.services.reports import Review, ReviewOutcome
from bot.storage import applications as applications_repo
from bot.storage import files as files_repo
from bot.storage import listeners as listeners_repo
from bot.storage import partners as partners_repo
from bot.storage import reports as reports_repo
from bot.storage.applications import ApplicationRow
from bot.storage.files import FileRow
from bot.storage.reports import ReportRow

log = logging.getLogger(__name__)
ACTION = "rv"
PURPOSE_PREFIX = "report_"
REASONS = {
    "no": ("not_held", "no_documents", "competitors"),
    "more": ("photos", "documents", "listener_list", "link"),
}
ACCEPT_CHANGED = "accepted_changed"  # accepted with other points than picked at approval
ENDINGS = {ReviewOutcome.DONE: Ending.DONE, ReviewOutcome.ALREADY: Ending.ALREADY,
           ReviewOutcome.OUT_OF_RANGE: Ending.OUT_OF_RANGE,
           ReviewOutcome.NOT_ALLOWED: Ending.NOT_ALLOWED}


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

    rows = [[button("review.accept", "ok")]]
    if reports.PICKED_POINTS in report.assessment:  # RULEBOOK §7: changed only deliberately
        rows.append([button("review.change_points", "pts")])
    rows += [[button("review.reject", "no"), button("review.more", "more")],
             [button("review.ask_listeners", "ll")]]
    return InlineKeyboardMarkup(rows)


def _attachments(photos: list[tuple[str, FileRow]], documents: list[FileRow]) -> outbox.Prelude:
    """The report's photos as an album, each captioned with its category, then its documents,
    before the card."""

    async def send(bot: Bot, chat_id: int) -> None:
        if len(photos) >= 2:
            await bot.send_media_group(chat_id, [InputMediaPhoto(photo.file_id, caption=caption)
                                                 for caption, photo in photos[:10]])
        elif photos:
            caption, photo = photos[0]
            await bot.send_photo(chat_id, photo.file_id, caption=caption)
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
    documents = await files_repo.by_ids(rt.db.conn, list(report.answers.get("documents") or []))
    return outbox.Outgoing(await review_text(rt, language, report, row),
                           review_buttons(rt, language, report),
                           prelude=_attachments(await _captioned_photos(rt, language, report),
                                                documents))


async def _captioned_photos(rt: Runtime, language: str, report: ReportRow
                            ) -> list[tuple[str, FileRow]]:
    """The report's photos in the checklist's order, each with its category's name."""
    by_category: dict[str, int] = (report.answers.get("photos") or {}).get("photos", {})
    rows = {row.id: row for row in await files_repo.by_ids(rt.db.conn,
                                                           list(by_category.values()))}
    t = rt.speaker(language)
    return [(t("review.photo_caption", category=t(f"forms.report.photo.{category}"),
               id=report.application_id), rows[file_id])
            for category, file_id in by_category.items() if file_id in rows]


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


async def _answers(rt: Runtime, report_id: int) -> tuple[Form, str, dict[str, Any]] | None:
    report = await rt.db.read_at_once(lambda conn: reports_repo.get(conn, report_id))
    return None if report is None else (REPORT, "forms.report", report.answers)


outbox.register_views(Subject.REPORT,
                      outbox.CardViews(_open_card, _closed_card, _outcome, _answers))


@dataclass(frozen=True, slots=True)
class UnderReview:
    report: ReportRow
    application: ApplicationRow


async def _load(rt: Runtime, report_id: int) -> UnderReview | None:
    found = await reports.under_review(rt.db, report_id)
    return None if found is None else UnderReview(*found)


def _facts(held: UnderReview) -> Facts:
    report, row = held.report, held.application
    return Facts(id=report.id, version=report.version, role=row.role,
                 open=report.status == "sent", number=row.id, audit="report",
                 subject=f"application:{row.id}", kind=row.kind,
                 assessment=report.assessment)


async def _decided_text(rt: Runtime, language: str, held: UnderReview) -> str:
    return await decision_line(rt, language, held.report)


async def _review(rt: Runtime, held: UnderReview, manager_id: int, verdict: str,
                  reason: str | None, points: int | None,
                  compensation: int | None) -> Decided[UnderReview]:
    changed = verdict == ACCEPT_CHANGED
    result = await reports.review(
        rt.db, rt.settings, rt.rulebook, report_id=held.report.id, version=held.report.version,
        manager_id=manager_id, action=Review.ACCEPT if changed else Review(verdict),
        now=rt.clock.now(), reason=reason, points=points, compensation=compensation,
        change_points=changed)
    current = UnderReview(result.report, result.application or held.application) if (
        result.report is not None) else None
    return Decided(ENDINGS[result.outcome], current, done=f"review.done.{verdict}")


async def _ask_listeners(press: Press[UnderReview], _: list[str]) -> None:
    await listeners.ask_partner(press.update, press.context, press.row.report.id)


async def _open(press: Press[UnderReview], _: list[str]) -> None:
    """From /pending: a fresh copy of the report's card here, its photos and scans first."""
    query = press.update.callback_query
    assert query is not None
    await query.answer()
    chat_id = query.message.chat.id if query.message else press.user.id
    report, rt = press.row.report, press.rt
    card = await _open_card(rt, await cards.language_of(rt, chat_id), report.id,
                            report.version, chat_id, None)
    if card is None:
        return  # reviewed meanwhile: the press is answered, nothing to show
    bot = press.context.bot
    if card.prelude is not None:
        await card.prelude(bot, chat_id)
    message = await bot.send_message(chat_id, card.text, parse_mode=ParseMode.HTML,
                                     reply_markup=card.markup)
    await outbox_service.card_copy_sent(rt.db, Subject.REPORT, report.id, report.version,
                                        chat_id, message.message_id, rt.clock.now())


def open_button(report: ReportRow, label: str) -> InlineKeyboardButton:
    """/pending's button that opens this report's card."""
    return InlineKeyboardButton(label[:60], callback_data=encode(ACTION, report.id,
                                                                 report.version, "open"))


REPORT_CARD: Kind[UnderReview] = Kind(
    action=ACTION, purpose=PURPOSE_PREFIX, id_key="report_id",
    texts=Texts(reason="review.reason", reason_prompt="review.type_reason",
                amount_prompt="review.type_amount"),
    reason_code="review",
    choices={"ok": Choice(Review.ACCEPT.value, figures=True),
             "pts": Choice(ACCEPT_CHANGED, figures=True, figures_of=reports.rules_points),
             "no": Choice(Review.REJECT.value, reasons={"": REASONS["no"]}),
             "more": Choice(Review.MORE.value, reasons={"": REASONS["more"]})},
    load=_load, facts=_facts,
    buttons=lambda rt, language, held, _: review_buttons(rt, language, held.report),
    decided_text=_decided_text, decide=_review,
    extra={"ll": _ask_listeners, "open": _open},
)


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return decision_card.handlers(REPORT_CARD)
