"""What every request form shares in Telegram: begin (or resume) it, check files and checklists
after an answer, the summary, sending it to the manager, fixing one that was sent back.

Callback data: `rq:s:<kind>` send, `rq:x:<kind>` discard, `rq:ed:<kind>:<key>` change one answer,
`rq:c:<kind>` continue a draft, `rq:fix:<request>` fix a request sent back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot.forms.engine import Draft, Form
from bot.forms.request_fields import Checklist, OneFile
from bot.forms.requests import REQUEST_FORMS
from bot.handlers import forms, request_cards
from bot.handlers.callbacks import decode, encode, is_id, pattern
from bot.handlers.markup import remove_buttons
from bot.handlers.render import answer_lines, fitted
from bot.runtime import Runtime, runtime
from bot.services import partners
from bot.services import requests as requests_service
from bot.services.applications import NotAllowed
from bot.services.requests import CONTEXT_KEYS, Sending
from bot.storage import files as files_repo

ACTION = "rq"
# Extra remarks a form makes after an answer, besides the shared checks.
Extra = Callable[[Runtime, User, Draft, str], Awaitable[list[str]]]
# What a limit refusal at sending looks like for a kind (info support): the handler's own text.
Limited = Callable[[Update, ContextTypes.DEFAULT_TYPE, requests_service.Sent], Awaitable[None]]
_LIMITED: dict[str, Limited] = {}


def register(form: Form, extra: Extra | None = None, limited: Limited | None = None) -> None:
    async def notes(rt: Runtime, user: User, draft: Draft, answered: str) -> list[str]:
        found = await _shared_checks(rt, user, form, draft, answered)
        if not found and extra is not None:
            found = await extra(rt, user, draft, answered)
        return found

    forms.register(forms.FormFlow(form=form, texts=f"forms.{form.name}",
                                  on_complete=show_summary, notes=notes))
    if limited is not None:
        _LIMITED[form.name] = limited


async def refusal(rt: Runtime, user: User) -> str | None:
    """Why this person can't send requests now, or None (the same answers as /apply)."""
    if rt.settings.is_manager(user.id):
        return rt.text(user, "requests.managers_dont_ask")
    member, partner = await partners.membership(rt.db, user.id)
    if member is None or member.state == "declined":
        return rt.text(user, "apply.join_first")
    if member.state == "pending":
        return rt.text(user, "apply.wait_for_confirmation")
    if partner is not None and partner.suspended_at:
        return rt.text(user, "apply.suspended", reason=partner.suspended_reason or "—")
    return None


def _context_of(answers: dict[str, Any]) -> dict[str, Any]:
    return {k: answers[k] for k in CONTEXT_KEYS if k in answers and k != "event_date"}


async def begin(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft,
                notes: list[str] | None = None) -> None:
    """Ask the first open question of `draft` — or, when another draft of this form is under
    way for something else, ask first whether to continue that one."""
    rt = runtime(context)
    user = update.effective_user
    assert user is not None
    saved = await forms.load(rt, user.id, draft.form)
    if saved is not None and _context_of(saved.answers) == _context_of(draft.answers):
        await forms.ask(update, context, saved, notes=notes or ())
        return
    if saved is not None and draft.answers.get("request_id") is None:
        buttons = InlineKeyboardMarkup([[
            InlineKeyboardButton(rt.text(user, "apply.resume"),
                                 callback_data=encode(ACTION, "c", draft.form)),
            InlineKeyboardButton(rt.text(user, "apply.discard"),
                                 callback_data=encode(ACTION, "x", draft.form)),
        ]])
        await context.bot.send_message(user.id, rt.text(
            user, "requests.draft_exists", kind=rt.text(user, f"requests.kind.{draft.form}")),
            reply_markup=buttons)
        return
    await forms.ask(update, context, draft, notes=notes or ())


async def _shared_checks(rt: Runtime, user: User, form: Form, draft: Draft,
                         answered: str) -> list[str]:
    """A checklist with unticked items, or a file of the wrong type, sends the person back to
    the question with a remark (the engine takes any tick, any file)."""
    question = form.field(answered)
    value = draft.answers.get(answered)
    if isinstance(question, Checklist) and value is not None:
        missing = question.missing(list(value))
        if missing:
            _reopen(draft, answered, pending=list(value))
            labels = ", ".join(rt.text(user, f"{question.labels}.{m}") for m in missing)
            return [rt.text(user, "requests.checklist_missing", items=labels)]
    if isinstance(question, OneFile) and question.accepts and value:
        kept = await files_repo.by_ids(rt.db.conn, [int(i) for i in value])
        if not all(_accepted(question, f.kind, f.mime_type) for f in kept):
            _reopen(draft, answered, pending=[])
            return [rt.text(user, f"requests.file_type.{question.key}")]
    return []


def _accepted(question: OneFile, kind: str, mime: str | None) -> bool:
    if kind == "photo":  # Telegram sends every photo as a JPEG
        return "image/jpeg" in question.accepts
    return (mime or "") in question.accepts


def _reopen(draft: Draft, key: str, pending: list[Any]) -> None:
    """Take an answer back: the question is asked again, with what was chosen still marked."""
    draft.answers.pop(key, None)
    draft.answers[f"{key}.pending"] = pending
    if draft.history and draft.history[-1] == key:
        draft.history.pop()
    draft.current = key


def footer(rt: Runtime, language: str, kind: str, answers: dict[str, Any]) -> str | None:
    keys = rt.texts.keys(language)
    for key in (f"requests.footer.{kind}.{answers.get('way', '')}", f"requests.footer.{kind}"):
        if key in keys:
            return rt.texts.render(language, key)
    return None


async def summary_text(rt: Runtime, user: User, draft: Draft) -> str:
    language = rt.language(user)
    form = REQUEST_FORMS[draft.form]
    head = [rt.text(user, "requests.summary_title",
                    kind=rt.text(user, f"requests.kind.{draft.form}"))]
    subject = await request_cards.subject_line(rt, language, draft.answers)
    head += [subject] if subject else []
    tail = [note] if (note := footer(rt, language, draft.form, draft.answers)) else []
    return fitted(lambda limit: "\n\n".join([
        *head, "\n".join(answer_lines(rt, language, form, f"forms.{form.name}", draft.answers,
                                      limit)), *tail]))


async def show_summary(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> None:
    rt = runtime(context)
    user = update.effective_user
    assert user is not None
    form = draft.form
    markup = forms.summary_keyboard(
        rt, user, draft, edit=lambda key: encode(ACTION, "ed", form, key),
        last_row=[("apply.send", encode(ACTION, "s", form)),
                  ("apply.discard", encode(ACTION, "x", form))])
    await forms.send_summary(update, context, draft, await summary_text(rt, user, draft), markup)


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
    kind = parts[1] if len(parts) >= 2 else ""
    draft = await forms.load(rt, user.id, kind) if kind in REQUEST_FORMS else None
    if draft is None:  # sent or dropped already (a double tap): its buttons are gone
        await query.answer(rt.text(user, "forms.common.stale"))
        return
    if what == "x":
        await query.answer()
        await forms.cancel_form(update, context, kind)
        return
    if what == "c":
        await query.answer()
        await remove_buttons(query)
        await forms.ask(update, context, draft)
        return
    if not forms.on_current_summary(draft, query):
        await query.answer(rt.text(user, "forms.common.stale"))
        return
    if what == "ed" and len(parts) == 3:
        await query.answer()
        forms.edit(draft, REQUEST_FORMS[kind], parts[2])
        await forms.ask(update, context, draft)
    elif what == "s":
        await _send(update, context, draft)
    else:
        await query.answer()


async def _send(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    forms.to_confirm_on(draft, query)
    sent = await requests_service.send(rt.db, rt.rulebook, telegram_id=user.id, draft=draft,
                                       now=rt.clock.now(), settings=rt.settings)
    if sent.sending is Sending.LIMITED:
        await query.answer()
        await _LIMITED[draft.form](update, context, sent)
        return
    if sent.sending is not Sending.SENT or sent.request is None:
        await query.answer(rt.text(user, "requests.cannot_send"), show_alert=True)
        return
    rt.outbox.wake()  # the request's cards, and the summary edited into «sent»
    await query.answer(rt.text(user, "apply.sent_short"))


async def _fix(update: Update, context: ContextTypes.DEFAULT_TYPE, request_id: int) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    try:
        draft = await requests_service.open_fix(rt.db, telegram_id=user.id,
                                                request_id=request_id)
    except NotAllowed:
        await query.answer(rt.text(user, "forms.common.stale"), show_alert=True)
        return
    await query.answer()
    await remove_buttons(query)
    await forms.ask(update, context, draft)


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [CallbackQueryHandler(on_button, pattern=pattern(ACTION))]
