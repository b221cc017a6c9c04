"""The error handler: log the failure with the update's ids, tell the user, never go silent.

The log and the ops chat get the update's id, kind, chat and user, never what the person typed
or sent: a phone number typed into a form must not land in the logs. Exception messages can
quote input (`invalid literal for int(): '+7999…'`), so the traceback is scrubbed of the
update's texts as well. `PARTNERDESK_LOG_CONTENT=true` logs the whole update, unscrubbed, for
debugging.
"""

from __future__ import annotations

import html
import json
import logging
import traceback
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.handlers.dedupe import kind_of
from bot.runtime import runtime

log = logging.getLogger(__name__)
_OPS_LIMIT = 3500  # characters of the ops-chat post, under Telegram's 4096
_OPS_HEAD = 1000
# Fields of an update that carry what a person typed, sent or is called.
_PRIVATE_FIELDS = frozenset({
    "text", "caption", "phone_number", "first_name", "last_name", "username", "data",
    "file_name", "vcard", "title", "address", "query", "email", "question", "bio",
})
_MIN_REDACTED = 4  # shorter values ("да", "12") would only blot out the traceback's own text
REDACTED = "[redacted]"


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    rt = runtime(context)
    with_content = rt.settings.log_content
    about = describe(update, with_content=with_content)
    trace = failure_text(error, update, with_content=with_content)
    log.error("error while handling %s\n%s", about, trace, extra=_fields(update))
    if not isinstance(update, Update) or isinstance(error, Forbidden):
        return
    chat = update.effective_chat
    try:
        # A message, not a callback answer: the handler may have answered the callback already,
        # and Telegram refuses a second answer.
        if chat is not None:
            await context.bot.send_message(chat.id, rt.text(update.effective_user, "common.error"))
    except TelegramError:
        log.warning("could not tell the user about the error", exc_info=True)
    ops_chat = rt.settings.ops_chat
    if ops_chat is not None and error is not None:
        head = about[:_OPS_HEAD]  # the ids first; the whole update only with content
        report = f"{head}\n{trace[-(_OPS_LIMIT - len(head)):]}"
        try:
            await context.bot.send_message(
                ops_chat, f"<pre>{html.escape(report)}</pre>", parse_mode=ParseMode.HTML
            )
        except TelegramError:
            log.warning("could not post the traceback to the ops chat", exc_info=True)


def describe(update: object, *, with_content: bool) -> str:
    """`update=12 kind=message chat=34 user=34`, plus the whole update only `with_content`."""
    if not isinstance(update, Update):
        return "no update" if update is None else f"a {type(update).__name__}"
    chat, user = update.effective_chat, update.effective_user
    line = (f"update={update.update_id} kind={kind_of(update)}"
            f" chat={chat.id if chat else '-'} user={user.id if user else '-'}")
    if with_content:
        line += " content=" + json.dumps(update.to_dict(), ensure_ascii=False, default=str)
    return line


def failure_text(error: BaseException | None, update: object, *, with_content: bool) -> str:
    """The traceback; without content, the update's texts in it are replaced by REDACTED."""
    if error is None:
        return "no exception"
    trace = "".join(traceback.format_exception(error)).rstrip()
    if with_content or not isinstance(update, Update):
        return trace
    return redact(trace, private_values(update.to_dict()))


def private_values(payload: Any) -> set[str]:
    """Every text of the update's private fields, at any depth."""
    found: set[str] = set()
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key in _PRIVATE_FIELDS and isinstance(value, str):
                found.add(value)
            else:
                found |= private_values(value)
    elif isinstance(payload, list):
        for item in payload:
            found |= private_values(item)
    return found


def redact(text: str, values: set[str]) -> str:
    """`text` without any of `values`, as written or as repr() quotes them, whole or by line."""
    variants = set()
    for value in values:
        for part in (value, *value.splitlines()):
            variants |= {part.strip(), repr(part)[1:-1].strip()}
    for variant in sorted(variants, key=len, reverse=True):
        if len(variant) >= _MIN_REDACTED:
            text = text.replace(variant, REDACTED)
    return text


def _fields(update: object) -> dict[str, object]:
    """The same ids as log record attributes, for a JSON formatter."""
    if not isinstance(update, Update):
        return {}
    chat, user = update.effective_chat, update.effective_user
    return {"update_id": update.update_id, "update_kind": kind_of(update),
            "chat_id": chat.id if chat else None, "user_id": user.id if user else None}
