"""Info support and promo materials for an approved event, from its details in /events or from
/request: the templates, the limits said up front, the forms; and /announcements.

Callback data: `sp:<kind>:<application>` opens the request for that event.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update, User
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.config import ConfigError
from bot.forms.engine import Draft
from bot.forms.support import INFO_SUPPORT, PICKED_UP, PROMO_MATERIALS, days_left
from bot.handlers import forms, membership, request_cards, request_flow
from bot.handlers.callbacks import decode, encode, is_id, pattern
from bot.handlers.render import short_date
from bot.rules.announcement_limits import Verdict
from bot.runtime import Runtime, runtime
from bot.services import requests as requests_service
from bot.services import support as support_service
from bot.services.applications import NotAllowed
from bot.services.requests import Opening, Sent
from bot.storage import applications as applications_repo
from bot.storage import partners as partners_repo
from bot.storage.applications import ApplicationRow

ACTION = "sp"
KINDS = (INFO_SUPPORT.name, PROMO_MATERIALS.name)
MAX_TEMPLATES = 10
_SETTINGS = "partnerdesk.support"
_SENT_TEMPLATES = "partnerdesk.templates"  # (path, mtime, size) → Telegram file_id


class SupportSettings(BaseSettings):
    """Where the vendor keeps the announcement and banner templates (environment:
    PARTNERDESK_TEMPLATES_DIR); without it partners are told the manager sends them."""

    model_config = SettingsConfigDict(env_prefix="PARTNERDESK_", env_file=".env",
                                      env_file_encoding="utf-8", extra="ignore")

    templates_dir: Path | None = None

    @field_validator("templates_dir", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("templates_dir")
    @classmethod
    def _a_folder(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"{value} is not a folder")
        return value


def load_support_settings() -> SupportSettings:
    try:
        return SupportSettings()
    except ValidationError as exc:
        raise ConfigError("\n".join(
            f"PARTNERDESK_{str(e['loc'][0]).upper()}: {str(e['msg']).removeprefix('Value error, ')}"
            for e in exc.errors()
        )) from None


def configure(bot_data: dict[Any, Any]) -> None:
    """Read the settings once, at startup, so a wrong folder stops the bot with a clear message."""
    bot_data[_SETTINGS] = load_support_settings()


def templates(context: ContextTypes.DEFAULT_TYPE) -> list[Path]:
    settings = context.bot_data.get(_SETTINGS)
    folder = settings.templates_dir if isinstance(settings, SupportSettings) else None
    if folder is None or not folder.is_dir():
        return []
    found = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    return found[:MAX_TEMPLATES]


async def send_templates(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """The vendor's templates as documents (uploaded once, then sent by file_id)."""
    user = update.effective_user
    assert user is not None
    sent: dict[tuple[str, int, int], str] = context.bot_data.setdefault(_SENT_TEMPLATES, {})
    count = 0
    for path in templates(context):
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        document: str | InputFile
        if key in sent:
            document = sent[key]
        else:
            document = InputFile(await asyncio.to_thread(path.read_bytes), filename=path.name)
        message = await context.bot.send_document(user.id, document)
        if message.document is not None:
            sent[key] = message.document.file_id
        count += 1
    return count


def event_buttons(rt: Runtime, user: User, row: ApplicationRow) -> list[list[InlineKeyboardButton]]:
    """On an approved event's details: the support it asked for, while it is still ahead."""
    today = rt.clock.now().date()
    return [[InlineKeyboardButton(rt.text(user, f"support.button.{kind}"),
                                  callback_data=encode(ACTION, kind, row.id))]
            for kind in KINDS if support_service.eligible(row, kind, today)]


async def pick_event(update: Update, context: ContextTypes.DEFAULT_TYPE, kind: str) -> None:
    """From /request: the events that may have this support; one opens at once."""
    rt = runtime(context)
    user = update.effective_user
    assert user is not None
    rows = await requests_service.eligible_events(rt.db, user.id, kind, rt.clock.now().date())
    if not rows:
        await context.bot.send_message(user.id, rt.text(user, f"support.no_events.{kind}"),
                                       parse_mode=ParseMode.HTML)
        return
    if len(rows) == 1:
        await open_for_event(update, context, kind, rows[0].id)
        return
    buttons = [[InlineKeyboardButton(f"#{r.id} · {short_date(r.event_date)} · {r.title}"[:60],
                                     callback_data=encode(ACTION, kind, r.id))]
               for r in rows[:20]]
    await context.bot.send_message(user.id, rt.text(user, "support.pick_event"),
                                   reply_markup=InlineKeyboardMarkup(buttons))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    _, parts = decode(query.data)
    await query.answer()
    if len(parts) == 2 and parts[0] in KINDS and is_id(parts[1]):
        await open_for_event(update, context, parts[0], int(parts[1]))


async def open_for_event(update: Update, context: ContextTypes.DEFAULT_TYPE, kind: str,
                         application_id: int) -> None:
    rt = runtime(context)
    user = update.effective_user
    assert user is not None
    refusal = await request_flow.refusal(rt, user)
    if refusal is not None:
        await context.bot.send_message(user.id, refusal, parse_mode=ParseMode.HTML)
        return
    today = rt.clock.now().date()
    try:
        opened = await requests_service.open_for_event(
            rt.db, rt.rulebook, telegram_id=user.id, kind=kind, application_id=application_id,
            today=today)
    except NotAllowed:
        await context.bot.send_message(user.id, rt.text(user, "events.not_yours"))
        return
    row = await applications_repo.get(rt.db.conn, application_id)
    assert row is not None
    say = rt.speaker(rt.language(user))
    if opened.opening is Opening.LIMITED and opened.verdict is not None:
        await requests_service.note_limited(rt.db, telegram_id=user.id, kind=kind,
                                            application_id=row.id, verdict=opened.verdict,
                                            now=rt.clock.now())
        await _tell_limited(update, context, row, opened.verdict)
    elif opened.opening in (Opening.WAITING, Opening.DONE) and opened.request is not None:
        request = opened.request
        shown = request_cards.periods_text(
            [(date.fromisoformat(request.shown_from), date.fromisoformat(request.shown_until))]
        ) if request.shown_from and request.shown_until else ""
        await context.bot.send_message(user.id, say(
            f"support.already.{opened.opening.value}.{kind}", id=request.id, event=row.id,
            shown=shown), parse_mode=ParseMode.HTML)
    elif opened.opening is Opening.NOT_WANTED or opened.draft is None:
        await context.bot.send_message(user.id, say(f"support.not_wanted.{kind}", id=row.id),
                                       parse_mode=ParseMode.HTML)
    elif opened.opening is Opening.FIX:
        await request_flow.begin(update, context, opened.draft)
    else:
        await _start(update, context, row, kind, opened.draft)


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE, row: ApplicationRow,
                 kind: str, draft: Draft) -> None:
    rt = runtime(context)
    user = update.effective_user
    assert user is not None
    saved = await forms.load(rt, user.id, kind)
    resuming = saved is not None and saved.answers.get("application_id") == row.id
    notes: list[str] = []
    if kind == INFO_SUPPORT.name and not resuming:
        sent = await send_templates(update, context)
        await context.bot.send_message(user.id, rt.text(
            user, "support.info_intro", id=row.id, title=row.title,
            templates=sent), parse_mode=ParseMode.HTML)
    elif kind == PROMO_MATERIALS.name:
        days = days_left(draft.answers, rt.clock.now().date())
        need = rt.rulebook.lead_times.promo_materials_days
        if days < need:
            notes.append(rt.text(user, "support.promo_too_late", days=days, need=need))
    await request_flow.begin(update, context, draft, notes=notes)


async def _tell_limited(update: Update, context: ContextTypes.DEFAULT_TYPE, row: ApplicationRow,
                        verdict: Verdict[int]) -> None:
    rt = runtime(context)
    user = update.effective_user
    assert user is not None and verdict.limit is not None
    blocking = [r for r in [await applications_repo.get(rt.db.conn, i)
                            for i in verdict.blocking] if r is not None]
    why = request_cards.limit_text(rt, rt.language(user), verdict.limit, verdict.possible_from,
                                   blocking)
    await context.bot.send_message(user.id, rt.text(
        user, "support.limited", id=row.id, title=row.title, why=why),
        parse_mode=ParseMode.HTML)


async def _limited_at_send(update: Update, context: ContextTypes.DEFAULT_TYPE,
                           sent: Sent) -> None:
    """The limits changed while the form was filled in: the draft stays for a later day."""
    rt = runtime(context)
    user = update.effective_user
    assert user is not None and sent.verdict is not None
    draft = await forms.load(rt, user.id, INFO_SUPPORT.name)
    row = await applications_repo.get(
        rt.db.conn, int(draft.answers["application_id"]) if draft else 0)
    if row is None:
        return
    await requests_service.note_limited(rt.db, telegram_id=user.id, kind=INFO_SUPPORT.name,
                                        application_id=row.id, verdict=sent.verdict,
                                        now=rt.clock.now())
    await _tell_limited(update, context, row, sent.verdict)


async def _promo_notes(rt: Runtime, user: User, draft: Draft, answered: str) -> list[str]:
    if answered == "items" and any(i in PICKED_UP for i in draft.answers.get("items") or ()):
        return [rt.text(user, "support.floor_banner_pickup")]
    return []


async def announcements_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/announcements: published announcements of events ahead, with the days they show; a
    partner sees its own, managers see everyone's."""
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    manager = rt.settings.is_manager(user.id)
    partner_id = None
    if not manager:
        try:
            partner_id = (await requests_service.member_partner(rt.db, user.id)).id
        except NotAllowed:
            await message.reply_text(await membership.not_active(rt, user))
            return
    shown = await support_service.published(rt.db.conn, rt.rulebook, partner_id=partner_id,
                                            today=rt.clock.now().date())
    if not shown:
        await message.reply_text(rt.text(user, "support.announcements_none"))
        return
    lines = [rt.text(user, "support.announcements_title", count=len(shown))]
    for item in shown[:40]:
        company = ""
        if manager:
            partner = await partners_repo.by_id(rt.db.conn, item.application.partner_id)
            company = partner.company if partner else ""
        lines.append(rt.text(
            user, "support.announcement_line", id=item.application.id,
            title=item.application.title, date=short_date(item.application.event_date),
            company=company, shown=request_cards.periods_text(item.periods)))
    await message.reply_text("\n".join(lines)[:4096], parse_mode=ParseMode.HTML)


request_flow.register(INFO_SUPPORT, limited=_limited_at_send)
request_flow.register(PROMO_MATERIALS, extra=_promo_notes)


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [
        CommandHandler("announcements", announcements_command),
        CallbackQueryHandler(on_button, pattern=pattern(ACTION)),
    ]
