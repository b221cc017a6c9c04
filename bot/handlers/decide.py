"""Managers decide on an application's card: one tap to approve; a figure or a reason where
one is needed (the flow: bot/handlers/decision_card.py); the head also gives it to another
role. /pending and /history; stalled applications go to the head.

Callback data: `d:<application>:<version>:<step>[:…]`. Every press re-checks, in the service,
that the presser holds the card's role and that this version is still undecided.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.config import Role
from bot.handlers import cards, decision_card, review
from bot.handlers.callbacks import encode, is_id
from bot.handlers.decision_card import Choice, Decided, Ending, Facts, Kind, Press, Texts
from bot.handlers.render import short_date
from bot.runtime import Runtime, runtime
from bot.services import decisions, reports
from bot.services.decisions import Action, Outcome
from bot.storage.applications import ApplicationRow

log = logging.getLogger(__name__)
ACTION = cards.ACTION
REASONS = {
    "no": ("late", "reserved_title", "competitors", "not_prospects", "duplicate"),
    "ch": ("program", "costs", "vendor_talks", "title", "details"),
}
APPROVE_PAUSED = "approved_paused"  # approved, its info support paused (RULEBOOK §7)
ENDINGS = {Outcome.DONE: Ending.DONE, Outcome.ALREADY: Ending.ALREADY,
           Outcome.OUT_OF_RANGE: Ending.OUT_OF_RANGE}


def _facts(row: ApplicationRow) -> Facts:
    return Facts(id=row.id, version=row.version, role=row.role, open=row.status == "pending",
                 number=row.id, audit="activity", subject=f"application:{row.id}",
                 kind=row.kind, assessment=row.assessment)


def _buttons(rt: Runtime, language: str, row: ApplicationRow, user_id: int) -> InlineKeyboardMarkup:
    return cards.decision_buttons(rt, language, row,
                                  head=user_id in rt.settings.managers.get(Role.HEAD, ()))


async def _decided_text(rt: Runtime, language: str, row: ApplicationRow) -> str:
    decision = await decisions.latest(rt.db, row.id)
    if decision is None:
        return rt.texts.render(language, "cards.already_other", status=rt.texts.render(
            language, f"events.status.{row.status}"))
    return await cards.decision_line(rt, language, decision)


async def _decide(rt: Runtime, row: ApplicationRow, manager_id: int, verdict: str,
                  reason: str | None, points: int | None,
                  compensation: int | None) -> Decided[ApplicationRow]:
    paused = verdict == APPROVE_PAUSED
    result = await decisions.decide(
        rt.db, rt.settings, rt.rulebook, application_id=row.id, version=row.version,
        manager_id=manager_id, action=Action.APPROVE if paused else Action(verdict),
        now=rt.clock.now(), reason=reason, points=points, compensation=compensation,
        pause_info_support=paused)
    return Decided(ENDINGS.get(result.outcome, Ending.NOT_ALLOWED), result.application,
                   done=f"cards.done.{verdict}")


async def _open(press: Press[ApplicationRow], _: list[str]) -> None:
    """From /pending: a fresh copy of the card here."""
    query = press.update.callback_query
    assert query is not None
    await query.answer()
    chat_id = query.message.chat.id if query.message else press.user.id
    await cards.send_card(press.context.bot, press.rt, press.row, chat_id)


async def _roles(press: Press[ApplicationRow], _: list[str]) -> None:
    """The head's «Reassign»: the other roles."""
    query = press.update.callback_query
    assert query is not None
    await query.answer()
    await press.show(InlineKeyboardMarkup(
        [[press.button(f"common.role.{role.value}", "to", role.value)]
         for role in Role if role.value != press.row.role] + [press.back_row()]))


async def _reassign(press: Press[ApplicationRow], args: list[str]) -> None:
    rt, query, user = press.rt, press.update.callback_query, press.user
    assert query is not None
    if not args or args[0] not in {r.value for r in Role}:
        await query.answer()
        return
    if user.id not in rt.settings.managers.get(Role.HEAD, ()):
        await query.answer(press.t("cards.not_yours"), show_alert=True)
        return
    role = Role(args[0])
    moved = await decisions.reassign(rt.db, rt.settings, application_id=press.row.id, role=role,
                                     by=user.id, now=rt.clock.now())
    if moved is None:
        await press.tell(await _decided_text(rt, press.language, press.row))
        return
    rt.outbox.wake()
    await query.answer(press.t("cards.reassigned", role=press.t(f"common.role.{role.value}")))
    await query.edit_message_reply_markup(None)


APPLICATION: Kind[ApplicationRow] = Kind(
    action=ACTION, purpose="", id_key="application_id",
    texts=Texts(reason="cards.reason", reason_prompt="cards.type_reason_prompt"),
    reason_code="code",
    choices={"ok": Choice(Action.APPROVE.value, figures=True),
             "op": Choice(APPROVE_PAUSED, figures=True),
             "no": Choice(Action.REJECT.value, reasons={"": REASONS["no"]}),
             "ch": Choice(Action.CHANGES.value, reasons={"": REASONS["ch"]})},
    load=lambda rt, application_id: decisions.application(rt.db, application_id),
    facts=_facts, buttons=_buttons, decided_text=_decided_text,
    decide=_decide, extra={"open": _open, "re": _roles, "to": _reassign},
)


async def escalate_stalled(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeating job: an application waiting too long goes to the head, once."""
    rt = runtime(context)
    now = rt.clock.now()
    for row in await decisions.stalled(rt.db, rt.rulebook, now):
        if await decisions.escalate(rt.db, rt.settings, row, now):
            rt.outbox.wake()


def _days_since(rt: Runtime, moment: str) -> int:
    return (rt.clock.now() - datetime.fromisoformat(moment)).days


def _head_or_roles(rt: Runtime, user: User) -> tuple[str, ...] | None:
    roles = rt.settings.roles_of(user.id)
    if Role.HEAD in roles:
        return None
    return tuple(r.value for r in roles)


async def pending_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/pending: what waits for this manager, oldest first, each openable as a card."""
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    if not rt.settings.is_manager(user.id):
        await message.reply_text(rt.text(user, "cards.managers_only"))
        return
    roles = _head_or_roles(rt, user)
    rows = await decisions.pending(rt.db, roles)
    waiting_reports = await reports.waiting(rt.db, roles)
    if not rows and not waiting_reports:
        await message.reply_text(rt.text(user, "cards.nothing_pending"))
        return
    t = rt.speaker(rt.language(user))
    lines = [t("cards.pending_title", count=len(rows) + len(waiting_reports))]
    buttons = []
    for row in rows[:30]:
        lines.append(t("cards.pending_line", id=row.id, date=short_date(row.event_date),
                       kind=t(f"forms.apply.kind_short.{row.kind}"), title=row.title,
                       days=_days_since(rt, row.submitted_at)))
        buttons.append([InlineKeyboardButton(f"#{row.id} · {row.title}"[:60],
                                             callback_data=encode(ACTION, row.id, row.version,
                                                                  "open"))])
    for report, row in waiting_reports[:30]:
        lines.append(t("cards.pending_report_line", id=row.id, date=short_date(row.event_date),
                       kind=t(f"forms.apply.kind_short.{row.kind}"), title=row.title,
                       days=_days_since(rt, report.submitted_at)))
        buttons.append([review.open_button(report, t("cards.pending_report_button",
                                                     id=row.id, title=row.title))])
    await message.reply_text("\n".join(lines), parse_mode=ParseMode.HTML,
                             reply_markup=InlineKeyboardMarkup(buttons))


async def history_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/history <id>: every state change of an application, for managers."""
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    if not rt.settings.is_manager(user.id):
        await message.reply_text(rt.text(user, "cards.managers_only"))
        return
    args = context.args or []
    if len(args) != 1 or not is_id(args[0].lstrip("#№")):
        await message.reply_text(rt.text(user, "cards.history_usage"))
        return
    entries = await decisions.history(rt.db, int(args[0].lstrip("#№")))
    if not entries:
        await message.reply_text(rt.text(user, "cards.history_none"))
        return
    t = rt.speaker(rt.language(user))
    lines = [t("cards.history_title", id=args[0].lstrip("#№"))]
    for entry in entries[-40:]:
        at = datetime.fromisoformat(entry["at"]).astimezone(
            rt.settings.timezone)
        details = entry["details"]
        lines.append(t("cards.history_line", at=at.strftime("%d.%m.%Y %H:%M"),
                       who=entry["actor_id"] or "—", action=entry["action"],
                       before=details.get("before") or "", after=details.get("after") or "",
                       reason=cards.reason_text(rt, rt.language(user), details.get("reason"))))
    await message.reply_text("\n".join(lines)[:4096], parse_mode=ParseMode.HTML)


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [
        CommandHandler("pending", pending_command),
        CommandHandler("history", history_command),
        *decision_card.handlers(APPLICATION),
    ]
