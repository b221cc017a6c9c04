"""The Telegram side of the form engine: ask a question, read the answer, move on.

Every form (joining, applying…) registers a `FormFlow`; one text handler and one button handler
serve them all. The draft is saved after every answer, so nothing typed is lost on a restart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

from telegram import (
    CallbackQuery,
    Document,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    PhotoSize,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    User,
)
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot.forms import engine
from bot.forms.engine import SUMMARY, Draft, Form
from bot.forms.fields import Button, Context, Field
from bot.forms.media import Kept, MediaField
from bot.forms.parsing import Invalid
from bot.handlers.callbacks import decode, encode, pattern
from bot.handlers.downloads import download
from bot.handlers.markup import already_so
from bot.rules.calendar import anniversary
from bot.runtime import Runtime, runtime
from bot.services import applications as drafts_service
from bot.services import files as files_service
from bot.storage import drafts as drafts_repo
from bot.telegram_bot import edit_html, send_html

ACTION = "f"
NAV_BACK, NAV_CANCEL, NAV_SKIP, NAV_KEEP = "=back", "=cancel", "=skip", "=keep"

Hook = Callable[[Update, ContextTypes.DEFAULT_TYPE, Draft], Awaitable[None]]
# After an answer: may add to the answers (then the engine refreshes) and return remarks to show.
Notes = Callable[[Runtime, User, Draft, str], Awaitable[list[str]]]


@dataclass(frozen=True)
class FormFlow:
    form: Form
    texts: str                 # text key prefix, e.g. "forms.apply"
    on_complete: Hook          # every question answered (show a summary, or finish)
    notes: Notes | None = None  # remarks after an answer (e.g. a lead time too short)


FLOWS: dict[str, FormFlow] = {}


def register(flow: FormFlow) -> None:
    FLOWS[flow.form.name] = flow


def context_for(rt: Runtime, user: User | None) -> Context:
    return language_context(rt, rt.language(user))


def language_context(rt: Runtime, language: str) -> Context:
    lead = rt.rulebook.lead_times
    today = rt.clock.now().date()
    return Context(
        today=today,
        t=lambda key, **params: rt.texts.render(language, key, **params),
        support_days={"info": lead.info_support_days, "promo": lead.promo_materials_days},
        # As far ahead as the rulebook's year reaches (points and money are valid for it).
        latest=anniversary(today, rt.rulebook.deadlines.validity_years),
    )


def prompt_text(rt: Runtime, user: User | None, flow: FormFlow, draft: Draft,
                error: Invalid | None = None, notes: Sequence[str] = ()) -> str:
    question = flow.form.field(draft.current)
    ctx = context_for(rt, user)
    kind = str(draft.answers.get("kind", ""))
    base = f"{flow.texts}.{question.key}"
    variant = question.prompt_variant(draft.answers)
    known = rt.texts.keys(rt.language(user))
    key = next((k for k in (f"{base}.prompt_{variant}", f"{base}.prompt_{kind}") if k in known),
               f"{base}.prompt")
    parts = [*notes]
    if error is not None:
        params = dict(error.params)
        if "reason" in params:  # an error about one line of several: say what is wrong in it
            params["reason"] = rt.text(user, f"forms.error.{params['reason']}", **params)
        parts.append("⚠️ " + rt.text(user, f"forms.error.{error.reason}", **params))
    counter = flow.form.step(question.key, draft.answers)
    parts.append("\n".join([
        *([rt.text(user, "forms.common.step", n=counter[0], total=counter[1])] if counter else []),
        rt.text(user, key)]))
    if (hint := question.hint(draft.answers, ctx)) is not None:
        parts.append(hint)
    if draft.answers.get(question.key) not in (None, []):
        shown = question.show_answer(draft.answers, ctx)
        if shown.strip():
            parts.append(rt.text(user, "forms.common.now", value=shown[:500]))
    return "\n\n".join(parts)


def keyboard(rt: Runtime, user: User | None, flow: FormFlow, draft: Draft) -> InlineKeyboardMarkup:
    question = flow.form.field(draft.current)
    ctx = context_for(rt, user)
    form, key = flow.form.name, question.key

    def button(b: Button) -> InlineKeyboardButton:
        label = b.label if b.literal else rt.text(user, b.label)
        return InlineKeyboardButton(label, callback_data=encode(ACTION, form, key, b.value))

    choices = [button(b) for b in question.buttons(draft.answers, ctx)]
    rows = [choices[i:i + question.columns] for i in range(0, len(choices), question.columns)]
    previous = engine.previous_answer(draft, question, ctx)
    if previous is not None and previous != draft.answers.get(key):
        as_before = rt.text(user, "forms.common.as_before", value=question.show(previous, ctx))
        rows.insert(0, [button(Button(_button_text(as_before), engine.PREVIOUS_BUTTON,
                                      literal=True))])
    extra = []
    if question.key in draft.answers:
        extra.append(Button("forms.common.keep", NAV_KEEP))
    if question.optional:
        extra.append(Button(f"{flow.texts}.{key}.skip" if _has(rt, user, f"{flow.texts}.{key}.skip")
                            else "forms.common.skip", NAV_SKIP))
    if extra:
        rows.append([button(b) for b in extra])
    nav = [Button("forms.common.cancel", NAV_CANCEL)]
    if draft.history or draft.editing:
        nav.insert(0, Button("forms.common.back", NAV_BACK))
    rows.append([button(b) for b in nav])
    return InlineKeyboardMarkup(rows)


def _button_text(text: str, limit: int = 60) -> str:
    """One line (a cost estimate shows several), cut to what a button shows."""
    line = "; ".join(part.strip() for part in text.splitlines() if part.strip())
    return line if len(line) <= limit else line[:limit - 1] + "…"


def _has(rt: Runtime, user: User | None, key: str) -> bool:
    return key in rt.texts.keys(rt.language(user))


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft,
              error: Invalid | None = None, notes: Sequence[str] = (), *,
              in_place: int | None = None, close_old: bool = True) -> None:
    """Ask the current question (or run the flow's completion) and save the draft.

    One Bot API call a step: `in_place` (the question whose button was pressed) is edited into
    the next question; otherwise the question is sent, and with `close_old` False the old one
    keeps its buttons (a press on them is stale: only the current question's count)."""
    rt = runtime(context)
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    flow = FLOWS[draft.form]
    if draft.current == SUMMARY:
        if update.effective_message is not None:
            draft.summary_after = update.effective_message.message_id
        if in_place is None and close_old:  # else the pressed question may become the summary
            await _close_prompt(context, chat.id, draft)
        draft.summary_owed = True  # until it is shown (see taken_in_before)
        before = await load(rt, user.id, draft.form)
        await save(rt, user.id, draft)
        try:
            await flow.on_complete(update, context, draft)
        except Exception:
            # A summary that can't be shown must not stay saved: every later try would fail
            # the same way. The person is back on the question they last answered.
            if before is not None:
                await save(rt, user.id, before)
            raise
        return
    question = flow.form.field(draft.current)
    text = prompt_text(rt, user, flow, draft, error, notes)
    markup: Any = keyboard(rt, user, flow, draft)
    if question.wants_contact:
        markup = ReplyKeyboardMarkup(
            [[KeyboardButton(rt.text(user, "forms.common.share_contact"), request_contact=True)]],
            resize_keyboard=True, one_time_keyboard=True,
        )
    if in_place is not None and not question.wants_contact \
            and await _edit_into(context, chat.id, in_place, text, markup):
        draft.prompt_id = in_place
    else:
        if close_old:
            await _close_prompt(context, chat.id, draft)
        sent = await send_html(context.bot, chat.id, text, markup)
        # A reply keyboard (the contact question) goes by itself once answered.
        draft.prompt_id = None if question.wants_contact else sent
    await save(rt, user.id, draft)


async def _edit_into(context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int,
                     text: str, markup: InlineKeyboardMarkup) -> bool:
    """Turn the answered question into the next one; False when Telegram will not (the
    message was deleted, or is too old to edit): then the next question is sent."""
    try:
        await edit_html(context.bot, chat_id, message_id, text, markup)
    except BadRequest as exc:
        return already_so(exc)
    return True


async def save(rt: Runtime, telegram_id: int, draft: Draft) -> None:
    await drafts_service.save_draft(rt.db, telegram_id, draft, rt.clock.now())


async def load(rt: Runtime, telegram_id: int, form: str) -> Draft | None:
    return await drafts_service.load_draft(rt.db, telegram_id, form)


def on_current_summary(draft: Draft | None, query: CallbackQuery) -> TypeGuard[Draft]:
    """A press on a summary that shows the answers as they are now, not on one from before
    an answer was changed."""
    if draft is None or draft.current != SUMMARY or query.message is None:
        return False
    if draft.summary_after is None:
        return query.message.message_id == draft.prompt_id
    return query.message.message_id >= draft.summary_after


def to_confirm_on(draft: Draft, query: CallbackQuery) -> None:
    """The summary whose «Send» was pressed is the one edited into the confirmation (a restart
    may have shown two)."""
    draft.prompt_id = _pressed(query)


def summary_keyboard(rt: Runtime, user: User, draft: Draft, *, edit: Callable[[str], str],
                     last_row: Sequence[tuple[str, str]], fixed: Sequence[str] = (),
                     extra: Sequence[tuple[str, str]] = ()) -> InlineKeyboardMarkup:
    """A summary's buttons: ✏️ per answer (two a row; `fixed` ones can't change), a row each
    for `extra`, then `last_row` (text key, callback data) — send, discard."""
    flow = FLOWS[draft.form]
    edits = [
        InlineKeyboardButton("✏️ " + rt.text(user, f"{flow.texts}.{q.key}.label"),
                             callback_data=edit(q.key))
        for q in engine.summary_fields(flow.form, draft) if q.key not in fixed
    ]
    rows = [edits[i:i + 2] for i in range(0, len(edits), 2)]
    rows += [[InlineKeyboardButton(rt.text(user, label), callback_data=data)]
             for label, data in extra]
    rows.append([InlineKeyboardButton(rt.text(user, label), callback_data=data)
                 for label, data in last_row])
    return InlineKeyboardMarkup(rows)


async def send_summary(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft,
                       text: str, markup: InlineKeyboardMarkup) -> None:
    """Send a form's summary; its message id is saved, so only a press on it counts."""
    rt = runtime(context)
    user, query = update.effective_user, update.callback_query
    assert user is not None
    pressed = _pressed(query) if query is not None else None
    if pressed is None or pressed != draft.prompt_id \
            or not await _edit_into(context, user.id, pressed, text, markup):
        # One call: the question before keeps its buttons (a press on it is stale).
        pressed = await send_html(context.bot, user.id, text, markup)
    draft.prompt_id = pressed
    draft.summary_owed = False
    await save(rt, user.id, draft)


def edit(draft: Draft, form: Form, key: str) -> None:
    """From a summary, ask one question again."""
    engine.edit(form, draft, key)


async def begin(update: Update, context: ContextTypes.DEFAULT_TYPE, form: str,
                answers: dict[str, Any] | None = None, notes: Sequence[str] = ()) -> None:
    draft = engine.start(FLOWS[form].form, answers)
    await ask(update, context, draft, notes=notes)


async def _close_prompt(context: ContextTypes.DEFAULT_TYPE, chat_id: int, draft: Draft) -> None:
    """The answered question loses its buttons, so an old button can't be pressed by mistake."""
    if draft.prompt_id is None:
        return
    prompt_id, draft.prompt_id = draft.prompt_id, None
    try:
        await context.bot.edit_message_reply_markup(chat_id, prompt_id, reply_markup=None)
    except BadRequest as exc:  # deleted by the person, or already bare: nothing to tidy
        if not already_so(exc):
            raise


async def active_draft(rt: Runtime, telegram_id: int) -> Draft | None:
    """The form the person is in: the draft they touched last."""
    data = await drafts_repo.latest(rt.db, telegram_id)
    return Draft.from_json(data) if data else None


async def _after_answer(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft,
                        answered: str, *, in_place: int | None = None) -> None:
    rt = runtime(context)
    flow = FLOWS[draft.form]
    notes: list[str] = []
    if in_place is not None:  # the pressed question becomes the next: its answer stays in view
        notes.extend(_answered_line(rt, update.effective_user, flow, draft, answered))
    if flow.notes is not None and update.effective_user is not None:
        notes += await flow.notes(rt, update.effective_user, draft, answered)
        engine.refresh(flow.form, draft)
    await ask(update, context, draft, notes=notes, in_place=in_place, close_old=False)


def _answered_line(rt: Runtime, user: User | None, flow: FormFlow, draft: Draft,
                   key: str) -> list[str]:
    """«Тема: Битрикс24 ✓» for a question answered by a button (nothing for a skip)."""
    value = draft.answers.get(key)
    label = f"{flow.texts}.{key}.label"
    if value in (None, []) or not _has(rt, user, label):
        return []
    shown = flow.form.field(key).show_answer(draft.answers, context_for(rt, user))
    return [rt.text(user, "forms.common.answered", label=rt.text(user, label),
                    value=shown[:200])]


async def _draft_for_message(update: Update, context: ContextTypes.DEFAULT_TYPE,
                             outside: str) -> Draft | None:
    """The form the sender of a message is in; outside any, they are told `outside` (a text
    key) and None comes back."""
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return None
    draft = await active_draft(rt, user.id)
    if draft is None or draft.form not in FLOWS:
        managers = f"{outside}_manager"  # a manager is not pointed to the partner's commands
        await message.reply_text(rt.text(user, managers if rt.settings.is_manager(user.id)
                                         and _has(rt, user, managers) else outside))
        return None
    return draft


async def taken_in_before(update: Update, context: ContextTypes.DEFAULT_TYPE,
                          draft: Draft) -> bool:
    """Whether this very update was taken into the draft already: it comes again when the bot
    stopped after saving the answer but before noting the update handled. The next question
    went out before the save; only a summary (or a form's end) may still be owed."""
    if draft.answered_update != update.update_id:
        draft.answered_update = update.update_id
        return False
    if draft.current == SUMMARY and (draft.prompt_id is None or draft.summary_owed):
        await ask(update, context, draft)
    return True


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A typed answer (or a shared contact) to the question the person is on."""
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    draft = await _draft_for_message(update, context, "forms.common.no_form")
    if draft is None or user is None or message is None:
        return
    if await taken_in_before(update, context, draft):
        return
    flow = FLOWS[draft.form]
    if draft.current == SUMMARY:
        await message.reply_text(use_summary_buttons(rt, user, flow))
        return
    question: Field = flow.form.field(draft.current)
    if message.contact is not None:
        if message.contact.user_id not in (None, user.id) or not question.wants_contact:
            await ask(update, context, draft, error=Invalid("own_contact"))
            return
        text = message.contact.phone_number
    else:
        text = message.text or ""
    if not question.accepts_text:
        await ask(update, context, draft, error=Invalid("use_buttons"))
        return
    answered = draft.current
    try:
        engine.answer_text(flow.form, draft, text, context_for(rt, user))
    except Invalid as exc:
        await ask(update, context, draft, error=exc, close_old=False)
        return
    await _after_answer(update, context, draft, answered)


def use_summary_buttons(rt: Runtime, user: User, flow: FormFlow) -> str:
    """What to do at a summary, in the form's own words (a report is not an application)."""
    own = f"{flow.texts}.use_summary_buttons"
    return rt.text(user, own if _has(rt, user, own) else "forms.common.use_summary_buttons")


async def on_unreadable(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A sticker, voice note, location, poll…: say what the bot reads, and ask the question
    the person is on again (or point to the summary's buttons)."""
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    draft = await _draft_for_message(update, context, "common.not_understood")
    if draft is None or user is None or message is None:
        return
    if draft.current == SUMMARY:
        await message.reply_text(rt.text(user, "forms.common.not_understood") + " "
                                 + use_summary_buttons(rt, user, FLOWS[draft.form]))
        return
    question = FLOWS[draft.form].form.field(draft.current)
    reason = "not_understood_media" if isinstance(question, MediaField) else "not_understood"
    await ask(update, context, draft, error=Invalid(reason))


async def on_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo or document for the question the person is on: kept first, then recorded."""
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    draft = await active_draft(rt, user.id)
    if draft is None or draft.form not in FLOWS \
            or not engine.expects_file(FLOWS[draft.form].form, draft):
        await message.reply_text(rt.text(user, "forms.media.not_expected"))
        return
    if await taken_in_before(update, context, draft):
        return
    sent: PhotoSize | Document
    mime: str | None
    name: str | None
    if message.photo:
        sent = message.photo[-1]  # the largest size
        mime, name = "image/jpeg", None
    elif message.document is not None:
        sent = message.document
        mime, name = message.document.mime_type, message.document.file_name
    else:
        return
    try:
        kept = await files_service.keep(
            rt.db, rt.settings.data_dir, file_unique_id=sent.file_unique_id,
            file_id=sent.file_id, photo=bool(message.photo), mime_type=mime, file_name=name,
            size=sent.file_size, uploaded_by=user.id, now=rt.clock.now(),
            download=lambda: download(context, sent.file_id),
        )
        engine.answer_file(FLOWS[draft.form].form, draft,
                           Kept(kept.id, bool(message.photo), message.caption or ""))
    except (files_service.Refused, Invalid) as exc:
        await message.reply_text(rt.text(user, f"forms.error.{exc.reason}",
                                         **getattr(exc, "params", {})))
        return
    await save(rt, user.id, draft)
    if message.media_group_id is None:
        await ask(update, context, draft)
        return
    # An album comes as one update per photo, with no count: answer once, ALBUM_WAIT_SECONDS
    # after its last photo (each photo puts the answer off again; a slow upload spaces them).
    name_of_job = f"album:{user.id}:{message.media_group_id}"
    assert context.job_queue is not None
    for waiting in context.job_queue.get_jobs_by_name(name_of_job):
        waiting.schedule_removal()
    context.job_queue.run_once(_after_album, ALBUM_WAIT_SECONDS, data=update, name=name_of_job)


ALBUM_WAIT_SECONDS = 1.5


async def _after_album(context: ContextTypes.DEFAULT_TYPE) -> None:
    assert context.job is not None and isinstance(context.job.data, Update)
    update = context.job.data
    user = update.effective_user
    assert user is not None
    rt = runtime(context)
    async with rt.person_locks.hold(user.id):  # not while an update of theirs is in hand
        draft = await active_draft(rt, user.id)
        if draft is not None:
            await ask(update, context, draft)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.data is None:
        return
    _, parts = decode(query.data)
    if len(parts) < 3:
        await query.answer()
        return
    form, key, value = parts[0], parts[1], ":".join(parts[2:])
    draft = await drafts_service.load_draft(rt.db, user.id, form)
    if draft is not None and form in FLOWS and await taken_in_before(update, context, draft):
        await query.answer()
        return
    # A press on any copy of the question the person is on counts (a restart may have asked it
    # twice); an older question that kept its buttons is out of date by its key.
    if draft is None or form not in FLOWS or draft.current != key:
        await query.answer(rt.text(user, "forms.common.stale"))
        return
    flow = FLOWS[form]
    if value == NAV_CANCEL:
        await query.answer()
        await cancel_form(update, context, form)
        return
    if value == NAV_BACK:
        await query.answer()
        engine.back(flow.form, draft)
        await ask(update, context, draft, in_place=_pressed(query))
        return
    try:
        outcome = engine.answer_button(flow.form, draft, value, context_for(rt, user))
    except Invalid as exc:
        await query.answer(rt.text(user, f"forms.error.{exc.reason}", **exc.params)[:200],
                           show_alert=True)
        return
    await query.answer()
    if not outcome.moved:  # a toggle: redraw the marks, stay on the question
        await save(rt, user.id, draft)
        await query.edit_message_reply_markup(keyboard(rt, user, flow, draft))
        return
    await _after_answer(update, context, draft, key, in_place=_pressed(query))


def _pressed(query: CallbackQuery) -> int | None:
    return query.message.message_id if query.message is not None else None


async def cancel_form(update: Update, context: ContextTypes.DEFAULT_TYPE, form: str) -> None:
    rt = runtime(context)
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    draft = await drafts_service.load_draft(rt.db, user.id, form)
    if draft is not None:
        await _close_prompt(context, chat.id, draft)
    await drafts_service.discard_draft(rt.db, user.id, form)
    await context.bot.send_message(chat.id, rt.text(user, "common.cancelled"),
                                   reply_markup=ReplyKeyboardRemove())


async def on_cancel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """/cancel inside a form; returns False when no form is in progress."""
    rt = runtime(context)
    user = update.effective_user
    if user is None:
        return False
    draft = await active_draft(rt, user.id)
    if draft is None:
        return False
    await cancel_form(update, context, draft.form)
    return True


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    """The buttons under questions; typed answers arrive through handlers/inputs.py."""
    return [CallbackQueryHandler(on_button, pattern=pattern(ACTION))]

