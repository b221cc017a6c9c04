"""Joining: /start from someone new asks who they are; a second employee is confirmed."""

from __future__ import annotations

from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardRemove,
    Update,
    User,
)
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot.config import Role
from bot.forms.engine import Draft
from bot.forms.join import JOIN
from bot.handlers import forms
from bot.handlers.callbacks import decode, encode, is_id, pattern
from bot.handlers.markup import remove_buttons
from bot.handlers.notify import send_each
from bot.runtime import Runtime, runtime
from bot.services import applications as applications_service
from bot.services import partners
from bot.services.applications import discard_draft
from bot.services.partners import DecideMember, JoinResult

ACTION = "j"


async def greet_newcomer(update: Update, context: ContextTypes.DEFAULT_TYPE, *,
                         first_time: bool) -> None:
    """/start from someone who is not yet an employee of a partner: resume or start joining."""
    rt = runtime(context)
    user = update.effective_user
    assert user is not None
    key = "start.partner_new" if first_time else "join.again"
    greeting = rt.text(user, key, name=user.first_name)  # one message with the question
    draft = await applications_service.load_draft(rt.db, user.id, JOIN.name)
    if draft is not None:
        await forms.ask(update, context, draft, notes=[greeting])
        return
    await forms.begin(update, context, JOIN.name, {"telegram_name": user.full_name},
                      notes=[greeting])


async def _notes(rt: Runtime, user: User, draft: Draft, answered: str) -> list[str]:
    if answered != "partner_code":
        return []
    partner = await partners.find_partner(rt.db, str(draft.answers["partner_code"]))
    draft.answers["existing"] = partner is not None
    if partner is None:
        return [rt.text(user, "join.new_partner")]
    return [rt.text(user, "join.existing_partner", company=partner.company)]


async def _complete(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> None:
    rt = runtime(context)
    user = update.effective_user
    assert user is not None
    joined = await partners.join(rt.db, telegram_id=user.id, answers=draft.answers,
                                 now=rt.clock.now())
    await discard_draft(rt.db, user.id, JOIN.name)
    company = joined.partner.company
    if joined.result is JoinResult.ACTIVE:
        text = rt.text(user, "join.done", company=company)
    else:
        text = rt.text(user, "join.pending", company=company)
    await context.bot.send_message(user.id, text, parse_mode=ParseMode.HTML,
                                   reply_markup=ReplyKeyboardRemove())
    if joined.result is JoinResult.PENDING:
        await _ask_to_confirm(context, rt, user.id, draft, joined)


async def _ask_to_confirm(context: ContextTypes.DEFAULT_TYPE, rt: Runtime, member_id: int,
                          draft: Draft, joined: partners.Joined) -> None:
    async def send_card(decider: int) -> None:
        language = await _language_of(rt, decider)
        card = rt.texts.render(language, "join.confirm_card", name=draft.answers["full_name"],
                               phone=draft.answers.get("phone") or "—",
                               company=joined.partner.company, code=joined.partner.code)
        buttons = InlineKeyboardMarkup([[
            InlineKeyboardButton(rt.texts.render(language, "join.confirm"),
                                 callback_data=encode(ACTION, member_id, "ok")),
            InlineKeyboardButton(rt.texts.render(language, "join.decline"),
                                 callback_data=encode(ACTION, member_id, "no")),
        ]])
        await context.bot.send_message(decider, card, parse_mode=ParseMode.HTML,
                                       reply_markup=buttons)

    await send_each(rt, [*joined.confirmers, *rt.settings.members_of(Role.PARTNERS)], send_card)


async def on_decision(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Confirm / Decline on a joining card: re-checks that the presser may decide."""
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.data is None:
        return
    _, parts = decode(query.data)
    if len(parts) != 2 or not is_id(parts[0]) or parts[1] not in ("ok", "no"):
        await query.answer()
        return
    member_id, approve = int(parts[0]), parts[1] == "ok"
    decision = await partners.decide_member(
        rt.db, member_id=member_id, approve=approve, decided_by=user.id,
        by_manager=rt.settings.is_manager(user.id), now=rt.clock.now(),
    )
    if decision.outcome is DecideMember.NOT_ALLOWED:
        await query.answer(rt.text(user, "join.not_yours"), show_alert=True)
        return
    if decision.outcome is DecideMember.ALREADY:
        await query.answer(rt.text(user, "join.already"), show_alert=True)
        await remove_buttons(query)
        return
    await query.answer()
    verdict = rt.text(user, "join.confirmed_by" if approve else "join.declined_by",
                      name=user.full_name)
    if isinstance(query.message, Message):
        await query.edit_message_text(f"{query.message.text_html}\n\n{verdict}",
                                      parse_mode=ParseMode.HTML, reply_markup=None)
    assert decision.member is not None
    member_language = await _language_of(rt, member_id)
    key = "join.welcome_confirmed" if approve else "join.welcome_declined"
    await context.bot.send_message(member_id, rt.texts.render(member_language, key),
                                   parse_mode=ParseMode.HTML)


async def _language_of(rt: Runtime, telegram_id: int) -> str:
    row = await rt.db.fetch_one("SELECT language FROM users WHERE telegram_id = ?",
                                (telegram_id,))
    return str(row[0]) if row else rt.texts.default_language


forms.register(forms.FormFlow(form=JOIN, texts="forms.join", on_complete=_complete,
                              notes=_notes))


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [CallbackQueryHandler(on_decision, pattern=pattern(ACTION))]
