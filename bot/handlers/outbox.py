"""Sending the outbox's messages: each row composed at send time from the ids it holds, by the
composer registered for its kind (a decision card's subject, or a notice), then sent or edited.

How a send ends decides the row's fate (bot/services/outbox.py): sent; a 429 → planned again
after `retry_after`; a 5xx or a timeout → again with backoff; «chat not found» → waiting until
the person starts the bot; a block (403) → stopped.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, ReplyKeyboardRemove
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.config import Role
from bot.forms.engine import Form
from bot.handlers.markup import cannot_edit
from bot.handlers.render import answer_lines, fitted
from bot.runtime import Runtime
from bot.services import outbox, reminders
from bot.services.outbox import Message, Subject
from bot.storage.reminders import Due
from bot.telegram_bot import edit_html, send_html

log = logging.getLogger(__name__)


# Sends what comes before a message to a chat (a report's photos, a request's files).
Prelude = Callable[[Bot, int], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Outgoing:
    text: str
    # ReplyKeyboardRemove: the message that ends a form asking for a contact.
    markup: InlineKeyboardMarkup | ReplyKeyboardRemove | None = None
    edit: int | None = None  # the message to edit instead of sending a new one
    send_if_gone: bool = False  # the edit's message deleted (or too old): send the text anew
    prelude: Prelude | None = None
    document: str | None = None  # a file (its file_id) sent with the text as its caption


@dataclass(frozen=True, slots=True)
class CardViews:
    """How a decision card's subject shows in the outbox's messages (None: nothing to send)."""

    # (runtime, language, subject id, version, chat id, note) → the card with its buttons
    card: Callable[[Runtime, str, int, int, int, dict[str, Any] | None],
                   Awaitable[Outgoing | None]]
    # (runtime, language, subject id, version) → the card's text with the decision
    closed: Callable[[Runtime, str, int, int], Awaitable[str | None]]
    # (runtime, language, subject id, version) → what the partner is told
    outcome: Callable[[Runtime, str, int, int], Awaitable[Outgoing | None]]
    # (runtime, subject id) → what its sent summary keeps under «sent»: the form, its texts'
    # prefix and the answers as stored (None: the subject is gone)
    answers: Callable[[Runtime, int], Awaitable[tuple[Form, str, dict[str, Any]] | None]]


Notice = Callable[[Runtime, str, dict[str, Any]], Awaitable[Outgoing | None]]
_VIEWS: dict[Subject, CardViews] = {}
_NOTICES: dict[str, Notice] = {}


def register_views(subject: Subject, views: CardViews) -> None:
    _VIEWS[subject] = views


def register_notice(name: str, notice: Notice) -> None:
    _NOTICES[name] = notice


# Where each subject's «sent» texts live: `<prefix>.sent`, or `<prefix>.sent_waiting` while
# nobody who decides has started the bot.
SENT_TEXTS = {Subject.APPLICATION: "apply", Subject.REPORT: "report", Subject.REQUEST: "requests"}


async def _sent(rt: Runtime, language: str, payload: dict[str, Any]) -> Outgoing:
    reached = await outbox.deciders_reachable(rt.db, rt.settings, Role(payload["role"]))
    params: dict[str, Any] = {"id": payload["id"]}
    if "kind" in payload:
        params["kind"] = rt.texts.render(language, f"requests.kind.{payload['kind']}")
    subject = Subject(payload["subject"])
    prefix = SENT_TEXTS[subject]
    text = rt.texts.render(language, f"{prefix}.sent" if reached else f"{prefix}.sent_waiting",
                           **params)
    if "summary" not in payload:
        return Outgoing(text)
    # The summary whose «Send» was pressed becomes the confirmation, its answers kept below:
    # one call for the step, and the buttons go with the edit.
    shown = await _VIEWS[subject].answers(rt, int(payload["subject_id"]))
    if shown is not None:
        form, texts, answers = shown
        text = fitted(lambda limit: text + "\n\n" + "\n".join(
            answer_lines(rt, language, form, texts, answers, limit)))
    return Outgoing(text, edit=int(payload["summary"]), send_if_gone=True)


register_notice("sent", _sent)


async def language_of(rt: Runtime, chat_id: int) -> str:
    row = await rt.db.fetch_one("SELECT language FROM users WHERE telegram_id = ?", (chat_id,))
    return str(row[0]) if row else rt.texts.default_language


async def compose(rt: Runtime, row: Due) -> Outgoing | None:
    language = row.language or await language_of(rt, row.recipient_id)
    payload = row.payload
    kind = Message(row.kind)
    if kind is Message.NOTICE:
        return await _NOTICES[str(payload["notice"])](rt, language, payload)
    views = _VIEWS[Subject(payload["subject"])]
    subject_id, version = int(payload["id"]), int(payload["version"])
    if kind is Message.CARD:
        return await views.card(rt, language, subject_id, version, row.recipient_id,
                                payload.get("note"))
    if kind is Message.OUTCOME:
        return await views.outcome(rt, language, subject_id, version)
    text = await views.closed(rt, language, subject_id, version)
    return None if text is None else Outgoing(text, edit=int(payload["message_id"]))


async def _send(bot: Bot, chat_id: int, out: Outgoing) -> int | None:
    """Send (or edit); returns the new message's id."""
    if out.edit is not None:
        assert not isinstance(out.markup, ReplyKeyboardRemove), "an edit keeps inline buttons"
        try:
            await edit_html(bot, chat_id, out.edit, out.text, out.markup)
            return None
        except BadRequest as exc:
            if not (out.send_if_gone and cannot_edit(exc)):
                raise
    if out.prelude is not None:
        await out.prelude(bot, chat_id)
    if out.document is not None:
        sent = await bot.send_document(chat_id, out.document, caption=out.text,
                                       parse_mode=ParseMode.HTML, reply_markup=out.markup)
        return sent.message_id
    return await send_html(bot, chat_id, out.text, out.markup)


async def deliver(bot: Bot, rt: Runtime, row: Due, token: str) -> str:
    """Send one claimed message and record how it ended: 'sent', 'retried', 'waiting',
    'blocked', 'failed' or 'empty'. Never raises for a send that failed."""
    db, now = rt.db, rt.clock.now
    out: Outgoing | None = None
    try:
        out = await compose(rt, row)
        if out is None:
            await reminders.nothing_to_say(db, row, token, now())
            return "empty"
        message_id = await _send(bot, row.recipient_id, out)
    except RetryAfter as exc:
        rt.outbox.wake(await _seconds(outbox.retry_later(
            db, row, token, now(), note="429", after=timedelta(seconds=retry_after_seconds(exc)))))
        return "retried"
    except Forbidden as exc:
        log.warning("outbox %s: chat %s blocked the bot: %s", row.id, row.recipient_id, exc)
        await reminders.blocked(db, row, token, now())
        rt.presence.blocked(row.recipient_id)
        return "blocked"
    except BadRequest as exc:  # a NetworkError subclass: what Telegram refused, not a failure
        text = exc.message.lower()
        if out is not None and out.edit is not None and (
            "not modified" in text or "message to edit not found" in text
        ):
            await outbox.delivered(db, row, token, now(), None)
            return "sent"
        if "chat not found" in text:
            log.warning("outbox %s: chat %s has not started the bot; waiting", row.id,
                        row.recipient_id)
            await outbox.not_started(db, row, token, now())
            return "waiting"
        log.warning("outbox %s (%s) refused for %s: %s", row.id, row.kind, row.recipient_id, exc)
        await reminders.failed(db, row, token, now(), f"400 {exc.message}")
        return "failed"
    except NetworkError as exc:  # 5xx, a timeout: Telegram may have got it; tried again
        log.warning("outbox %s to %s: %r; tried again", row.id, row.recipient_id, exc)
        rt.outbox.wake(await _seconds(outbox.retry_later(db, row, token, now(), after=None,
                                                         note=repr(exc))))
        return "retried"
    except Exception as exc:  # a bug or an odd answer: this row only
        log.exception("outbox %s failed", row.id)
        await reminders.failed(db, row, token, now(), repr(exc))
        return "failed"
    if not await outbox.delivered(db, row, token, now(), message_id):
        log.warning("outbox %s was sent after its claim expired: it may come twice", row.id)
    return "sent"


async def _seconds(until: Awaitable[timedelta]) -> float:
    """When to wake the dispatcher for a row planned again (a little after it is due)."""
    return (await until).total_seconds() + 0.5


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # an int unless PTB_TIMEDELTA is set, with a warning
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def report_given_up(bot: Bot, rt: Runtime, given_up: list[Due]) -> None:
    """Tell the ops chat which messages were given up (ids and kinds only, never content)."""
    for row in given_up:
        log.error("outbox %s (%s to %s) given up: undelivered for %s", row.id, row.kind,
                  row.recipient_id, outbox.GIVE_UP_AFTER)
    ops = rt.settings.ops_chat
    if ops is None or not given_up:
        return
    language = rt.texts.default_language
    lines = [rt.texts.render(language, "ops.given_up", count=len(given_up))]
    lines += [rt.texts.render(language, "ops.given_up_line", id=r.id, kind=r.kind,
                              recipient=r.recipient_id) for r in given_up[:20]]
    await tell_ops(bot, rt, "\n".join(lines))


async def tell_ops(bot: Bot, rt: Runtime, text: str) -> None:
    """Best effort: the ops chat is told, or the log says it could not be."""
    if rt.settings.ops_chat is None:
        return
    try:
        await bot.send_message(rt.settings.ops_chat, text, parse_mode=ParseMode.HTML)
    except Exception:
        log.exception("the ops chat could not be told")


async def report_unreachable(bot: Bot, rt: Runtime) -> None:
    """At start-up: every role whose members can't be reached yet (their cards wait)."""
    missing = await outbox.unreachable_roles(rt.db, rt.settings)
    if not missing:
        return
    for role, ids in missing.items():
        log.warning("role %s: %s not reachable yet (never started the bot or blocked it);"
                    " their cards wait in the outbox", role.value, ", ".join(map(str, ids)))
    language = rt.texts.default_language
    lines = [rt.texts.render(language, "ops.unreachable")]
    lines += [rt.texts.render(language, "ops.unreachable_line",
                              role=rt.texts.render(language, f"common.role.{role.value}"),
                              ids=", ".join(map(str, ids))) for role, ids in missing.items()]
    await tell_ops(bot, rt, "\n".join(lines))
