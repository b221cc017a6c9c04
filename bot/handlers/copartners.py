"""Co-partners in Telegram: an event's 🤝 list, adding one (a form), ticking a promise with proof,
and /partners_stats.

Callback data: `cp:list:<application>`, `cp:add:<application>`, `cp:open:<copartner>`,
`cp:tick:<promise>`, `cp:rm:<copartner>` (asks) and `cp:rmy:<copartner>` (removes); the form's
summary `cps:save`, `cps:ed:<key>`, `cps:x`. Every press re-checks, in the service, that the
presser works for the event's partner.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.forms import engine
from bot.forms.copartner import COPARTNER, PROMISE_PROOF, preselect_package
from bot.forms.engine import Draft
from bot.handlers import forms, membership
from bot.handlers.callbacks import decode, encode, is_id, pattern
from bot.handlers.markup import remove_buttons, set_buttons
from bot.handlers.render import answer_lines, fitted, short_date
from bot.runtime import Runtime, runtime
from bot.services import copartners
from bot.services.applications import NotAllowed
from bot.services.copartners import Copartnered, Listing, PromiseOf, Ticked
from bot.storage.copartners import PromiseRow

ACTION = "cp"
SUMMARY = "cps"
TEXTS = "forms.copartner"


# --- what is shown: on the list, an event's details, the report's card ---------------------------

def promise_mark(promise: PromiseRow, today: date) -> str:
    if promise.kept:
        return "✅"
    return "⏰" if date.fromisoformat(promise.due_on) < today else "⬜"


def promise_line(rt: Runtime, language: str, promise: PromiseRow, today: date) -> str:
    t = rt.speaker(language)
    return t("copartners.promise_line", mark=promise_mark(promise, today),
             item=t(f"copartners.item.{promise.item}"), side=promise.owed_by,
             due=short_date(promise.due_on), proof=promise.proof_url,
             photo=promise.proof_file_id is not None)


def copartner_lines(rt: Runtime, language: str, item: Copartnered, today: date,
                    promises: bool = True) -> list[str]:
    """One co-partner: who, promises kept of all, participants brought; then each promise."""
    t = rt.speaker(language)
    row = item.copartner
    lines = [t("copartners.head", name=row.name, kind=t(f"forms.copartner.kind.{row.kind}"),
               status=t(f"forms.copartner.media_status.{row.answers['media_status']}")
               if row.answers.get("media_status") else None,
               reach=row.answers.get("reach"), kept=item.kept, promised=len(item.promises),
               brought=row.brought)]
    if promises:
        lines += [promise_line(rt, language, p, today) for p in item.promises]
    return lines


def results_section(rt: Runtime, language: str, items: list[Copartnered], today: date,
                    promises: bool = True) -> str | None:
    """The co-partners part of a card or an event's details, or None without co-partners."""
    if not items:
        return None
    lines = [rt.texts.render(language, "copartners.section")]
    for item in items:
        lines += copartner_lines(rt, language, item, today, promises)
    return "\n".join(lines)


def list_button(rt: Runtime, language: str, application_id: int,
                count: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(rt.texts.render(language, "copartners.button", count=count),
                                callback_data=encode(ACTION, "list", application_id))


def _list_view(rt: Runtime, user: User, found: Listing) -> tuple[str, InlineKeyboardMarkup]:
    language = rt.language(user)
    today = rt.clock.now().date()
    row = found.application
    parts = [rt.text(user, "copartners.title", id=row.id, title=row.title)]
    section = results_section(rt, language, found.copartners, today, promises=False)
    parts.append(section or rt.text(user, "copartners.none"))
    buttons = [[InlineKeyboardButton(f"🤝 {c.copartner.name}"[:60],
                                     callback_data=encode(ACTION, "open", c.copartner.id))]
               for c in found.copartners]
    if found.open_for_more:
        buttons.append([InlineKeyboardButton(rt.text(user, "copartners.add"),
                                             callback_data=encode(ACTION, "add", row.id))])
    return "\n\n".join(parts), InlineKeyboardMarkup(buttons)


def _one_view(rt: Runtime, user: User, item: Copartnered) -> tuple[str, InlineKeyboardMarkup]:
    language = rt.language(user)
    today = rt.clock.now().date()
    row = item.copartner
    lines = copartner_lines(rt, language, item, today)
    if row.answers.get("contact"):
        lines.append(rt.text(user, "copartners.contact", contact=row.answers["contact"]))
    if row.answers.get("audience"):
        lines.append(rt.text(user, "copartners.audience", audience=row.answers["audience"]))
    buttons = [[InlineKeyboardButton(
        rt.text(user, "copartners.tick", item=rt.text(user, f"copartners.item.{p.item}")),
        callback_data=encode(ACTION, "tick", p.id))] for p in item.promises if not p.kept]
    buttons.append([InlineKeyboardButton(rt.text(user, "copartners.remove"),
                                         callback_data=encode(ACTION, "rm", row.id))])
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


# --- buttons ------------------------------------------------------------------------------------

async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.data is None:
        return
    _, parts = decode(query.data)
    if len(parts) != 2 or not is_id(parts[1]):
        await query.answer()
        return
    what, number = parts[0], int(parts[1])
    try:
        if what == "list":
            await query.answer()
            text, markup = _list_view(rt, user, await copartners.listing(rt.db, user.id, number))
            await context.bot.send_message(user.id, text, parse_mode=ParseMode.HTML,
                                           reply_markup=markup)
        elif what == "add":
            answers = await copartners.start_answers(rt.db, user.id, number)
            await query.answer()
            await context.bot.send_message(user.id, rt.text(user, "copartners.adding"),
                                           parse_mode=ParseMode.HTML)
            await forms.begin(update, context, COPARTNER.name, answers)
        elif what == "open":
            _, item = await copartners.one(rt.db, user.id, number)
            await query.answer()
            text, markup = _one_view(rt, user, item)
            await context.bot.send_message(user.id, text, parse_mode=ParseMode.HTML,
                                           reply_markup=markup)
        elif what == "tick":
            await _ask_proof(update, context, await copartners.promise_of(rt.db, user.id, number))
        elif what == "rm":
            await copartners.one(rt.db, user.id, number)
            await query.answer()
            await set_buttons(query, InlineKeyboardMarkup([[InlineKeyboardButton(
                rt.text(user, "copartners.remove_yes"),
                callback_data=encode(ACTION, "rmy", number))]]))
        elif what == "rmy":
            removed = await copartners.remove(rt.db, rt.settings, rt.rulebook,
                                              telegram_id=user.id, copartner_id=number,
                                              now=rt.clock.now())
            await query.answer()
            await remove_buttons(query)
            if removed:
                await context.bot.send_message(user.id, rt.text(user, "copartners.removed"))
        else:
            await query.answer()
    except NotAllowed:
        await query.answer(rt.text(user, "copartners.not_available"), show_alert=True)


async def _ask_proof(update: Update, context: ContextTypes.DEFAULT_TYPE, target: PromiseOf) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    if target.promise.kept:
        await query.answer(rt.text(user, "copartners.already_kept"), show_alert=True)
        return
    await query.answer()
    draft = engine.start(PROMISE_PROOF, {"promise_id": target.promise.id})
    header = rt.text(user, "copartners.proof_for", name=target.copartner.name,
                     item=rt.text(user, f"copartners.item.{target.promise.item}"),
                     side=target.promise.owed_by)
    await forms.ask(update, context, draft, notes=[header])


# --- the forms' ends ----------------------------------------------------------------------------

async def _notes(rt: Runtime, user: User, draft: Draft, answered: str) -> list[str]:
    if answered != "kind":
        return []
    preselect_package(draft.answers)
    return [rt.text(user, "copartners.guidance_media")] if draft.answers["kind"] == "media" else []


async def _show_summary(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> None:
    rt = runtime(context)
    user = update.effective_user
    assert user is not None
    language = rt.language(user)
    text = fitted(lambda limit: "\n\n".join([
        rt.text(user, "copartners.summary_title"),
        "\n".join(answer_lines(rt, language, COPARTNER, TEXTS, draft.answers, limit)),
        rt.text(user, "copartners.summary_hint"),
    ]))
    markup = forms.summary_keyboard(
        rt, user, draft, edit=lambda key: encode(SUMMARY, "ed", key),
        last_row=[("copartners.save", encode(SUMMARY, "save")),
                  ("apply.discard", encode(SUMMARY, "x"))])
    await forms.send_summary(update, context, draft, text, markup)


async def on_summary_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.data is None:
        return
    _, parts = decode(query.data)
    draft = await forms.load(rt, user.id, COPARTNER.name)
    if parts == ["x"] and draft is not None:
        await query.answer()
        await forms.cancel_form(update, context, COPARTNER.name)
        return
    if not forms.on_current_summary(draft, query):
        await query.answer(rt.text(user, "forms.common.stale"))
        return
    if parts[:1] == ["ed"] and len(parts) == 2:
        await query.answer()
        forms.edit(draft, COPARTNER, parts[1])
        await forms.ask(update, context, draft)
        return
    if parts != ["save"]:
        await query.answer()
        return
    try:
        added = await copartners.add(rt.db, rt.settings, rt.rulebook, telegram_id=user.id,
                                     draft=draft, now=rt.clock.now())
    except NotAllowed:
        await query.answer(rt.text(user, "copartners.not_available"), show_alert=True)
        return
    await query.answer(rt.text(user, "copartners.saved_short"))
    await remove_buttons(query)
    _, item = await copartners.one(rt.db, user.id, added.id)
    text, markup = _one_view(rt, user, item)
    await context.bot.send_message(
        user.id, rt.text(user, "copartners.saved", name=added.name) + "\n\n" + text,
        parse_mode=ParseMode.HTML, reply_markup=markup)


async def _proof_given(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> None:
    rt = runtime(context)
    user = update.effective_user
    assert user is not None
    proof = draft.answers.get("proof") or {}
    try:
        ticked, target = await copartners.tick(
            rt.db, telegram_id=user.id, promise_id=int(draft.answers["promise_id"]),
            url=proof.get("url"), file_id=proof.get("file"), form=PROMISE_PROOF.name,
            now=rt.clock.now())
    except NotAllowed:
        await forms.cancel_form(update, context, PROMISE_PROOF.name)
        return
    key = "copartners.kept" if ticked is Ticked.DONE else "copartners.already_kept"
    _, item = await copartners.one(rt.db, user.id, target.copartner.id)
    text, markup = _one_view(rt, user, item)
    await context.bot.send_message(
        user.id, rt.text(user, key, item=rt.text(user, f"copartners.item.{target.promise.item}"),
                         name=target.copartner.name) + "\n\n" + text,
        parse_mode=ParseMode.HTML, reply_markup=markup)


forms.register(forms.FormFlow(form=COPARTNER, texts=TEXTS, on_complete=_show_summary,
                              notes=_notes))
forms.register(forms.FormFlow(form=PROMISE_PROOF, texts="forms.promise_proof",
                              on_complete=_proof_given))


# --- /partners_stats ------------------------------------------------------------------------

async def partners_stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    try:
        ranked = await copartners.ranking(rt.db, rt.settings, user.id)
    except NotAllowed:
        await message.reply_text(await membership.not_active(rt, user), parse_mode=ParseMode.HTML)
        return
    lines = [rt.text(user, "copartners.ranking.title_all" if rt.settings.is_manager(user.id)
                     else "copartners.ranking.title")]
    lines += [rt.text(user, "copartners.ranking.line", place=place, name=r.name, events=r.events,
                      brought=r.brought, kept=r.kept, promised=r.promised)
              for place, r in enumerate(ranked, start=1)]
    if not ranked:
        lines.append(rt.text(user, "copartners.ranking.none"))
    await message.reply_text("\n".join(lines), parse_mode=ParseMode.HTML)


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [
        CommandHandler("partners_stats", partners_stats_command),
        CallbackQueryHandler(on_button, pattern=pattern(ACTION)),
        CallbackQueryHandler(on_summary_button, pattern=pattern(SUMMARY)),
    ]
