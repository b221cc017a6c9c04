"""The outbox (the `reminders` table: reminders and every consequential message) and partners'
reminder opt-outs. Explicit SQL; never commits.

Times are UTC text `YYYY-MM-DDTHH:MM:SSZ` (fixed width, so text order is time order).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

import aiosqlite

_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_FORMAT)


def parse_utc(text: str) -> datetime:
    return datetime.strptime(text, _FORMAT).replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ReminderRow:
    id: int
    key: str
    application_id: int | None
    recipient_id: int
    kind: str
    planned_for: str | None
    due_at: str
    state: str
    attempts: int
    sent_at: str | None
    note: str | None


_COLUMNS = ("id, key, application_id, recipient_id, kind, planned_for, due_at, state, attempts,"
            " sent_at, note")


@dataclass(frozen=True, slots=True)
class Due:
    """A planned reminder whose time has come, with what sending it needs."""

    id: int
    application_id: int | None
    partner_id: int | None   # a money nudge's
    recipient_id: int
    kind: str
    planned_for: str | None
    due_at: str
    attempts: int
    status: str | None       # the application's, now
    event_date: str | None
    title: str | None
    activity: str | None     # the application's kind
    company: str | None
    language: str | None     # None: the recipient never wrote to the bot
    blocked_at: str | None
    promise_id: int | None   # a co-partner's promise it is about
    payload: dict[str, Any]  # a message's ids (empty for a reminder)
    created_at: str


# The dispatcher's one query per batch: the partial index `reminders_due` finds the rows,
# the joins are primary-key lookups.
DUE_SQL = (
    "SELECT r.id, r.application_id, r.partner_id, r.recipient_id, r.kind, r.planned_for,"
    " r.due_at, r.attempts, a.status, a.event_date, a.title, a.kind, p.company, u.language,"
    " u.blocked_at, r.promise_id, r.payload, r.created_at FROM reminders AS r"
    " LEFT JOIN applications AS a ON a.id = r.application_id"
    " LEFT JOIN partners AS p ON p.id = coalesce(a.partner_id, r.partner_id)"
    " LEFT JOIN users AS u ON u.telegram_id = r.recipient_id"
    " WHERE r.state = 'planned' AND r.due_at <= ? AND (? OR r.payload IS NOT NULL)"
    " ORDER BY r.due_at LIMIT ?"
)


async def due(conn: aiosqlite.Connection, now: datetime, limit: int, *,
              reminders_too: bool = True) -> list[Due]:
    """Due rows; without `reminders_too` only messages (those with a payload: quiet hours)."""
    async with conn.execute(DUE_SQL, (utc(now), reminders_too, limit)) as cursor:
        return [Due(*row[:16], payload=_payload(row[16]), created_at=row[17])  # type: ignore[misc]
                for row in await cursor.fetchall()]


def _payload(text: str | None) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(text)) if text else {}


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


async def claim(conn: aiosqlite.Connection, ids: Sequence[int], token: str,
                now: datetime) -> int:
    """Compare-and-set planned → sending; returns how many were still planned."""
    if not ids:
        return 0
    cursor = await conn.execute(
        "UPDATE reminders SET state = 'sending', claim = ?, claimed_at = ?, updated_at = ?"
        f" WHERE state = 'planned' AND id IN ({_marks(ids)})",
        (token, utc(now), utc(now), *ids),
    )
    return cursor.rowcount


async def settle(conn: aiosqlite.Connection, ids: Sequence[int], *, state: str, note: str | None,
                 now: datetime) -> None:
    """Planned rows that will not be sent (stale, blocked, no longer relevant)."""
    if not ids:
        return
    await conn.execute(
        f"UPDATE reminders SET state = ?, note = ?, updated_at = ?"
        f" WHERE state = 'planned' AND id IN ({_marks(ids)})",
        (state, note, utc(now), *ids),
    )


async def finish(conn: aiosqlite.Connection, reminder_id: int, token: str, *, state: str,
                 now: datetime, note: str | None = None) -> bool:
    """A claimed row is done: sent, failed or dropped. False if the claim was lost."""
    cursor = await conn.execute(
        "UPDATE reminders SET state = ?, note = ?, claim = NULL, updated_at = ?,"
        " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END"
        " WHERE id = ? AND state = 'sending' AND claim = ?",
        (state, note, utc(now), state, utc(now), reminder_id, token),
    )
    return cursor.rowcount == 1


async def postpone(conn: aiosqlite.Connection, reminder_id: int, token: str, *,
                   due_at: datetime, attempts: int, note: str, now: datetime) -> bool:
    """A claimed row goes back to planned for a later try."""
    cursor = await conn.execute(
        "UPDATE reminders SET state = 'planned', due_at = ?, attempts = ?, note = ?,"
        " claim = NULL, claimed_at = NULL, updated_at = ?"
        " WHERE id = ? AND state = 'sending' AND claim = ?",
        (utc(due_at), attempts, note, utc(now), reminder_id, token),
    )
    return cursor.rowcount == 1


async def wait(conn: aiosqlite.Connection, row_id: int, token: str, *, note: str,
               now: datetime) -> bool:
    """A claimed message whose recipient can't be reached yet waits until they /start."""
    cursor = await conn.execute(
        "UPDATE reminders SET state = 'waiting', note = ?, claim = NULL, claimed_at = NULL,"
        " updated_at = ? WHERE id = ? AND state = 'sending' AND claim = ?",
        (note, utc(now), row_id, token),
    )
    return cursor.rowcount == 1


async def release_waiting(conn: aiosqlite.Connection, recipient_id: int, now: datetime) -> int:
    """The recipient started the bot: what waited for them is due at once."""
    cursor = await conn.execute(
        "UPDATE reminders SET state = 'planned', due_at = ?, note = 'recipient started',"
        " updated_at = ? WHERE state = 'waiting' AND recipient_id = ?",
        (utc(now), utc(now), recipient_id),
    )
    return cursor.rowcount


async def enqueue(conn: aiosqlite.Connection, *, key: str, recipient_id: int, kind: str,
                  payload: dict[str, Any], now: datetime, state: str = "planned") -> bool:
    """A message, due now, unless its key was written before (idempotent)."""
    cursor = await conn.execute(
        "INSERT INTO reminders (key, recipient_id, kind, due_at, state, payload, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        (key, recipient_id, kind, utc(now), state, json.dumps(payload, sort_keys=True),
         utc(now), utc(now)),
    )
    return cursor.rowcount == 1


@dataclass(frozen=True, slots=True)
class Summary:
    """The messages in the outbox (reminders aside), for `partnerdesk status`."""

    waiting: int        # for a recipient who has not started the bot
    retrying: int       # planned again after a failed try
    given_up: int
    oldest_due: str | None  # when the oldest undelivered message was written


async def summary(conn: aiosqlite.Connection) -> Summary:
    async with conn.execute(
        "SELECT coalesce(sum(state = 'waiting'), 0),"
        " coalesce(sum(state = 'planned' AND (attempts > 0 OR note = '429')), 0),"
        " coalesce(sum(state = 'given_up'), 0),"
        " min(CASE WHEN state IN ('planned', 'sending', 'waiting') THEN created_at END)"
        " FROM reminders WHERE payload IS NOT NULL"
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return Summary(int(row[0]), int(row[1]), int(row[2]), row[3])


async def release_expired(conn: aiosqlite.Connection, claimed_before: datetime | None,
                          now: datetime) -> int:
    """Claims older than the lease (their dispatcher died) become planned again; with
    `claimed_before` None, every claim."""
    cutoff = None if claimed_before is None else utc(claimed_before)
    cursor = await conn.execute(
        "UPDATE reminders SET state = 'planned', claim = NULL, claimed_at = NULL,"
        " note = 'claim expired', updated_at = ? WHERE state = 'sending'"
        " AND (? IS NULL OR claimed_at < ?)",
        (utc(now), cutoff, cutoff),
    )
    return cursor.rowcount


async def upsert(conn: aiosqlite.Connection, *, key: str, application_id: int | None,
                 recipient_id: int, kind: str, planned_for: str | None, due_at: datetime,
                 now: datetime, promise_id: int | None = None) -> None:
    """Plan a reminder; planning it again moves a planned one and revives a cancelled one,
    and leaves one already sent, dropped or failed alone."""
    await conn.execute(
        "INSERT INTO reminders (key, application_id, recipient_id, kind, planned_for, due_at,"
        " created_at, updated_at, promise_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET due_at = excluded.due_at, state = 'planned',"
        " attempts = 0, note = NULL, updated_at = excluded.updated_at"
        " WHERE reminders.state IN ('planned', 'cancelled')",
        (key, application_id, recipient_id, kind, planned_for, utc(due_at), utc(now), utc(now),
         promise_id),
    )


async def insert_new(conn: aiosqlite.Connection, *, key: str, recipient_id: int, kind: str,
                     due_at: datetime, now: datetime, partner_id: int | None = None,
                     planned_for: str | None = None) -> bool:
    """Plan a reminder unless its key exists (a digest: one per manager and day; a money
    nudge: one per partner, last valid day, lead time and person)."""
    cursor = await conn.execute(
        "INSERT INTO reminders (key, partner_id, recipient_id, kind, planned_for, due_at,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        (key, partner_id, recipient_id, kind, planned_for, utc(due_at), utc(now), utc(now)),
    )
    return cursor.rowcount == 1


async def cancel_planned(conn: aiosqlite.Connection, application_id: int, *, note: str,
                         now: datetime, kind: str | None = None) -> int:
    """Cancel an application's planned reminders (or those of one kind)."""
    sql = ("UPDATE reminders SET state = 'cancelled', note = ?, updated_at = ?"
           " WHERE application_id = ? AND state = 'planned'")
    params: list[Any] = [note, utc(now), application_id]
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    cursor = await conn.execute(sql, params)
    return cursor.rowcount


async def cancel_promises(conn: aiosqlite.Connection, promise_ids: Sequence[int], *, note: str,
                          now: datetime) -> int:
    """A promise kept (or its co-partner removed): its planned reminders go."""
    if not promise_ids:
        return 0
    cursor = await conn.execute(
        "UPDATE reminders SET state = 'cancelled', note = ?, updated_at = ?"
        f" WHERE state = 'planned' AND promise_id IN ({_marks(promise_ids)})",
        (note, utc(now), *promise_ids),
    )
    return cursor.rowcount


async def cancel_replaced(conn: aiosqlite.Connection, application_id: int, *,
                          keep: Sequence[str], event_date: str, now: datetime) -> int:
    """After re-planning: cancel planned rows the new plan does not have — those still ahead,
    and any made for another event date. One already due stays for the dispatcher."""
    sql = ("UPDATE reminders SET state = 'cancelled', note = 'replanned', updated_at = ?"
           " WHERE application_id = ? AND state = 'planned'"
           " AND (due_at > ? OR planned_for IS NOT ?)")
    params: list[Any] = [utc(now), application_id, utc(now), event_date]
    if keep:
        sql += f" AND key NOT IN ({_marks(keep)})"
        params.extend(keep)
    cursor = await conn.execute(sql, params)
    return cursor.rowcount


async def of_application(conn: aiosqlite.Connection, application_id: int) -> list[ReminderRow]:
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM reminders WHERE application_id = ? ORDER BY due_at, id",
        (application_id,),
    ) as cursor:
        return [ReminderRow(*row) for row in await cursor.fetchall()]


async def opted_out(conn: aiosqlite.Connection, application_id: int) -> set[str]:
    async with conn.execute(
        "SELECT kind FROM reminder_optouts WHERE application_id = ?", (application_id,)
    ) as cursor:
        return {str(row[0]) for row in await cursor.fetchall()}


async def opt_out(conn: aiosqlite.Connection, application_id: int, kind: str, by: int,
                  now: datetime) -> None:
    await conn.execute(
        "INSERT INTO reminder_optouts (application_id, kind, by_id, at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (application_id, kind, by, utc(now)),
    )


async def opt_in(conn: aiosqlite.Connection, application_id: int, kind: str) -> None:
    await conn.execute("DELETE FROM reminder_optouts WHERE application_id = ? AND kind = ?",
                       (application_id, kind))


async def approver(conn: aiosqlite.Connection, application_id: int) -> int | None:
    """The manager whose approval stands."""
    async with conn.execute(
        "SELECT manager_id FROM decisions WHERE application_id = ? AND action = 'approved'"
        " ORDER BY id DESC LIMIT 1", (application_id,),
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else None


async def outstanding_reports(conn: aiosqlite.Connection,
                              statuses: Sequence[str]) -> list[tuple[int, str, str, str, str]]:
    """(id, role, event date, title, company) of applications whose report has not come."""
    async with conn.execute(
        "SELECT a.id, a.role, a.event_date, a.title, p.company FROM applications AS a"
        " JOIN partners AS p ON p.id = a.partner_id"
        f" WHERE a.status IN ({_marks(statuses)}) ORDER BY a.event_date, a.id",
        tuple(statuses),
    ) as cursor:
        return [(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]))
                for r in await cursor.fetchall()]


async def partners_with_lots_ending(conn: aiosqlite.Connection, first: date,
                                    last: date) -> list[int]:
    """Partners with a ledger lot whose last valid day is between `first` and `last` (the
    ledger's `ledger_lots` index; what is left on them is the ledger service's to say)."""
    async with conn.execute(
        "SELECT DISTINCT partner_id FROM ledger WHERE lot_id IS NULL"
        " AND expires_on BETWEEN ? AND ? ORDER BY partner_id",
        (first.isoformat(), last.isoformat()),
    ) as cursor:
        return [int(row[0]) for row in await cursor.fetchall()]
