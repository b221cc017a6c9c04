"""The outbox of consequential messages: cards to managers, their copies closed, outcomes to
partners, notices. Each is a row of the reminders outbox (bot/storage/reminders.py) written in the
transaction of the state change it announces, with an idempotency key, and composed at send
time from the ids it holds (bot/handlers/outbox.py). No Telegram here.

Delivery: the dispatcher claims a row, sends it, then marks it sent. A kill between Telegram's
answer and the mark leaves the claim; after the lease it is sent again — one repeat at most,
never a loss. Failures are retried with backoff (a 429 after its `retry_after`) until
`GIVE_UP_AFTER`, then the row is `given_up` and reported; a recipient who has not started the
bot makes it `waiting` until they do; a block (403) stops it.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.config import Role, Settings
from bot.storage import applications, decisions, partners, reports, requests
from bot.storage import reminders as rows
from bot.storage.database import Database

GIVE_UP_AFTER = timedelta(hours=24)  # then given up: the ops chat and `status` say so
FIRST_RETRY = timedelta(seconds=1)
MAX_RETRY = timedelta(minutes=5)


class Message(enum.StrEnum):
    CARD = "card"        # a subject's card to a chat (with its decision buttons)
    CLOSE = "close"      # one copy of a card edited to show the decision, without buttons
    OUTCOME = "outcome"  # the partner told what was decided
    NOTICE = "notice"    # any other message, composed by its payload's `notice`


class Subject(enum.StrEnum):
    """What a decision card decides."""

    APPLICATION = "application"
    REPORT = "report"
    REQUEST = "request"
    MEMBER = "member"  # a new employee for colleagues or a manager to confirm (one version)


def is_message(kind: str) -> bool:
    return kind in Message.__members__.values()


@dataclass(frozen=True, slots=True)
class CardStore:
    """Where a subject keeps the message ids of its card's copies, and whether it is open."""

    add: Callable[[aiosqlite.Connection, int, int, int, int], Awaitable[None]]
    copies: Callable[[aiosqlite.Connection, int, int], Awaitable[list[tuple[int, int]]]]
    is_open: Callable[[aiosqlite.Connection, int, int], Awaitable[bool]]


async def _application_open(conn: aiosqlite.Connection, subject_id: int, version: int) -> bool:
    row = await applications.get(conn, subject_id)
    return row is not None and row.version == version and row.status == "pending"


async def _report_open(conn: aiosqlite.Connection, subject_id: int, version: int) -> bool:
    row = await reports.get(conn, subject_id)
    return row is not None and row.version == version and row.status == "sent"


async def _request_open(conn: aiosqlite.Connection, subject_id: int, version: int) -> bool:
    row = await requests.get(conn, subject_id)
    return row is not None and row.version == version and row.status == "pending"


async def _member_pending(conn: aiosqlite.Connection, subject_id: int, version: int) -> bool:
    row = await partners.member(conn, subject_id)
    return row is not None and row.state == "pending"


STORES = {
    Subject.APPLICATION: CardStore(
        lambda conn, chat, message, i, v: decisions.add_card(
            conn, chat_id=chat, message_id=message, application_id=i, version=v),
        decisions.cards_of, _application_open),
    Subject.REPORT: CardStore(
        lambda conn, chat, message, i, v: reports.add_card(
            conn, chat_id=chat, message_id=message, report_id=i, version=v),
        reports.cards_of, _report_open),
    Subject.REQUEST: CardStore(
        lambda conn, chat, message, i, v: requests.add_card(
            conn, chat_id=chat, message_id=message, request_id=i, version=v),
        requests.cards_of, _request_open),
    Subject.MEMBER: CardStore(
        lambda conn, chat, message, i, v: partners.add_join_card(
            conn, chat_id=chat, message_id=message, member_id=i),
        lambda conn, i, v: partners.join_cards_of(conn, i), _member_pending),
}


# --- writing rows (inside the caller's transaction) ---------------------------------------------

async def can_reach(conn: aiosqlite.Connection, settings: Settings, chat_id: int) -> bool:
    """The team chat, or a person who started the bot and has not blocked it."""
    if chat_id in (settings.managers_chat, settings.ops_chat):
        return True
    async with conn.execute("SELECT blocked_at FROM users WHERE telegram_id = ?",
                            (chat_id,)) as cursor:
        row = await cursor.fetchone()
    return row is not None and row[0] is None


def deciders(settings: Settings, role: Role) -> list[int]:
    """Where a card goes: the team chat when there is one, else the members of its role."""
    if settings.managers_chat is not None:
        return [settings.managers_chat]
    return list(settings.members_of(role))


async def send(conn: aiosqlite.Connection, settings: Settings, *, key: str, to: int,
               kind: Message, payload: dict[str, Any], now: datetime) -> bool:
    """One message to one chat; returns whether it can go out now (else it waits for them)."""
    reachable = await can_reach(conn, settings, to)
    # No application_id on a message: the reminders' own queries (replanning, cancelling,
    # the partner's 🔔 list) must never see it.
    await rows.enqueue(conn, key=key, recipient_id=to, kind=kind.value, payload=payload,
                       now=now, state="planned" if reachable else "waiting")
    return reachable


async def cards(conn: aiosqlite.Connection, settings: Settings, subject: Subject,
                subject_id: int, version: int, *, to: Iterable[int], now: datetime,
                why: str = "new", note: dict[str, Any] | None = None) -> bool:
    """A card for each chat; True when at least one of them can be reached now."""
    reached = False
    for chat in dict.fromkeys(to):
        payload: dict[str, Any] = {"subject": subject.value, "id": subject_id,
                                   "version": version}
        if note is not None:
            payload["note"] = note
        reached |= await send(conn, settings, key=f"card:{subject}:{subject_id}:{version}:{why}:"
                              f"{chat}", to=chat, kind=Message.CARD, payload=payload, now=now)
    return reached


async def confirm_sent(conn: aiosqlite.Connection, settings: Settings, subject: Subject,
                       subject_id: int, version: int, *, to: int, role: Role, now: datetime,
                       summary: int | None = None, **shown: Any) -> None:
    """The sender's «sent to the manager» (or «waits for a manager»): a promise as much as the
    cards it goes with, so a kill right after the commit can't leave the sender without it.
    `summary`: the summary message whose «Send» was pressed — edited into the confirmation
    (one Bot API call for the step); `shown`: what its text names (the number, a request's
    kind)."""
    payload: dict[str, Any] = {"notice": "sent", "subject": subject.value, "role": role.value,
                               **shown}
    if summary is not None:
        payload |= {"summary": summary, "subject_id": subject_id}
    await send(conn, settings, key=f"sent:{subject}:{subject_id}:{version}", to=to,
               kind=Message.NOTICE, payload=payload, now=now)


async def decided(conn: aiosqlite.Connection, settings: Settings, subject: Subject,
                  subject_id: int, version: int, *, partner_to: Iterable[int],
                  now: datetime) -> None:
    """After a decision: every copy of the card closed, and the partner told — each its own row,
    so one failing never stops another."""
    ids = {"subject": subject.value, "id": subject_id, "version": version}
    for chat, message in await STORES[subject].copies(conn, subject_id, version):
        await _close(conn, subject, subject_id, version, chat, message, now)
    for person in dict.fromkeys(partner_to):
        await send(conn, settings, key=f"outcome:{subject}:{subject_id}:{version}:{person}",
                   to=person, kind=Message.OUTCOME, payload=ids, now=now)


async def _close(conn: aiosqlite.Connection, subject: Subject, subject_id: int, version: int,
                 chat: int, message: int, now: datetime) -> None:
    await rows.enqueue(conn, key=f"close:{subject}:{chat}:{message}", recipient_id=chat,
                       kind=Message.CLOSE.value, now=now,
                       payload={"subject": subject.value, "id": subject_id, "version": version,
                                "message_id": message})


async def notice(conn: aiosqlite.Connection, settings: Settings, *, key: str, to: Iterable[int],
                 notice: str, now: datetime, **ids: Any) -> int:
    """A notice (its composer named by `notice`) to each of `to`; returns how many of them
    can be reached now (the others get it when they start the bot)."""
    reached = 0
    for person in dict.fromkeys(to):
        reached += await send(conn, settings, key=f"notice:{key}:{person}", to=person,
                              kind=Message.NOTICE, payload={"notice": notice, **ids}, now=now)
    return reached


# --- the dispatcher's side ----------------------------------------------------------------------

def message_verdict(row: rows.Due, settings: Settings, now: datetime) -> tuple[str, str | None]:
    """What to do with a due message: ('send', None), or the state it goes to and why."""
    if now - rows.parse_utc(row.created_at) > GIVE_UP_AFTER:
        return "given_up", "undelivered for 24 h"
    if row.recipient_id in (settings.managers_chat, settings.ops_chat):
        return "send", None
    if row.language is None:
        return "waiting", "has not started the bot"
    if row.blocked_at is not None:
        return "dropped", "blocked"
    return "send", None


def retry_delay(attempts: int) -> timedelta:
    """Before the next try after `attempts` failures: 1, 2, 4 … seconds, at most 5 minutes."""
    delay: timedelta = FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 16)
    return min(delay, MAX_RETRY)


async def delivered(db: Database, row: rows.Due, token: str, now: datetime,
                    message_id: int | None) -> bool:
    """Mark a message sent; a card's copy is recorded (and closed at once if decided
    meanwhile). False if the claim was lost (it may then come twice)."""
    async def work(conn: aiosqlite.Connection) -> bool:
        if row.kind == Message.CARD and message_id is not None:
            await _record_copy(conn, Subject(row.payload["subject"]), int(row.payload["id"]),
                               int(row.payload["version"]), row.recipient_id, message_id, now)
        return await rows.finish(conn, row.id, token, state="sent", now=now)

    return await db.atomically(work)


async def card_copy_sent(db: Database, subject: Subject, subject_id: int, version: int,
                         chat_id: int, message_id: int, now: datetime) -> None:
    """A copy sent directly (a manager opened it from /pending) is kept in step too."""
    async with db.transaction() as conn:
        await _record_copy(conn, subject, subject_id, version, chat_id, message_id, now)


async def _record_copy(conn: aiosqlite.Connection, subject: Subject, subject_id: int,
                       version: int, chat_id: int, message_id: int, now: datetime) -> None:
    """Remember a copy so the decision can close it; decided meanwhile, it is closed at once."""
    store = STORES[subject]
    await store.add(conn, chat_id, message_id, subject_id, version)
    if not await store.is_open(conn, subject_id, version):
        await _close(conn, subject, subject_id, version, chat_id, message_id, now)


async def deciders_reachable(db: Database, settings: Settings, role: Role) -> bool:
    """Whether a card for this role reaches someone now (else it waits in the outbox)."""
    for chat in deciders(settings, role):
        if await can_reach(db.conn, settings, chat):
            return True
    return False


async def not_started(db: Database, row: rows.Due, token: str, now: datetime) -> None:
    """Telegram does not know the chat (the person never started the bot): wait for them."""
    async with db.transaction() as conn:
        await rows.wait(conn, row.id, token, note="chat not found", now=now)


async def retry_later(db: Database, row: rows.Due, token: str, now: datetime, *,
                      after: timedelta | None, note: str) -> timedelta:
    """Planned again: after Telegram's retry_after (not counted as an attempt), or backoff;
    returns how long until it is due."""
    attempts = row.attempts if after is not None else row.attempts + 1
    due = now + (after if after is not None else retry_delay(attempts))
    async with db.transaction() as conn:
        await rows.postpone(conn, row.id, token, due_at=due, attempts=attempts,
                            note=note[:300], now=now)
    return due - now


async def recipient_started(db: Database, telegram_id: int, now: datetime) -> int:
    """Someone started the bot: what waited for them is due now; returns how many."""
    async with db.transaction() as conn:
        return await rows.release_waiting(conn, telegram_id, now)


# --- who can't be reached -----------------------------------------------------------------------

async def unreachable_roles(db: Database, settings: Settings) -> dict[Role, list[int]]:
    """Roles with members who have not started the bot (or blocked it): their cards wait."""
    if settings.managers_chat is not None:
        return {}
    found: dict[Role, list[int]] = {}
    for role, members in settings.managers.items():
        missing = [m for m in members if not await can_reach(db.conn, settings, m)]
        if missing:
            found[role] = missing
    return found


async def summary(db: Database) -> rows.Summary:
    return await rows.summary(db.conn)
