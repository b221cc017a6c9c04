"""The manager's card of an application: its text, its buttons, and every copy kept in step."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.config import Role
from bot.forms.application import APPLICATION
from bot.forms.fields import format_rubles
from bot.handlers.callbacks import encode
from bot.handlers.notify import reachable
from bot.handlers.render import answer_lines, assessment_lines, fitted, short_date
from bot.runtime import Runtime
from bot.storage import decisions as decisions_repo
from bot.storage import partners as partners_repo
from bot.storage.applications import ApplicationRow
from bot.storage.decisions import DecisionRow

log = logging.getLogger(__name__)
ACTION = "d"


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
             reason=reason_text(rt, language, decision.reason))


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


def compensation_keyboard(rt: Runtime, language: str, action: str, subject_id: int,
                          version: int, money: tuple[int, int | None],
                          carried: str) -> InlineKeyboardMarkup:
    """The lowest and highest amount the rules allow, another typed amount, and Back."""
    t = rt.speaker(language)
    low, top = money
    options = [low] if top is None else [low, top]

    def data(*parts: object) -> str:
        return encode(action, subject_id, version, *parts)

    return InlineKeyboardMarkup([
        [InlineKeyboardButton(format_rubles(k), callback_data=data("c", carried, k))
         for k in options],
        [InlineKeyboardButton(t("cards.type_other_amount"), callback_data=data("ct", carried))],
        [InlineKeyboardButton(t("cards.back"), callback_data=data("back"))],
    ])


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

    rows = [
        [button("cards.approve", "ok")],
        [button("cards.reject", "no"), button("cards.changes", "ch")],
    ]
    if head:
        rows.append([button("cards.reassign", "re")])
    return InlineKeyboardMarkup(rows)


def recipients(rt: Runtime, row: ApplicationRow) -> list[int]:
    """The team chat when there is one, else the members of the card's role."""
    if rt.settings.managers_chat is not None:
        return [rt.settings.managers_chat]
    return list(rt.settings.members_of(Role(row.role)))


async def language_of(rt: Runtime, chat_id: int) -> str:
    row = await rt.db.fetch_one("SELECT language FROM users WHERE telegram_id = ?", (chat_id,))
    return str(row[0]) if row else rt.texts.default_language


async def send_card(bot: Bot, rt: Runtime, row: ApplicationRow, chat_id: int,
                    note: Note | None = None) -> None:
    language = await language_of(rt, chat_id)
    head = chat_id in rt.settings.managers.get(Role.HEAD, ())
    message = await bot.send_message(
        chat_id, await card_text(rt, language, row, note=note), parse_mode=ParseMode.HTML,
        reply_markup=decision_buttons(rt, language, row, head=head),
    )
    async with rt.db.transaction() as conn:
        await decisions_repo.add_card(conn, chat_id=chat_id, message_id=message.message_id,
                                      application_id=row.id, version=row.version)


async def deliver(bot: Bot, rt: Runtime, row: ApplicationRow, note: Note | None = None,
                  to: list[int] | None = None) -> int:
    """Send the card to whoever decides it; returns how many got it."""
    targets = to if to is not None else recipients(rt, row)
    if rt.settings.managers_chat is None or to is not None:
        targets = await reachable(rt, targets)
    delivered = 0
    for chat_id in targets:
        try:
            await send_card(bot, rt, row, chat_id, note)
        except BadRequest as exc:
            log.warning("card #%s not sent to %s: %s", row.id, chat_id, exc)
            continue
        delivered += 1
    return delivered


async def close_cards(bot: Bot, rt: Runtime, row: ApplicationRow,
                      decision: DecisionRow) -> None:
    """Every copy of the card shows the decision, who made it and when; no buttons left."""
    async with rt.db.conn.execute(
        "SELECT chat_id, message_id FROM cards WHERE application_id = ? AND version = ?",
        (row.id, decision.version),
    ) as cursor:
        copies: list[Any] = list(await cursor.fetchall())
    for chat_id, message_id in copies:
        language = await language_of(rt, chat_id)
        try:
            await bot.edit_message_text(
                await card_text(rt, language, row, decision), chat_id=chat_id,
                message_id=message_id, parse_mode=ParseMode.HTML, reply_markup=None,
            )
        except BadRequest as exc:
            if "not modified" not in str(exc) and "not found" not in str(exc):
                raise
