"""Reminders: an approved activity's timeline planned into the outbox, what is due claimed by
compare-and-set, and how each send ended. No Telegram here: handlers/reminders.py sends.

Delivery is at-least-once with a narrow window for a duplicate: a row is claimed
('sending', with a claim token) before the send and marked 'sent' in its own transaction right
after it. A dispatcher that dies in between leaves the claim; after `LEASE` it is planned
again and sent (late) — twice only if Telegram had already taken the message in the
milliseconds before the crash. Our messages are nudges, idempotent to read: a rare second
copy costs less than a lost "your report is due tomorrow".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import aiosqlite

from bot.config import Role, Settings
from bot.rules import Rulebook, report_due
from bot.services.applications import visible
from bot.services.outbox import message_verdict
from bot.services.timeline import (
    BEFORE_EVENT,
    MONEY_LEAD_DAYS,
    OPTIONAL,
    TIMELINES,
    Kind,
    Policy,
    digest_moment,
    is_quiet,
    money_moments,
    out_of_quiet,
    promise_moment,
    timeline,
)
from bot.storage import applications, audit, copartners, ledger, partners, users
from bot.storage import reminders as outbox
from bot.storage import reports as reports_repo
from bot.storage.applications import ApplicationRow
from bot.storage.database import Database
from bot.storage.reminders import Due, ReminderRow, parse_utc
from bot.storage.reports import ReportRow

REPORT_OPEN = ("approved", "report_due")  # = services.reports.REPORTABLE (a test checks)
# A promise to a co-partner outlives the report: the photo report is due days after the event.
PROMISES_OPEN = (*REPORT_OPEN, "report_sent", "credited")
STALE_AFTER = timedelta(days=1)  # later than this (the bot was down): dropped, not sent
LEASE = timedelta(minutes=10)    # a claim older than this was left by a dead dispatcher
MAX_ATTEMPTS = 6                 # network failures before a reminder is given up
BACKOFF = timedelta(minutes=1)   # doubled per failure, at most MAX_BACKOFF
MAX_BACKOFF = timedelta(hours=1)


def policy_for(settings: Settings) -> Policy:
    return Policy(tz=settings.timezone)


# --- planning ---------------------------------------------------------------------------------

def overdue_recipients(settings: Settings, row: ApplicationRow, approver: int | None) -> list[int]:
    """The manager who approved it, or — gone from the configuration — the role's members."""
    if approver is not None and settings.is_manager(approver):
        return [approver]
    try:
        role = Role(row.role)
    except ValueError:
        role = Role.HEAD
    return list(settings.members_of(role))


def _key(application_id: int, kind: Kind, day: date, recipient: int) -> str:
    return f"{application_id}:{kind.value}:{day.isoformat()}:{recipient}"


async def replan(conn: aiosqlite.Connection, settings: Settings, rulebook: Rulebook,
                 row: ApplicationRow, now: datetime) -> int:
    """Make the outbox match the activity's timeline as it is now; returns the planned count.

    Idempotent: a key names application, kind, day and recipient, so planning twice plans
    once; a changed event date makes new keys and cancels the old ones still planned.
    """
    if row.status not in REPORT_OPEN:
        await cancel(conn, row.id, note=f"status {row.status}", now=now)
        return 0
    event_date = date.fromisoformat(row.event_date)
    moments = timeline(row.kind, event_date, report_due(rulebook, event_date),
                       rulebook.work_calendar, policy_for(settings), now)
    off = await outbox.opted_out(conn, row.id)
    managers = overdue_recipients(settings, row, await outbox.approver(conn, row.id))
    keys = []
    for moment in moments:
        if moment.kind.value in off:
            continue
        recipients = managers if moment.kind is Kind.OVERDUE_MANAGER else [row.author_id]
        for recipient in recipients:
            key = _key(row.id, moment.kind, moment.day, recipient)
            await outbox.upsert(conn, key=key, application_id=row.id, recipient_id=recipient,
                                kind=moment.kind.value, planned_for=row.event_date,
                                due_at=moment.at, now=now)
            keys.append(key)
    keys += await _plan_promises(conn, settings, row, now)
    await outbox.cancel_replaced(conn, row.id, keep=keys, event_date=row.event_date, now=now)
    return len(keys)


async def _plan_promises(conn: aiosqlite.Connection, settings: Settings, row: ApplicationRow,
                         now: datetime) -> list[str]:
    """A reminder on the due day of every open promise to the event's co-partners."""
    keys = []
    rows = await copartners.of_application(conn, row.id)
    for promise in await copartners.promises_of(conn, [r.id for r in rows]):
        at = promise_moment(date.fromisoformat(promise.due_on), policy_for(settings), now)
        if promise.kept or at is None:
            continue
        key = f"{row.id}:{Kind.PROMISE.value}.{promise.id}:{promise.due_on}:{row.author_id}"
        await outbox.upsert(conn, key=key, application_id=row.id, recipient_id=row.author_id,
                            kind=Kind.PROMISE.value, planned_for=row.event_date, due_at=at,
                            now=now, promise_id=promise.id)
        keys.append(key)
    return keys


async def plan(conn: aiosqlite.Connection, settings: Settings, rulebook: Rulebook,
               row: ApplicationRow, now: datetime) -> int:
    """Inside the approving transaction: the approved activity's reminders."""
    return await replan(conn, settings, rulebook, row, now)


async def cancel(conn: aiosqlite.Connection, application_id: int, *, note: str,
                 now: datetime) -> int:
    """Cancel what is still planned for an application: nothing more goes out."""
    return await outbox.cancel_planned(conn, application_id, note=note, now=now)


# --- the dispatcher's side ----------------------------------------------------------------------

def relevant(kind: str, status: str) -> bool:
    """Whether a reminder still applies to an application in this status (a report sent
    makes the countdown moot; a withdrawn event, everything)."""
    if kind == Kind.PROMISE:
        return status in PROMISES_OPEN
    return status in (("approved",) if kind in BEFORE_EVENT else REPORT_OPEN)


def verdict(row: Due, now: datetime) -> tuple[str, str | None]:
    """What to do with a due row: ('send', None), or a final state and why."""
    if row.application_id is not None:
        if row.status is None:
            return "cancelled", "application gone"
        if row.planned_for != row.event_date:
            return "cancelled", "date changed"
        if not relevant(row.kind, row.status):
            return "cancelled", f"status {row.status}"
    if now - parse_utc(row.due_at) > STALE_AFTER:
        return "dropped", "stale"
    if row.language is None:
        return "dropped", "never wrote to the bot"
    if row.blocked_at is not None:
        return "dropped", "blocked"
    return "send", None


@dataclass
class Batch:
    token: str
    examined: int = 0
    to_send: list[Due] = field(default_factory=list)
    settled: dict[str, int] = field(default_factory=dict)  # "dropped: stale" → count
    given_up: list[Due] = field(default_factory=list)  # messages undelivered too long


async def claim_due(db: Database, settings: Settings, rulebook: Rulebook, now: datetime,
                    limit: int, *, messages_only: bool = False) -> Batch:
    """One transaction: the due rows (one indexed query), those not to be sent settled, the
    rest claimed by compare-and-set for this batch's token."""
    batch = Batch(token=uuid.uuid4().hex)
    # At night only messages go out, not reminders.
    messages_only = messages_only or is_quiet(now, policy_for(settings))

    async def work(conn: aiosqlite.Connection) -> None:
        rows = await outbox.due(conn, now, limit, reminders_too=not messages_only)
        batch.examined = len(rows)
        verdicts: dict[tuple[str, str | None], list[int]] = {}
        moved: set[int] = set()
        for row in rows:
            action, note = (message_verdict(row, settings, now) if row.payload
                            else verdict(row, now))
            if action == "send":
                batch.to_send.append(row)
                continue
            if action == "given_up":
                batch.given_up.append(row)
            verdicts.setdefault((action, note), []).append(row.id)
            if note == "date changed" and row.application_id is not None:
                moved.add(row.application_id)
        for (state, note), ids in verdicts.items():
            await outbox.settle(conn, ids, state=state, note=note, now=now)
            batch.settled[f"{state}: {note}"] = len(ids)
        for application_id in sorted(moved):
            changed = await applications.get(conn, application_id)
            if changed is not None:
                await replan(conn, settings, rulebook, changed, now)
        claimed = await outbox.claim(conn, [r.id for r in batch.to_send], batch.token, now)
        assert claimed == len(batch.to_send), "the write transaction makes the claim exclusive"

    await db.atomically(work)
    return batch


async def release_expired(db: Database, now: datetime) -> int:
    return await db.atomically(lambda conn: outbox.release_expired(conn, now - LEASE, now))


async def release_claims_of_a_stopped_bot(db: Database, now: datetime) -> int:
    """At start-up, before this process claims anything: every claim was left by a bot that
    stopped (one runs at a time: Telegram serves one poller), so it is released now, not after
    the lease: a partner hears within seconds of the restart."""
    async with db.transaction() as conn:
        return await outbox.release_expired(conn, None, now)


async def sent(db: Database, row: Due, token: str, now: datetime) -> bool:
    return await db.atomically(
        lambda conn: outbox.finish(conn, row.id, token, state="sent", now=now))


async def nothing_to_say(db: Database, row: Due, token: str, now: datetime) -> None:
    """An empty digest is not sent."""
    async with db.transaction() as conn:
        await outbox.finish(conn, row.id, token, state="cancelled", note="empty", now=now)


async def failed(db: Database, row: Due, token: str, now: datetime, note: str) -> None:
    async with db.transaction() as conn:
        await outbox.finish(conn, row.id, token, state="failed", note=note[:300], now=now)


async def blocked(db: Database, row: Due, token: str, now: datetime) -> None:
    """A 403: the recipient is marked and skipped until they write to the bot again."""
    async with db.transaction() as conn:
        await users.set_blocked(conn, row.recipient_id, now)
        await audit.record(conn, at=now, actor_id=row.recipient_id, action="user.blocked_bot",
                           subject=f"user:{row.recipient_id}", details={"reminder": row.id})
        await outbox.finish(conn, row.id, token, state="dropped", note="blocked", now=now)


async def flood_wait(db: Database, settings: Settings, row: Due, token: str, now: datetime,
                     retry_after: float) -> None:
    """A 429 the rate limiter's own retries did not get past: planned again after
    retry_after, with no attempt counted (the message was not at fault)."""
    due = out_of_quiet(now + timedelta(seconds=retry_after), policy_for(settings))
    async with db.transaction() as conn:
        await outbox.postpone(conn, row.id, token, due_at=due, attempts=row.attempts,
                              note="429", now=now)


def backoff(attempts: int) -> timedelta:
    """Before the next try after `attempts` failures: 1, 2, 4, … minutes, at most an hour."""
    delay: timedelta = BACKOFF * 2 ** max(attempts - 1, 0)
    return min(delay, MAX_BACKOFF)


async def network_failure(db: Database, settings: Settings, row: Due, token: str,
                          now: datetime, note: str) -> bool:
    """Planned again with backoff; False when the attempts are used up (then 'failed')."""
    attempts = row.attempts + 1
    async with db.transaction() as conn:
        if attempts >= MAX_ATTEMPTS:
            await outbox.finish(conn, row.id, token, state="failed", note=note[:300], now=now)
            return False
        due = out_of_quiet(now + backoff(attempts), policy_for(settings))
        await outbox.postpone(conn, row.id, token, due_at=due, attempts=attempts,
                              note=note[:300], now=now)
    return True


# --- managers' morning digest -------------------------------------------------------------------

async def ensure_digests(db: Database, settings: Settings, rulebook: Rulebook,
                         now: datetime) -> int:
    """Today's digest row for every manager (working days only); returns how many are new."""
    policy = policy_for(settings)
    today = now.astimezone(policy.tz).date()
    if not settings.manager_ids or not rulebook.work_calendar.is_working_day(today):
        return 0
    at = digest_moment(today, policy)
    added = 0
    async with db.transaction() as conn:
        for manager in sorted(settings.manager_ids):
            added += await outbox.insert_new(conn, key=f"digest:{today.isoformat()}:{manager}",
                                             recipient_id=manager, kind=Kind.DIGEST.value,
                                             due_at=at, now=now)
    return added


# --- money nudges (the ledger's lots) -----------------------------------------------------------

async def ensure_money_nudges(db: Database, settings: Settings, rulebook: Rulebook,
                              now: datetime) -> int:
    """Nudges to every active employee of a partner whose points or bonus money expire within
    a month (MONEY_LEAD_DAYS before the last valid day); returns how many are new."""
    policy = policy_for(settings)
    today = now.astimezone(policy.tz).date()
    horizon = today + timedelta(days=max(MONEY_LEAD_DAYS) + policy.max_shift)
    added = 0
    async with db.transaction() as conn:
        for partner_id in await outbox.partners_with_lots_ending(conn, today, horizon):
            lots = await ledger.counting_lots(conn, partner_id, today)
            people = [m.telegram_id for m in await partners.active_members(conn, partner_id)]
            for last_day in sorted({lot.expires_on for lot in lots if lot.expires_on <= horizon}):
                for lead, at in money_moments(last_day, rulebook.work_calendar, policy, now):
                    for person in people:
                        added += await outbox.insert_new(
                            conn, key=f"money:{partner_id}:{last_day.isoformat()}:{lead}:{person}",
                            recipient_id=person, kind=Kind.EXPIRING.value, due_at=at, now=now,
                            partner_id=partner_id, planned_for=last_day.isoformat())
    return added


async def expiring(db: Database, partner_id: int, last_day: date,
                   today: date) -> tuple[int, int]:
    """(points, kopecks) a partner still has whose last valid day is `last_day`."""
    lots = [lot for lot in await ledger.counting_lots(db.conn, partner_id, today)
            if lot.expires_on == last_day]
    return (sum(lot.left for lot in lots if lot.account == "points"),
            sum(lot.left for lot in lots if lot.account == "bonus"))


@dataclass(frozen=True, slots=True)
class Late:
    application_id: int
    title: str
    company: str
    report_due: date
    working_days_late: int


@dataclass(frozen=True, slots=True)
class Digest:
    pending: list[ApplicationRow]
    late: list[Late]
    # reports sent and not reviewed yet, each with its activity
    reports: list[tuple[ReportRow, ApplicationRow]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.pending or self.late or self.reports)


async def digest_for(db: Database, settings: Settings, rulebook: Rulebook, manager_id: int,
                     today: date) -> Digest:
    """Decisions waiting for this manager's roles (all for the head) and overdue reports."""
    roles = settings.roles_of(manager_id)
    wanted = None if Role.HEAD in roles else tuple(r.value for r in roles)
    pending = await applications.pending(db.conn, wanted)
    late = []
    for application_id, role, event_date, title, company in await outbox.outstanding_reports(
        db.conn, REPORT_OPEN
    ):
        if wanted is not None and role not in wanted:
            continue
        due = report_due(rulebook, date.fromisoformat(event_date))
        if due < today:
            days = sum(1 for i in range(1, (today - due).days + 1)
                       if rulebook.work_calendar.is_working_day(due + timedelta(days=i)))
            late.append(Late(application_id, title, company, due, days))
    waiting = []
    for report in await reports_repo.waiting(db.conn, wanted):
        row = await applications.get(db.conn, report.application_id)
        if row is not None:
            waiting.append((report, row))
    return Digest(pending, late, waiting)


# --- the partner's view -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Overview:
    application: ApplicationRow
    rows: list[ReminderRow]    # those to the partner, in time order
    optional: list[Kind]       # what this activity may switch off
    off: frozenset[str]


async def overview(db: Database, telegram_id: int, application_id: int) -> Overview:
    """An activity's reminders, for an employee of its partner (raises NotAllowed)."""
    row = await visible(db, telegram_id, application_id)
    rows = [r for r in await outbox.of_application(db.conn, row.id)
            if r.kind != Kind.OVERDUE_MANAGER.value]
    kinds = TIMELINES.get(row.kind, frozenset())
    return Overview(row, rows, [k for k in OPTIONAL if k in kinds],
                    frozenset(await outbox.opted_out(db.conn, row.id)))


async def switch(db: Database, settings: Settings, rulebook: Rulebook, *, telegram_id: int,
                 application_id: int, kind: Kind, on: bool, now: datetime) -> Overview:
    """Switch one optional reminder of an activity off (its planned rows cancelled) or back on
    (planned again from now on)."""
    row = await visible(db, telegram_id, application_id)
    if kind not in OPTIONAL or kind not in TIMELINES.get(row.kind, frozenset()):
        raise ValueError(f"{kind} can't be switched for a {row.kind}")
    async with db.transaction() as conn:
        if on:
            await outbox.opt_in(conn, row.id, kind.value)
            current = await applications.get(conn, row.id)
            if current is not None:
                await replan(conn, settings, rulebook, current, now)
        else:
            await outbox.opt_out(conn, row.id, kind.value, telegram_id, now)
            await outbox.cancel_planned(conn, row.id, note="switched off", now=now,
                                        kind=kind.value)
        await audit.record(conn, at=now, actor_id=telegram_id,
                           action="reminder.switched_on" if on else "reminder.switched_off",
                           subject=f"application:{row.id}", details={"kind": kind.value})
    return await overview(db, telegram_id, application_id)
