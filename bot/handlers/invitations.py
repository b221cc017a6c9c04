"""The vendor's invitations: /invite (event managers) — what, when, where — sent to every
partner; a partner answers with one tap; one who will give a talk sends it for approval.

Callback data: `in:s` / `in:x` / `in:ed:<key>` on the manager's summary; `iv:<invitation>:<answer>`
(yes, talk, no) under an invitation.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.forms import engine
from bot.forms.engine import Draft
from bot.forms.requests import INVITE, TALK
from bot.handlers import forms, membership, outbox, request_flow
from bot.handlers.callbacks import decode, encode, is_id, pattern
from bot.handlers.markup import remove_buttons
from bot.handlers.render import answer_lines, fitted, short_date
from bot.runtime import Runtime, runtime
from bot.services import invitations, partners
from bot.services import requests as requests_service
from bot.services.applications import NotAllowed, discard_draft
from bot.services.users import see_user
from bot.storage.invitations import InvitationRow

SUMMARY_ACTION = "in"
ACTION = "iv"
TEXTS = "forms.invite"


def invitation_text(rt: Runtime, language: str, answers: dict[str, Any]) -> str:
    t = rt.speaker(language)
    return t("invitations.text", what=t(f"forms.invite.what.{answers['what']}"),
             title=answers["title"], date=short_date(str(answers["event_date"])),
             city=t(f"forms.invite.city.{answers['city']}"), place=answers["place"],
             talks=bool(answers.get("talks")))


def answer_buttons(rt: Runtime, language: str, invitation: InvitationRow) -> InlineKeyboardMarkup:
    t = rt.speaker(language)
    answers = ["yes", "talk", "no"] if invitation.answers.get("talks") else ["yes", "no"]
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        t(f"invitations.answer.{a}"), callback_data=encode(ACTION, invitation.id, a))]
        for a in answers])


async def invite_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    if not invitations.may_invite(rt.settings, user.id):
        await message.reply_text(rt.text(user, "invitations.not_yours"))
        return
    await see_user(rt.db, telegram_id=user.id, first_name=user.first_name,
                   username=user.username, language=rt.language(user), now=rt.clock.now())
    draft = await forms.load(rt, user.id, INVITE.name)
    await forms.ask(update, context, draft or engine.start(INVITE))


async def _show_summary(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> None:
    rt = runtime(context)
    user = update.effective_user
    assert user is not None
    language = rt.language(user)
    people, partners = await invitations.audience(rt.db)
    edits = [InlineKeyboardButton("✏️ " + rt.text(user, f"{TEXTS}.{q.key}.label"),
                                  callback_data=encode(SUMMARY_ACTION, "ed", q.key))
             for q in engine.summary_fields(INVITE, draft)]
    rows = [edits[i:i + 2] for i in range(0, len(edits), 2)]
    rows.append([
        InlineKeyboardButton(rt.text(user, "invitations.send", partners=partners),
                             callback_data=encode(SUMMARY_ACTION, "s")),
        InlineKeyboardButton(rt.text(user, "apply.discard"),
                             callback_data=encode(SUMMARY_ACTION, "x")),
    ])
    text = fitted(lambda limit: "\n\n".join([
        rt.text(user, "invitations.summary_title", people=people, partners=partners),
        "\n".join(answer_lines(rt, language, INVITE, TEXTS, draft.answers, limit)),
        rt.text(user, "invitations.preview"),
        invitation_text(rt, language, draft.answers),
    ]))
    await forms.send_summary(update, context, draft, text, InlineKeyboardMarkup(rows))


async def on_summary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.data is None:
        return
    _, parts = decode(query.data)
    draft = await forms.load(rt, user.id, INVITE.name)
    if not forms.on_current_summary(draft, query):
        await query.answer(rt.text(user, "forms.common.stale"))
        return
    if parts == ["x"]:
        await query.answer()
        await forms.cancel_form(update, context, INVITE.name)
    elif parts[:1] == ["ed"] and len(parts) == 2:
        await query.answer()
        forms.edit(draft, INVITE, parts[1])
        await forms.ask(update, context, draft)
    elif parts == ["s"]:
        await _broadcast(update, context, draft)
    else:
        await query.answer()


async def _broadcast(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    try:
        invitation, reached = await invitations.create(
            rt.db, rt.settings, manager_id=user.id, answers=draft.answers, now=rt.clock.now())
    except NotAllowed:
        await query.answer(rt.text(user, "invitations.not_yours"), show_alert=True)
        return
    rt.outbox.wake()  # the invitation to every partner, by the outbox
    await query.answer(rt.text(user, "invitations.sending"))
    await remove_buttons(query)
    await discard_draft(rt.db, user.id, INVITE.name)
    await context.bot.send_message(user.id, rt.text(user, "invitations.sent", id=invitation.id,
                                                    people=reached))


async def on_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.data is None:
        return
    _, parts = decode(query.data)
    if len(parts) != 2 or not is_id(parts[0]):
        await query.answer()
        return
    try:
        answered = await invitations.answer(rt.db, rt.settings, invitation_id=int(parts[0]),
                                            telegram_id=user.id, answer=parts[1],
                                            now=rt.clock.now())
    except NotAllowed:
        await query.answer(rt.text(user, "invitations.closed"), show_alert=True)
        return
    rt.outbox.wake()  # the inviting manager told, by the outbox
    language = rt.language(user)
    invitation = answered.invitation
    await query.answer(rt.text(user, f"invitations.answered.{parts[1]}"))
    if query.message is not None:
        text = "\n\n".join([invitation_text(rt, language, invitation.answers),
                            rt.text(user, "invitations.your_answer",
                                    answer=rt.text(user, f"invitations.answer.{parts[1]}"))])
        try:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML,
                                          reply_markup=answer_buttons(rt, language, invitation))
        except BadRequest as exc:  # the same answer tapped again
            if "not modified" not in str(exc):
                raise
    if parts[1] == "talk":
        await _begin_talk(update, context, user, invitation)


async def _invitation(rt: Runtime, language: str,
                      payload: dict[str, Any]) -> outbox.Outgoing | None:
    invitation = await invitations.get(rt.db, int(payload["invitation"]))
    if invitation is None:
        return None
    return outbox.Outgoing(invitation_text(rt, language, invitation.answers),
                           answer_buttons(rt, language, invitation))


async def _answered(rt: Runtime, language: str,
                    payload: dict[str, Any]) -> outbox.Outgoing | None:
    """The inviting manager hears each partner's new answer, with the tally so far."""
    invitation = await invitations.get(rt.db, int(payload["invitation"]))
    partner = await partners.get(rt.db, int(payload["partner"]))
    if invitation is None or partner is None:
        return None
    t = rt.speaker(language)
    tally = await invitations.tally(rt.db, invitation.id)
    return outbox.Outgoing(t(
        "invitations.partner_answered", company=partner.company, code=partner.code,
        title=invitation.answers.get("title", ""),
        answer=t(f"invitations.answer.{payload['answer']}"), yes=tally.get("yes", 0),
        talk=tally.get("talk", 0), no=tally.get("no", 0)))


outbox.register_notice("invitation", _invitation)
outbox.register_notice("invitation_answered", _answered)


async def _begin_talk(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User,
                      invitation: InvitationRow) -> None:
    """An accepting partner who will speak sends the talk and its presentation for approval."""
    rt = runtime(context)
    opened = await _existing_talk(rt, user, invitation)
    if opened is not None:
        await context.bot.send_message(user.id, opened, parse_mode=ParseMode.HTML)
        return
    await context.bot.send_message(user.id, rt.text(user, "invitations.talk_intro"),
                                   parse_mode=ParseMode.HTML)
    await request_flow.begin(update, context, requests_service.fresh_draft(
        TALK.name, {"invitation_id": invitation.id}))


async def _existing_talk(rt: Runtime, user: User, invitation: InvitationRow) -> str | None:
    """A talk already sent for this invitation: where it stands."""
    try:
        partner = await requests_service.member_partner(rt.db, user.id)
    except NotAllowed:
        return await membership.not_active(rt, user)
    talk = await requests_service.latest_talk(rt.db, partner.id, invitation.id)
    if talk is None or talk.status in ("declined", "refused"):
        return None
    return rt.text(user, f"invitations.talk_status.{talk.status}", id=talk.id)


forms.register(forms.FormFlow(form=INVITE, texts=TEXTS, on_complete=_show_summary))
request_flow.register(TALK)


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [
        CommandHandler("invite", invite_command),
        CallbackQueryHandler(on_summary, pattern=pattern(SUMMARY_ACTION)),
        CallbackQueryHandler(on_answer, pattern=pattern(ACTION)),
    ]
