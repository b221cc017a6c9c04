"""/request: one entry for everything a partner asks of the vendor besides an application —
info support and promo materials for an approved event, a promotion on the vendor's site (Gold
and Certified partners), a case study, a Marketplace solution, a change of the company profile.

Callback data: `rk:<kind>` (a button of the menu).
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.forms.requests import CASE_STUDY, EVENT_KINDS, MARKETPLACE, OWN_KINDS, PROFILE, PROMOTION
from bot.handlers import membership, request_flow, support
from bot.handlers.callbacks import decode, encode, pattern
from bot.runtime import runtime
from bot.services import requests as requests_service
from bot.services.applications import NotAllowed

ACTION = "rk"


async def request_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    refusal = await request_flow.refusal(rt, user)
    if refusal is not None:
        await message.reply_text(refusal, parse_mode=ParseMode.HTML)
        return
    kinds = [*EVENT_KINDS, *OWN_KINDS]
    buttons = [[InlineKeyboardButton(rt.text(user, f"requests.menu.{kind}"),
                                     callback_data=encode(ACTION, kind))] for kind in kinds]
    await message.reply_text(rt.text(user, "requests.menu_title"), parse_mode=ParseMode.HTML,
                             reply_markup=InlineKeyboardMarkup(buttons))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.data is None:
        return
    _, parts = decode(query.data)
    kind = parts[0] if len(parts) == 1 else ""
    await query.answer()
    if kind not in (*EVENT_KINDS, *OWN_KINDS):
        return
    refusal = await request_flow.refusal(rt, user)
    if refusal is not None:
        await context.bot.send_message(user.id, refusal, parse_mode=ParseMode.HTML)
        return
    if kind in EVENT_KINDS:
        await support.pick_event(update, context, kind)
        return
    try:
        partner = await requests_service.member_partner(rt.db, user.id)
    except NotAllowed:
        await context.bot.send_message(user.id, await membership.not_active(rt, user))
        return
    if not requests_service.may_ask(rt.rulebook, partner, kind):
        statuses = ", ".join(rt.text(user, f"forms.join.status.{s}")
                             for s in rt.rulebook.promotions.statuses)
        await context.bot.send_message(user.id, rt.text(
            user, f"requests.not_for_status.{kind}", statuses=statuses,
            status=rt.text(user, f"forms.join.status.{partner.status}"),
            section=rt.rulebook.promotions.section), parse_mode=ParseMode.HTML)
        return
    intro = f"requests.intro.{kind}"
    if intro in rt.texts.keys(rt.language(user)):
        await context.bot.send_message(user.id, rt.text(user, intro), parse_mode=ParseMode.HTML)
    await request_flow.begin(update, context, requests_service.fresh_draft(kind, {}))


for _form in (PROMOTION, CASE_STUDY, MARKETPLACE, PROFILE):
    request_flow.register(_form)


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [
        CommandHandler("request", request_command),
        CallbackQueryHandler(on_button, pattern=pattern(ACTION)),
    ]
