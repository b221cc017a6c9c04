"""Joining: /start from someone new asks who they are; a second employee is confirmed."""

from __future__ import annotations

from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    User,
)
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot.forms.engine import Draft
from bot.forms.join import JOIN
from bot.handlers import cards, forms, outbox
from bot.handlers.callbacks import decode, encode, is_id, pattern
from bot.handlers.markup import remove_buttons
from bot.runtime import Runtime, runtime
from bot.services import applications as applications_service
from bot.services import partners
from bot.services.outbox import Subject
from bot.services.partners import DecideMember, JoinResult
from bot.storage.partners import MemberRow, PartnerRow

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
    await partners.join(rt.db, telegram_id=user.id, answers=draft.answers, now=rt.clock.now(),
                        settings=rt.settings)
    rt.outbox.wake()  # «you are in», and a pending employee's cards


async def _joined(rt: Runtime, language: str, payload: dict[str, Any]) -> outbox.Outgoing:
    key = "join.done" if payload["result"] == JoinResult.ACTIVE.value else "join.pending"
    return outbox.Outgoing(rt.texts.render(language, key, company=payload["company"]),
                           ReplyKeyboardRemove())


async def _card_text(rt: Runtime, language: str, member: MemberRow, partner: PartnerRow) -> str:
    return rt.texts.render(language, "join.confirm_card", name=member.full_name,
                           phone=member.phone or "—", company=partner.company, code=partner.code)


async def _confirm_card(rt: Runtime, language: str,
                        payload: dict[str, Any]) -> outbox.Outgoing | None:
    """A colleague or a partner manager is asked to confirm a new employee (a card queued
    before the card's copies were kept is still composed here)."""
    return await _open_card(rt, language, int(payload["member"]), 0, 0, None)


async def _open_card(rt: Runtime, language: str, member_id: int, version: int, chat_id: int,
                     note: dict[str, Any] | None) -> outbox.Outgoing | None:
    member, partner = await partners.membership(rt.db, member_id)
    if member is None or partner is None or member.state != "pending":
        return None  # decided meanwhile
    card = await _card_text(rt, language, member, partner)
    return outbox.Outgoing(card, InlineKeyboardMarkup([[
        InlineKeyboardButton(rt.texts.render(language, "join.confirm"),
                             callback_data=encode(ACTION, member_id, "ok")),
        InlineKeyboardButton(rt.texts.render(language, "join.decline"),
                             callback_data=encode(ACTION, member_id, "no")),
    ]]))


async def _closed_card(rt: Runtime, language: str, member_id: int, version: int) -> str | None:
    """A copy of the card once decided: who confirmed or declined, no buttons."""
    member, partner = await partners.membership(rt.db, member_id)
    decider = await partners.decided_by(rt.db, member_id)
    if member is None or partner is None or member.state == "pending" or decider is None:
        return None
    verdict = "join.confirmed_by" if member.state == "active" else "join.declined_by"
    return (await _card_text(rt, language, member, partner) + "\n\n"
            + rt.texts.render(language, verdict, name=await cards.person_name(rt, decider)))


async def _no_outcome(rt: Runtime, language: str, member_id: int,
                      version: int) -> outbox.Outgoing | None:
    return None  # the employee's own message is the `join_decided` notice


async def _no_summary(rt: Runtime, member_id: int) -> None:
    return None  # joining has no «sent» summary


async def _welcome(rt: Runtime, language: str, payload: dict[str, Any]) -> outbox.Outgoing:
    key = "join.welcome_confirmed" if payload["state"] == "active" else "join.welcome_declined"
    return outbox.Outgoing(rt.texts.render(language, key))


outbox.register_views(Subject.MEMBER,
                      outbox.CardViews(_open_card, _closed_card, _no_outcome, _no_summary))
outbox.register_notice("join_card", _confirm_card)
outbox.register_notice("join_decided", _welcome)
outbox.register_notice("joined", _joined)


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
        by_manager=rt.settings.is_manager(user.id), now=rt.clock.now(), settings=rt.settings,
    )
    if decision.outcome is DecideMember.NOT_ALLOWED:
        await query.answer(rt.text(user, "join.not_yours"), show_alert=True)
        return
    if decision.outcome is DecideMember.ALREADY:
        await query.answer(rt.text(user, "join.already"), show_alert=True)
        await remove_buttons(query)
        return
    rt.outbox.wake()  # every copy of the card closed and the employee told, by the outbox
    await query.answer()


forms.register(forms.FormFlow(form=JOIN, texts="forms.join", on_complete=_complete,
                              notes=_notes))


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [CallbackQueryHandler(on_decision, pattern=pattern(ACTION))]
