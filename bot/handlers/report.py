"""/report: the partner reports on an approved activity — figures, link, photos, documents."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.forms.engine import Draft
from bot.forms.parsing import Invalid
from bot.forms.report import PHOTOS, REPORT, photo_categories
from bot.handlers import forms, membership
from bot.handlers.callbacks import decode, encode, is_id, pattern
from bot.handlers.render import answer_lines, assessment_lines, fitted, short_date
from bot.runtime import Runtime, runtime
from bot.services import reports
from bot.services.applications import NotAllowed
from bot.storage import applications as applications_repo

ACTION = "rp"  # rp:<application>: open the report form (also from reminders and /events)
SEND = "rs"    # rs:send / rs:edit:<key> / rs:cats / rs:cat:<n> / rs:back on the report's summary
TEXTS = "forms.report"


async def report_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    try:
        rows = await reports.reportable(rt.db, user.id, rt.clock.now().date())
    except NotAllowed:
        await message.reply_text(await membership.not_active(rt, user))
        return
    if not rows:
        await message.reply_text(rt.text(user, "report.nothing_to_report"))
        return
    if len(rows) == 1:
        await _open(update, context, rows[0].id)
        return
    buttons = [[InlineKeyboardButton(f"#{r.id} · {short_date(r.event_date)} · {r.title}"[:60],
                                     callback_data=encode(ACTION, r.id))] for r in rows[:20]]
    await message.reply_text(rt.text(user, "report.pick"),
                             reply_markup=InlineKeyboardMarkup(buttons))


async def on_open(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    _, parts = decode(query.data)
    await query.answer()
    if parts and is_id(parts[0]):
        await _open(update, context, int(parts[0]))


async def _open(update: Update, context: ContextTypes.DEFAULT_TYPE, application_id: int) -> None:
    rt = runtime(context)
    user = update.effective_user
    assert user is not None
    try:
        draft = await reports.open_report(rt.db, telegram_id=user.id,
                                          application_id=application_id, now=rt.clock.now())
    except NotAllowed:
        await context.bot.send_message(user.id, rt.text(user, "report.not_reportable"))
        return
    row = await rt.db.read_at_once(lambda conn: applications_repo.get(conn, application_id))
    assert row is not None
    opening = rt.text(user, "report.opening", id=row.id, title=row.title,
                      photos=bool(photo_categories(draft.answers)))
    await forms.ask(update, context, draft, notes=[opening])  # one message, not two


def summary_text(rt: Runtime, user: User, draft: Draft) -> str:
    row_answers = draft.answers
    language = rt.language(user)
    return fitted(lambda limit: "\n\n".join([
        rt.text(user, "report.summary_title", id=row_answers["application_id"]),
        "\n".join(answer_lines(rt, language, REPORT, TEXTS, row_answers, limit)),
    ]))


async def _show_summary(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> None:
    rt = runtime(context)
    user = update.effective_user
    assert user is not None
    assessment = await reports.expected_for(rt.db, rt.rulebook, draft.answers)
    fix_categories = [("report.categories", encode(SEND, "cats"))] if (
        len(_photos(draft)) >= 2) else []
    markup = forms.summary_keyboard(rt, user, draft,
                                    edit=lambda key: encode(SEND, "edit", key),
                                    last_row=[("report.send", encode(SEND, "send"))],
                                    extra=fix_categories)
    text = summary_text(rt, user, draft) + "\n\n" + rt.text(user, "report.expected") + "\n" + (
        "\n".join(assessment_lines(rt, rt.language(user), assessment)))
    await forms.send_summary(update, context, draft, text[:4096], markup)


def _photos(draft: Draft) -> dict[str, int]:
    return dict((draft.answers.get(PHOTOS.key) or {}).get("photos") or {})


async def _show_categories(update: Update, context: ContextTypes.DEFAULT_TYPE,
                           draft: Draft) -> None:
    """The summary turned into the photos by the order sent, a button each: a tap gives the
    photo the next category."""
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    rows = [[InlineKeyboardButton(
        f"{n} — {rt.text(user, f'{PHOTOS.labels}.{category}')}",
        callback_data=encode(SEND, "cat", n))]
        for n, category in enumerate(_photos(draft), start=1)]
    rows.append([InlineKeyboardButton(rt.text(user, "report.categories_done"),
                                      callback_data=encode(SEND, "back"))])
    await query.edit_message_text(rt.text(user, "report.categories_prompt"),
                                  reply_markup=InlineKeyboardMarkup(rows))


async def on_summary_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.data is None:
        return
    _, parts = decode(query.data)
    draft = await forms.load(rt, user.id, REPORT.name)
    if not forms.on_current_summary(draft, query):
        await query.answer(rt.text(user, "forms.common.stale"))
        return
    if parts[:1] == ["edit"] and len(parts) == 2:
        await query.answer()
        forms.edit(draft, REPORT, parts[1])
        await forms.ask(update, context, draft)
        return
    if parts in (["cats"], ["back"]) or (parts[:1] == ["cat"] and len(parts) == 2
                                         and is_id(parts[1])):
        await _on_categories(update, context, draft, parts)
        return
    if parts != ["send"]:
        await query.answer()
        return
    forms.to_confirm_on(draft, query)
    try:
        await reports.send(rt.db, rt.rulebook, telegram_id=user.id, draft=draft,
                           now=rt.clock.now(), settings=rt.settings)
    except NotAllowed:
        await query.answer(rt.text(user, "report.not_reportable"), show_alert=True)
        return
    rt.outbox.wake()  # the review cards, and the summary edited into «sent»
    await query.answer(rt.text(user, "report.sent_short"))


async def _on_categories(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft,
                         parts: list[str]) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    if parts == ["back"]:
        await query.answer()
        await _show_summary(update, context, draft)
        return
    if parts[0] == "cat":
        try:
            draft.answers[PHOTOS.key] = PHOTOS.reassigned(draft.answers[PHOTOS.key],
                                                          draft.answers, int(parts[1]) - 1)
        except (Invalid, KeyError):
            await query.answer(rt.text(user, "forms.common.stale"))
            return
        await forms.save(rt, user.id, draft)
    await query.answer()
    await _show_categories(update, context, draft)


forms.register(forms.FormFlow(form=REPORT, texts=TEXTS, on_complete=_show_summary))


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [
        CommandHandler("report", report_command),
        CallbackQueryHandler(on_open, pattern=pattern(ACTION)),
        CallbackQueryHandler(on_summary_button, pattern=pattern(SEND)),
    ]
