"""The manager's card of an application: its text, its buttons, and every copy kept in step."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode

from bot.config import Role
from bot.forms.application import APPLICATION
from bot.forms.engine import Form
from bot.forms.fields import Context, Field, format_rubles
from bot.handlers import outbox
from bot.handlers.callbacks import encode
from bot.handlers.forms import language_context
from bot.handlers.render import answer_lines, assessment_lines, fitted, short_date
from bot.rules import report_due
from bot.runtime import Runtime
from bot.services import decisions as decisions_service
from bot.services import outbox as outbox_service
from bot.services.outbox import Subject
from bot.storage import applications as applications_repo
from bot.storage import decisions as decisions_repo
from bot.storage import partners as partners_repo
from bot.storage.applications import ApplicationRow
from bot.storage.decisions import DecisionRow

log = logging.getLogger(__name__)
ACTION = "d"
CHANGE_LIMIT = 100  # characters of an old or a new answer in a card's note of changes


# A remark above a card's answers, written per reader's language.
Note = Callable[[str], str]


async def card_text(rt: Runtime, language: str, row: ApplicationRow,
                    decision: DecisionRow | None = None, note: Note | None = None) -> str:
    t = rt.speaker(language)
    partner = await partners_repo.by_id(rt.db.conn, row.partner_id)
    assert partner is not None
    head = t("cards.title", id=row.id, kind=t(f"forms.apply.kind_short.{row.kind}"),
             title=row.title, date=short_date(row.event_date), version=row.version)
    who = t("cards.partner", company=partner.company, code=partner.code, city=partner.city,
            status=t(f"forms.join.status.{partner.status}"))
    above = [head, who] + ([note(language)] if note is not None else [])
    expected = [t("cards.expected"), "\n".join(assessment_lines(
        rt, language, row.assessment, row.answers.get("planned_listeners")))]
    below = [await decision_line(rt, language, decision)] if decision is not None else []

    def build(limit: int) -> str:
        answers = answer_lines(rt, language, APPLICATION, "forms.apply", row.answers, limit)
        return "\n\n".join([*above, "\n".join(answers), *expected, *below])

    return fitted(build)


async def decision_line(rt: Runtime, language: str, decision: DecisionRow) -> str:
    t = rt.speaker(language)
    name = await person_name(rt, decision.manager_id)
    at = datetime.fromisoformat(decision.decided_at).astimezone(rt.settings.timezone)
    return t(f"cards.decided.{decision.action}", name=name, at=at.strftime("%d.%m.%Y %H:%M"),
             figures=figures(rt, language, decision.points, decision.compensation),
             reason=reason_text(rt, language, decision.reason),
             paused=decision.info_support_paused)


async def person_name(rt: Runtime, telegram_id: int) -> str:
    row = await rt.db.fetch_one("SELECT first_name FROM users WHERE telegram_id = ?",
                                (telegram_id,))
    return str(row[0]) if row else str(telegram_id)


def figures(rt: Runtime, language: str, points: int | None, compensation: int | None) -> str:
    """The points and compensation a decision fixed, e.g. «points: 60, compensation: 20 000 ₽»."""
    t = rt.speaker(language)
    parts = []
    if points is not None:
        parts.append(t("cards.points", points=points))
    if compensation:  # nothing to say about a zero
        parts.append(t("cards.compensation", amount=format_rubles(compensation)))
    return ", ".join(parts)


def reason_text(rt: Runtime, language: str, reason: str | None) -> str:
    """A reason is a common one by its code (`code:late`) or what the manager typed."""
    if not reason:
        return ""
    if reason.startswith("code:"):
        return rt.texts.render(language, f"cards.reason.{reason.removeprefix('code:')}")
    if reason.startswith("review:"):
        return rt.texts.render(language, f"review.reason.{reason.removeprefix('review:')}")
    return reason


def decision_buttons(rt: Runtime, language: str, row: ApplicationRow,
                     head: bool = False) -> InlineKeyboardMarkup:
    t = rt.speaker(language)

    def button(label: str, *parts: object) -> InlineKeyboardButton:
        return InlineKeyboardButton(t(label), callback_data=encode(ACTION, row.id, row.version,
                                                                   *parts))

    rows = [[button("cards.approve", "ok")]]
    if decisions_service.may_pause_info(rt.rulebook, row):
        rows.append([button("cards.approve_paused", "op")])
    rows.append([button("cards.reject", "no"), button("cards.changes", "ch")])
    if head:
        rows.append([button("cards.reassign", "re")])
    return InlineKeyboardMarkup(rows)


def recipients(rt: Runtime, row: ApplicationRow) -> list[int]:
    """The team chat when there is one, else the members of the card's role."""
    return outbox_service.deciders(rt.settings, Role(row.role))


async def language_of(rt: Runtime, chat_id: int) -> str:
    return await outbox.language_of(rt, chat_id)


async def send_card(bot: Bot, rt: Runtime, row: ApplicationRow, chat_id: int) -> None:
    """A fresh copy of the card, asked for from /pending: the answer to the manager's own tap."""
    language = await language_of(rt, chat_id)
    head = chat_id in rt.settings.managers.get(Role.HEAD, ())
    message = await bot.send_message(
        chat_id, await card_text(rt, language, row), parse_mode=ParseMode.HTML,
        reply_markup=decision_buttons(rt, language, row, head=head),
    )
    await outbox_service.card_copy_sent(rt.db, Subject.APPLICATION, row.id, row.version,
                                        chat_id, message.message_id, rt.clock.now())


async def note_text(rt: Runtime, language: str, note: dict[str, Any],
                    answers: dict[str, Any]) -> str:
    """A remark above a card, kept in the outbox row as its key and ids."""
    key = str(note["key"])
    if key == "cards.changed":
        return rt.texts.render(language, key, version=note["version"],
                               changes=changes_shown(rt, language, note, answers))
    if key == "cards.reassigned_note":
        return rt.texts.render(language, key, name=await person_name(rt, int(note["by"])))
    return rt.texts.render(language, key, days=note.get("days"))


def changes_shown(rt: Runtime, language: str, note: dict[str, Any],
                  now: dict[str, Any]) -> list[dict[str, str]]:
    """Each changed answer as its label, what it was and what it is now (a note written before
    the old values were kept has the labels only)."""
    known, ctx = rt.texts.keys(language), language_context(rt, language)
    was = {**now, **note.get("was", {})}
    shown = []
    for key in note.get("fields", ()):
        if f"forms.apply.{key}.label" not in known:
            continue
        field = APPLICATION.field(key)
        change = {"label": rt.texts.render(language, f"forms.apply.{key}.label")}
        if "was" in note:
            change |= {"was": _shown_answer(field, was, ctx), "now": _shown_answer(field, now, ctx)}
        shown.append(change)
    return shown


def _shown_answer(field: Field, answers: dict[str, Any], ctx: Context) -> str:
    value = answers.get(field.key)
    if value is None or value == []:
        return "—"
    shown = field.show_answer(answers, ctx)
    return shown if len(shown) <= CHANGE_LIMIT else shown[:CHANGE_LIMIT - 1] + "…"


# --- the application's messages in the outbox (bot/handlers/outbox.py) -------------------------

async def _open_card(rt: Runtime, language: str, application_id: int, version: int,
                     chat_id: int, note: dict[str, Any] | None) -> outbox.Outgoing | None:
    row = await applications_repo.get(rt.db.conn, application_id)
    if row is None or row.version != version or row.status != "pending":
        return None  # decided (or changed) meanwhile: nothing to decide on this card
    remark = await note_text(rt, language, note, row.answers) if note else None
    head = chat_id in rt.settings.managers.get(Role.HEAD, ())
    text = await card_text(rt, language, row, note=(lambda _: remark) if remark else None)
    return outbox.Outgoing(text, decision_buttons(rt, language, row, head=head))


async def _closed_card(rt: Runtime, language: str, application_id: int,
                       version: int) -> str | None:
    row = await applications_repo.get(rt.db.conn, application_id)
    decision = await decisions_repo.latest(rt.db.conn, application_id)
    if row is None or decision is None:
        return None
    return await card_text(rt, language, row, decision)


async def _outcome(rt: Runtime, language: str, application_id: int,
                   version: int) -> outbox.Outgoing | None:
    row = await applications_repo.get(rt.db.conn, application_id)
    decision = await decisions_repo.latest(rt.db.conn, application_id)
    if row is None or decision is None or decision.version != version:
        return None
    t = rt.speaker(language)
    due = report_due(rt.rulebook, date.fromisoformat(row.event_date))
    text = t(f"decided.{decision.action}", id=row.id, title=row.title, kind=row.kind,
             figures=figures(rt, language, decision.points, decision.compensation),
             report_due=due.strftime("%d.%m.%Y"), event_date=short_date(row.event_date),
             reason=reason_text(rt, language, decision.reason),
             paused=decision.info_support_paused)
    markup = None
    if decision.action == "changes_requested":
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(
            t("decided.fix"), callback_data=encode("a", "fix", row.id))]])
    return outbox.Outgoing(text, markup)


async def _answers(rt: Runtime, application_id: int) -> tuple[Form, str, dict[str, Any]] | None:
    row = await rt.db.read_at_once(lambda conn: applications_repo.get(conn, application_id))
    return None if row is None else (APPLICATION, "forms.apply", row.answers)


outbox.register_views(Subject.APPLICATION,
                      outbox.CardViews(_open_card, _closed_card, _outcome, _answers))
