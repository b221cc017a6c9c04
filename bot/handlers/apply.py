"""/apply: the application form, its summary with the expected payout, and sending it."""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.forms import engine
from bot.forms.application import (
    APPLICATION,
    EVENTS,
    SPECIAL,
    drop_outdated,
    give_back_previous,
    kind_of,
    take_previous,
    takeable,
)
from bot.forms.costs import COMPENSABLE
from bot.forms.engine import SUMMARY, Draft
from bot.handlers import forms
from bot.handlers.callbacks import decode, encode, is_id, pattern
from bot.handlers.markup import remove_buttons
from bot.handlers.render import answer_lines, assessment_lines, fitted
from bot.runtime import Runtime, runtime
from bot.services import applications, decisions, partners
from bot.services.applications import NotAllowed

ACTION = "a"
TEXTS = "forms.apply"
MIN_VENDOR_TALK_MINUTES = 30  # §2.2: each talk about the vendor's products lasts at least this


async def apply_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    refusal = await _may_apply(rt, user)
    if refusal is not None:
        await message.reply_text(refusal, parse_mode=ParseMode.HTML)
        return
    draft = await applications.load_draft(rt.db, user.id, APPLICATION.name)
    if draft is None:
        await forms.begin(update, context, APPLICATION.name)
        return
    step, total = APPLICATION.step(draft.current, draft.answers) or (1, 0)
    kind = draft.answers.get("kind")
    what = rt.text(user, f"forms.apply.kind.{kind}") if kind else "—"
    buttons = InlineKeyboardMarkup([[
        InlineKeyboardButton(rt.text(user, "apply.resume"), callback_data=encode(ACTION, "resume")),
        InlineKeyboardButton(rt.text(user, "apply.discard"),
                             callback_data=encode(ACTION, "discard")),
    ]])
    await message.reply_text(
        rt.text(user, "apply.draft_exists", kind=what, step=step, total=total,
                at_summary=draft.current == SUMMARY),
        reply_markup=buttons,
    )


async def _may_apply(rt: Runtime, user: User) -> str | None:
    """Why this person can't apply now, or None."""
    if rt.settings.is_manager(user.id):
        return rt.text(user, "apply.managers_dont_apply")
    member, partner = await partners.membership(rt.db, user.id)
    if member is None or member.state == "declined":
        return rt.text(user, "apply.join_first")
    if member.state == "pending":
        return rt.text(user, "apply.wait_for_confirmation")
    if partner is not None and partner.suspended_at:
        return rt.text(user, "apply.suspended", reason=partner.suspended_reason or "—")
    return None


async def _previous(rt: Runtime, user: User, answers: dict[str, Any], answered: str) -> None:
    """The company's previous answers: looked up once the kind is known, taken «as last time»
    or given back, and dropped where the new date no longer allows them."""
    if answered in ("kind", "special_program") and kind_of(answers):
        answers[engine.PREVIOUS] = await applications.previous_answers(rt.db, user.id,
                                                                     kind_of(answers))
    elif answered == "same_as_before":
        if answers[answered] == "same":
            take_previous(answers, forms.context_for(rt, user))
        else:
            give_back_previous(answers)
    elif answered == "event_date":
        ctx = forms.context_for(rt, user)
        drop_outdated(answers, ctx)
        if "same_as_before" not in answers and not takeable(answers, ctx):
            answers.pop(engine.PREVIOUS, None)  # nothing the date still allows: not asked


async def _notes(rt: Runtime, user: User, draft: Draft, answered: str) -> list[str]:
    """Say at once what the rules make of an answer, instead of after sending (and carry the
    company's previous answers over)."""
    answers = draft.answers
    await _previous(rt, user, answers, answered)
    notes = []
    if answered in ("title", "event_name") and kind_of(answers) not in SPECIAL:
        # An application for the special program itself may use its name (RULEBOOK §7).
        name = rt.rulebook.reserved_name_in(str(answers[answered]))
        if name:
            notes.append(rt.text(user, "apply.warn.reserved_title", name=name))
    elif answered == "event_date" and kind_of(answers) in (*EVENTS, *SPECIAL):
        days = (date.fromisoformat(answers["event_date"]) - rt.clock.now().date()).days
        lead = rt.rulebook.lead_times
        if days < lead.approval_days:
            notes.append(rt.text(user, "apply.warn.too_late_to_approve"))
        elif days < lead.info_support_days:
            notes.append(rt.text(user, "apply.warn.no_info_support", days=days,
                                 need=lead.info_support_days))
        elif days < lead.promo_materials_days and kind_of(answers) != "webinar":
            notes.append(rt.text(user, "apply.warn.no_promo_materials", days=days,
                                 need=lead.promo_materials_days))
    elif answered == "agenda":
        vendor = set(answers.get("vendor_talks") or [])
        short = [t["title"] for i, t in enumerate(answers["agenda"])
                 if i in vendor and t["minutes"] < MIN_VENDOR_TALK_MINUTES]
        if short:
            notes.append(rt.text(user, "apply.warn.short_vendor_talks", talks=", ".join(short),
                                 minutes=MIN_VENDOR_TALK_MINUTES))
        if not vendor:
            notes.append(rt.text(user, "apply.warn.no_vendor_talks"))
    elif answered == "competitors" and answers["competitors"]:
        notes.append(rt.text(user, "apply.warn.competitors"))
    elif answered == "costs" and answers.get("costs"):
        refused = [c["name"] for c in answers["costs"] if c["category"] not in COMPENSABLE]
        if refused:
            notes.append(rt.text(user, "apply.warn.not_compensable", items=", ".join(refused)))
    return notes


def summary_text(rt: Runtime, user: User, draft: Draft) -> str:
    assessment = applications.price(rt.rulebook, draft.answers, rt.clock.now().date())
    language = rt.language(user)
    expected = "\n".join(assessment_lines(rt, language, assessment.to_json_dict(),
                                          draft.answers.get("planned_listeners")))
    return fitted(lambda limit: "\n\n".join([
        rt.text(user, "apply.summary_title"),
        "\n".join(answer_lines(rt, language, APPLICATION, TEXTS, draft.answers, limit)),
        rt.text(user, "apply.expected"),
        expected,
    ]))


def summary_keyboard(rt: Runtime, user: User, draft: Draft) -> InlineKeyboardMarkup:
    return forms.summary_keyboard(
        rt, user, draft, edit=lambda key: encode(ACTION, "edit", key), fixed=("kind",),
        last_row=[("apply.send", encode(ACTION, "send")),
                  ("apply.discard", encode(ACTION, "discard"))])


async def _show_summary(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> None:
    rt = runtime(context)
    user = update.effective_user
    assert user is not None
    await forms.send_summary(update, context, draft, summary_text(rt, user, draft),
                             summary_keyboard(rt, user, draft))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.data is None:
        return
    _, parts = decode(query.data)
    what = parts[0] if parts else ""
    if what == "fix" and len(parts) == 2 and is_id(parts[1]):
        await _fix(update, context, int(parts[1]))
        return
    draft = await applications.load_draft(rt.db, user.id, APPLICATION.name)
    if draft is None:  # sent or dropped already (a double tap): its buttons are gone
        await query.answer(rt.text(user, "forms.common.stale"))
        return
    if what == "discard":
        await query.answer()
        await forms.cancel_form(update, context, APPLICATION.name)
        return
    if what == "resume":
        await query.answer()
        await remove_buttons(query)
        await forms.ask(update, context, draft)
        return
    if not forms.on_current_summary(draft, query):
        await query.answer(rt.text(user, "forms.common.stale"))
        return
    if what == "edit" and len(parts) == 2:
        await query.answer()
        engine.edit(APPLICATION, draft, parts[1])
        await forms.ask(update, context, draft)  # takes the summary's buttons off
    elif what == "send":
        await _send(update, context, draft)
    else:
        await query.answer()


async def _send(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    refusal = await _may_apply(rt, user)
    if refusal is not None:
        await query.answer()
        await context.bot.send_message(user.id, refusal, parse_mode=ParseMode.HTML)
        return
    changing = await decisions.draft_application(rt.db, user.id)
    forms.to_confirm_on(draft, query)
    try:
        if changing is None:
            await applications.submit(rt.db, rt.rulebook, telegram_id=user.id, draft=draft,
                                      now=rt.clock.now(), settings=rt.settings)
        else:
            await decisions.resubmit(
                rt.db, rt.rulebook, telegram_id=user.id, application_id=changing, draft=draft,
                now=rt.clock.now(), settings=rt.settings)
    except NotAllowed:
        await query.answer(rt.text(user, "apply.cannot_send"), show_alert=True)
        return
    rt.outbox.wake()  # the cards to whoever decides, and the summary edited into «sent»
    await query.answer(rt.text(user, "apply.sent_short"))


async def _fix(update: Update, context: ContextTypes.DEFAULT_TYPE, application_id: int) -> None:
    """«Edit the application» after changes were requested: its answers become a draft."""
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    try:
        draft = await decisions.start_changes(rt.db, telegram_id=user.id,
                                              application_id=application_id, now=rt.clock.now())
    except NotAllowed:
        await query.answer(rt.text(user, "forms.common.stale"), show_alert=True)
        return
    await query.answer()
    await remove_buttons(query)
    await forms.ask(update, context, draft)


forms.register(forms.FormFlow(form=APPLICATION, texts=TEXTS, on_complete=_show_summary,
                              notes=_notes))


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [
        CommandHandler("apply", apply_command),
        CallbackQueryHandler(on_button, pattern=pattern(ACTION)),
    ]
