"""Reminders in Telegram: the dispatcher job that sends the outbox, and the partner's 🔔 list.

Callback data: `rm:open:<application>` (the list, from an event's details) and
`rm:off|on:<application>:<kind>` (one tap switches an optional reminder). Every press re-checks,
in the service, that the presser works for the activity's partner.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
)
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot.forms.fields import format_rubles
from bot.handlers import outbox
from bot.handlers.callbacks import decode, encode, is_id, pattern
from bot.handlers.outbox import retry_after_seconds
from bot.handlers.render import short_date
from bot.rate_limiter import bulk_lane
from bot.rules import report_due
from bot.runtime import Runtime, runtime
from bot.services import reminders
from bot.services.applications import NotAllowed
from bot.services.reminders import Digest, Overview
from bot.services.timeline import OPTIONAL, TIMELINES, Kind
from bot.storage import copartners as copartners_repo
from bot.storage.applications import ApplicationRow
from bot.storage.reminders import Due, parse_utc

log = logging.getLogger(__name__)
ACTION = "rm"
REPORT_ACTION = "rp"  # handled by handlers/report.py
COPARTNER_ACTION = "cp"  # handled by handlers/copartners.py
DIGEST_LINES = 10
CHECKLISTS = {"seminar": "hall", "business_breakfast": "hall", "formula": "hall",
              "federal_program": "hall", "webinar": "online", "external_talk": "talk",
              "exhibition": "stand"}
# Activities whose report reminders speak of something other than an event.
REPORT_VARIANTS = {("article", Kind.REPORT_NOW): "reminders.report_now_article"}
WITH_REPORT_BUTTON = {Kind.REPORT_NOW, Kind.REPORT_LEFT_3, Kind.REPORT_LEFT_1, Kind.OVERDUE}


# --- the dispatcher -----------------------------------------------------------------------------

@dataclass
class Stats:
    batches: int = 0
    sent: int = 0
    retried: int = 0    # 429 or network: planned again
    failed: int = 0
    blocked: int = 0
    empty: int = 0      # digests with nothing in them, messages with nothing left to say
    waiting: int = 0    # messages for someone who has not started the bot
    settled: Counter[str] = field(default_factory=Counter)  # not sent, and why


@dataclass
class Daily:
    """The day this process last planned the daily rows (digests, money nudges). Only saves
    work: the planning is idempotent, so a restart simply plans again."""

    planned_on: date | None = None


_DAILY = "partnerdesk.reminders.daily"


async def dispatch_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeating job, one run at a time: send what is due. Everything it needs is in the
    database."""
    rt = runtime(context)
    daily = context.bot_data.setdefault(_DAILY, Daily())
    async with rt.outbox.lock:
        _log(await dispatch(context.bot, rt, daily=daily))


async def wake_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one-off run a wake schedules (Runtime.outbox): the messages a commit just wrote, at
    once, beside whatever run is under way (claims are exclusive): a run under way may have a
    whole batch waiting in the rate limiter, which the person who just acted must not wait
    behind (bench/throughput.py --reminders). Reminders keep to the repeating job."""
    _log(await dispatch(context.bot, runtime(context), messages_only=True))


def _log(stats: Stats) -> None:
    if stats.batches:
        log.info("reminders: %s", stats)


async def plan_daily(rt: Runtime, daily: Daily) -> None:
    now = rt.clock.now()
    if daily.planned_on == now.date():
        return
    await reminders.ensure_digests(rt.db, rt.settings, rt.rulebook, now)
    await reminders.ensure_money_nudges(rt.db, rt.settings, rt.rulebook, now)
    daily.planned_on = now.date()


async def dispatch(bot: Bot, rt: Runtime, budget: float | None = None,
                   daily: Daily | None = None, *, messages_only: bool = False) -> Stats:
    """Claim due rows batch by batch and send them, until none is due or `budget` seconds
    (by default the interval less a second, so runs neither overlap nor get skipped) pass.
    `messages_only`: the outbox's messages, not reminders (a wake after a commit)."""
    stats = Stats()
    now = rt.clock.now()
    released = await reminders.release_expired(rt.db, now)
    if released:
        log.warning("reminders: %d claim(s) left by a stopped dispatcher released", released)
    if not messages_only:
        await plan_daily(rt, daily or Daily())
    config = rt.settings
    interval = config.reminders_interval
    limit = budget if budget is not None else max(interval - 1.0, interval / 2)
    started = time.monotonic()
    gate = asyncio.Semaphore(config.reminders_concurrency)

    # A wake after a commit sends what a person's action caused (a confirmation, a card): in
    # the people's lane. The repeating run (reminders, digests, retries) takes what is left.
    async def one(row: Due, token: str) -> None:
        async with gate:
            with contextlib.nullcontext() if messages_only else bulk_lane():
                await deliver(bot, rt, row, token, stats)

    last = 0.0  # the last batch's duration: no batch is started that would overrun the limit
    while time.monotonic() - started + last < limit:
        begun = time.monotonic()
        batch = await reminders.claim_due(rt.db, rt.settings, rt.rulebook, rt.clock.now(),
                                          config.reminders_batch, messages_only=messages_only)
        if not batch.examined:
            break
        stats.batches += 1
        stats.settled.update(batch.settled)
        await outbox.report_given_up(bot, rt, batch.given_up)
        results = await asyncio.gather(*(one(row, batch.token) for row in batch.to_send),
                                       return_exceptions=True)
        for error in (r for r in results if isinstance(r, BaseException)):
            log.error("reminders: a send failed outside its handling", exc_info=error)
        last = time.monotonic() - begun
    return stats


async def deliver(bot: Bot, rt: Runtime, row: Due, token: str, stats: Stats) -> None:
    """Send one claimed row and record how it ended; never raises for a send that failed."""
    if row.payload:  # a message, not a reminder
        ended = await outbox.deliver(bot, rt, row, token)
        setattr(stats, ended, getattr(stats, ended) + 1)
        return
    db, settings = rt.db, rt.settings
    try:
        message = await compose(rt, row)
        if message is None:
            await reminders.nothing_to_say(db, row, token, rt.clock.now())
            stats.empty += 1
            return
        text, markup = message
        await bot.send_message(row.recipient_id, text, parse_mode=ParseMode.HTML,
                               reply_markup=markup)
    except RetryAfter as exc:  # the rate limiter's own retries ran out: the next run tries
        await reminders.flood_wait(db, settings, row, token, rt.clock.now(),
                                   retry_after_seconds(exc))
        stats.retried += 1
    except Forbidden as exc:
        log.warning("reminder %s: user %s blocked the bot: %s", row.id, row.recipient_id, exc)
        await reminders.blocked(db, row, token, rt.clock.now())
        rt.presence.blocked(row.recipient_id)
        stats.blocked += 1
    except BadRequest as exc:  # a NetworkError subclass, but retrying would not help
        log.warning("reminder %s not sent to %s: %s", row.id, row.recipient_id, exc)
        await reminders.failed(db, row, token, rt.clock.now(), f"400 {exc.message}")
        stats.failed += 1
    except NetworkError as exc:  # includes TimedOut; Telegram may have got it (see services)
        if await reminders.network_failure(db, settings, row, token, rt.clock.now(), repr(exc)):
            stats.retried += 1
        else:
            stats.failed += 1
    except Exception as exc:  # a bug or an odd answer: this row only
        log.exception("reminder %s failed", row.id)
        await reminders.failed(db, row, token, rt.clock.now(), repr(exc))
        stats.failed += 1
    else:
        if not await reminders.sent(db, row, token, rt.clock.now()):
            log.warning("reminder %s was sent after its claim expired: it may come twice",
                        row.id)
        stats.sent += 1


async def compose(rt: Runtime, row: Due) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """The text and buttons of a due row in its recipient's language (None: nothing to say)."""
    language = row.language or rt.texts.default_language
    t = rt.speaker(language)
    kind = Kind(row.kind)
    if kind is Kind.DIGEST:
        today = parse_utc(row.due_at).astimezone(rt.settings.timezone).date()
        digest = await reminders.digest_for(rt.db, rt.settings, rt.rulebook, row.recipient_id,
                                            today)
        return (digest_text(rt, language, digest, rt.clock.now().date()), None) if digest else None
    if kind is Kind.EXPIRING:
        assert row.partner_id is not None and row.planned_for is not None
        points, money = await reminders.expiring(rt.db, row.partner_id,
                                                 date.fromisoformat(row.planned_for),
                                                 rt.clock.now().date())
        if not points and not money:
            return None  # spent or written off meanwhile
        return t("reminders.expiring", points=points, money=format_rubles(money) if money else "",
                 last_day=short_date(row.planned_for)), None
    if kind is Kind.PROMISE:
        return await _promise_message(rt, language, row)
    assert row.application_id is not None and row.event_date is not None
    event_date = date.fromisoformat(row.event_date)
    today = rt.clock.now().date()
    params = {"id": row.application_id, "title": row.title, "event_date": short_date(
        row.event_date), "report_due": report_due(rt.rulebook, event_date).strftime("%d.%m.%Y"),
        "days": max((event_date - today).days, 0), "company": row.company or ""}
    key = (f"reminders.checklist.{CHECKLISTS.get(row.activity or '', 'hall')}"
           if kind is Kind.CHECKLIST
           else REPORT_VARIANTS.get((row.activity or "", kind), f"reminders.{kind.value}"))
    markup = None
    if kind in WITH_REPORT_BUTTON:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(
            t("reminders.report_now_button"),
            callback_data=encode(REPORT_ACTION, row.application_id))]])
    return t(key, **params), markup


async def _promise_message(rt: Runtime, language: str,
                           row: Due) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """«Send the photo report to …» or «Has … published the announcement?», with a tick."""
    assert row.promise_id is not None and row.application_id is not None
    promise = await copartners_repo.promise(rt.db.conn, row.promise_id)
    copartner = await copartners_repo.get(rt.db.conn, promise.copartner_id) if promise else None
    if promise is None or promise.kept or copartner is None:
        return None  # kept, or the co-partner removed, meanwhile
    t = rt.speaker(language)
    text = t(f"reminders.promise.{promise.owed_by}", id=row.application_id, title=row.title,
             event_date=short_date(row.event_date or ""), name=copartner.name,
             item=t(f"copartners.item.{promise.item}"))
    return text, InlineKeyboardMarkup([[InlineKeyboardButton(
        t("copartners.tick", item=t(f"copartners.item.{promise.item}")),
        callback_data=encode(COPARTNER_ACTION, "tick", promise.id))]])


def digest_text(rt: Runtime, language: str, digest: Digest, today: date) -> str:
    t = rt.speaker(language)
    lines = [t("reminders.digest.title")]

    def section(heading: str, items: list[str]) -> None:
        if items:
            lines.extend(["", t(heading, count=len(items)), *items[:DIGEST_LINES]])
        if len(items) > DIGEST_LINES:
            lines.append(t("reminders.digest.more", count=len(items) - DIGEST_LINES))

    def waited(row: ApplicationRow, since: str) -> str:
        return t("reminders.digest.pending_line", id=row.id, title=row.title,
                 kind=t(f"forms.apply.kind_short.{row.kind}"),
                 days=(today - date.fromisoformat(since[:10])).days)

    section("reminders.digest.pending", [waited(row, row.submitted_at) for row in digest.pending])
    section("reminders.digest.reports", [waited(row, report.submitted_at)
                                         for report, row in digest.reports])
    section("reminders.digest.late", [
        t("reminders.digest.late_line", id=late.application_id, title=late.title,
          company=late.company, report_due=late.report_due.strftime("%d.%m.%Y"),
          days=late.working_days_late) for late in digest.late])
    return "\n".join(lines)


# --- the partner's list ---------------------------------------------------------------------

def has_reminders(row: ApplicationRow) -> bool:
    """Whether an event's details offer the 🔔 button."""
    return row.kind in TIMELINES and row.status in reminders.REPORT_OPEN


def open_button(rt: Runtime, language: str, application_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(rt.texts.render(language, "reminders.button"),
                                callback_data=encode(ACTION, "open", application_id))


def list_view(rt: Runtime, language: str,
              view: Overview) -> tuple[str, InlineKeyboardMarkup | None]:
    t = rt.speaker(language)
    row = view.application
    lines = [t("reminders.list.title", id=row.id, title=row.title)]
    shown = [r for r in view.rows if r.note not in ("replanned", "date changed")]
    for reminder in shown:
        state, note = reminder.state, None
        if reminder.note == "switched off":
            note = t("reminders.list.switched_off")
        elif state == "planned" and not reminders.relevant(reminder.kind, row.status):
            state, note = "cancelled", t("reminders.list.not_needed")
        moment = parse_utc(reminder.sent_at or reminder.due_at).astimezone(rt.settings.timezone)
        lines.append(t("reminders.list.line", icon=t(f"reminders.state.{state}"),
                       when=moment.strftime("%d.%m %H:%M"), note=note,
                       name=t(f"reminders.kind.{reminder.kind}")))
    if not shown:
        lines.append(t("reminders.list.none"))
    buttons = []
    for kind in view.optional:
        off = kind.value in view.off
        label = t("reminders.list.turn_on" if off else "reminders.list.turn_off",
                  name=t(f"reminders.kind.{kind.value}"))
        buttons.append([InlineKeyboardButton(label, callback_data=encode(
            ACTION, "on" if off else "off", row.id, kind.value))])
    if buttons:
        lines += ["", t("reminders.list.hint")]
    return "\n".join(lines), InlineKeyboardMarkup(buttons) if buttons else None


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.data is None:
        return
    _, parts = decode(query.data)
    if len(parts) < 2 or not is_id(parts[1]):
        await query.answer()
        return
    what, application_id = parts[0], int(parts[1])
    language = rt.language(user)
    t = rt.speaker(language)
    try:
        if what == "open":
            view = await reminders.overview(rt.db, user.id, application_id)
            await query.answer()
            text, markup = list_view(rt, language, view)
            await context.bot.send_message(user.id, text, parse_mode=ParseMode.HTML,
                                           reply_markup=markup)
        elif what in ("on", "off") and len(parts) == 3 and parts[2] in {k.value for k in OPTIONAL}:
            kind = Kind(parts[2])
            view = await reminders.switch(rt.db, rt.settings, rt.rulebook, telegram_id=user.id,
                                          application_id=application_id, kind=kind,
                                          on=what == "on", now=rt.clock.now())
            done = "reminders.list.done_on" if what == "on" else "reminders.list.done_off"
            await query.answer(t(done, name=t(f"reminders.kind.{kind.value}")))
            text, markup = list_view(rt, language, view)
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        else:
            await query.answer()
    except NotAllowed:
        await query.answer(t("events.not_yours"), show_alert=True)
    except ValueError:  # a kind this activity does not have (an old button)
        await query.answer()


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [CallbackQueryHandler(on_button, pattern=pattern(ACTION))]
