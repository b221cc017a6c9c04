"""Program statistics for /stats and the chart. The program's figures come from running totals
by day that triggers keep in step with the rows (migration 0015_stats_totals.sql), so a year of a
large program reads a few thousand rows; a partner's come from its own rows. Either way SQLite
aggregates (GROUP BY), and the medians walk an index in value order.

What counts where:
- applications: by the day they were (last) submitted;
- events held, registrations and listeners: approved activities by their event date (up to
  today); registrations and listeners come from their reports;
- points and compensation: ledger credits by the day they were credited; bonus spent and
  expired: ledger draws by the day they were written;
- time to a decision: hours from submission to each decision taken in the period (a decision
  before a resubmission is left out); time to a report: days from the event to the report;
- overdue: activities still waiting for a report after the rules' deadline (as of today);
- low attendance (RULEBOOK §2.7.2): the last N reported events of a partner (up to the period's
  end) each gathered fewer listeners than the threshold.

A partner's view is the same queries limited to its own company (`partner_id`).
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import aiosqlite

from bot.rules import Rulebook, report_due
from bot.storage.database import BUSY_TIMEOUT_MS, Database

HELD = ("approved", "report_due", "report_sent", "credited")
REPORTED = ("sent", "accepted", "more_requested")  # a rejected report's figures do not count
SHOWN_PARTNERS = 10


class PeriodName(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    DATES = "dates"


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # inclusive
    name: PeriodName = PeriodName.DATES

    @property
    def after_end(self) -> date:
        return self.end + timedelta(days=1)

    def months(self) -> list[str]:
        """Every month the period touches, as YYYY-MM."""
        found: list[str] = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            found.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found


class PeriodError(ValueError):
    pass


def parse_period(args: Sequence[str], today: date) -> Period:
    """`month` (the default), `quarter`, `year` (the calendar ones containing today), or two
    dates `YYYY-MM-DD YYYY-MM-DD`. Raises PeriodError on anything else."""
    words = [arg.strip().lower() for arg in args if arg.strip()]
    if not words or words == ["month"] or words == ["месяц"]:
        start = today.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return Period(start, end, PeriodName.MONTH)
    if words in (["quarter"], ["квартал"]):
        first_month = (today.month - 1) // 3 * 3 + 1
        start = date(today.year, first_month, 1)
        end = (start + timedelta(days=95)).replace(day=1) - timedelta(days=1)
        return Period(start, end, PeriodName.QUARTER)
    if words in (["year"], ["год"]):
        return Period(date(today.year, 1, 1), date(today.year, 12, 31), PeriodName.YEAR)
    if len(words) == 2:
        try:
            start, end = date.fromisoformat(words[0]), date.fromisoformat(words[1])
        except ValueError:
            raise PeriodError(" ".join(words)) from None
        if start > end:
            raise PeriodError(" ".join(words))
        return Period(start, end)
    raise PeriodError(" ".join(words))


@dataclass(frozen=True, slots=True)
class PartnerLine:
    code: str
    company: str


@dataclass(frozen=True, slots=True)
class Stats:
    period: Period
    as_of: date
    partner_id: int | None  # None: the whole program
    applications: dict[tuple[str, str], int]  # (kind, status) → count
    events_held: int
    registrations: int
    listeners: int
    points: dict[str, int]  # program → points credited
    compensation: int       # kopecks credited to bonus accounts
    bonus_issued: int       # credits and positive corrections
    bonus_spent: int
    bonus_expired: int
    median_decision_hours: float | None
    median_report_days: float | None
    overdue_reports: int
    late_reports: int
    low_attendance: tuple[PartnerLine, ...] = ()
    low_attendance_count: int = 0
    suspended: tuple[PartnerLine, ...] = ()
    suspended_count: int = 0
    monthly: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    # YYYY-MM → (events held, listeners, compensation in kopecks)

    @property
    def applications_total(self) -> int:
        return sum(self.applications.values())

    def by_kind(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for (kind, _status), count in self.applications.items():
            totals[kind] = totals.get(kind, 0) + count
        return dict(sorted(totals.items(), key=lambda item: (-item[1], item[0])))

    def by_status(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for (_kind, status), count in self.applications.items():
            totals[status] = totals.get(status, 0) + count
        return dict(sorted(totals.items(), key=lambda item: (-item[1], item[0])))

    @property
    def turnout(self) -> float | None:
        """Listeners per registration, 0…1 or more; None without registrations."""
        return self.listeners / self.registrations if self.registrations else None


@asynccontextmanager
async def read_only_connections(db: Database,
                                count: int) -> AsyncIterator[list[aiosqlite.Connection]]:
    """Read-only connections to the bot's database, closed after use."""
    uri = db.path.resolve().as_uri() + "?mode=ro"
    conns: list[aiosqlite.Connection] = []
    try:
        for _ in range(count):
            conn = await aiosqlite.connect(uri, uri=True)
            conns.append(conn)
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        yield conns
    finally:
        for conn in conns:
            await conn.close()


def _partner_filter(partner_id: int | None, column: str) -> tuple[str, tuple[Any, ...]]:
    if partner_id is None:
        return "", ()
    return f" AND {column} = ?", (partner_id,)


async def _rows(conn: aiosqlite.Connection, sql: str,
                params: Sequence[Any]) -> list[tuple[Any, ...]]:
    async with conn.execute(sql, tuple(params)) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


async def _one(conn: aiosqlite.Connection, sql: str, params: Sequence[Any]) -> tuple[Any, ...]:
    rows = await _rows(conn, sql, params)
    return rows[0]


_HELD_SQL = ", ".join(f"'{status}'" for status in HELD)
_REPORTED_SQL = ", ".join(f"'{status}'" for status in REPORTED)


async def collect(db: Database, rulebook: Rulebook, period: Period, today: date,
                  partner_id: int | None = None) -> Stats:
    """The period's figures for the whole program (from the running totals the triggers of
    migration 0015 keep), or for one partner's company (from its own rows).

    Read on two read-only connections of their own, in parallel (SQLite releases the GIL
    while it works): the bot's connection stays free for everyone else meanwhile."""
    return await _collect(db, rulebook, period, today, partner_id, from_totals=partner_id is None)


async def collect_from_rows(db: Database, rulebook: Rulebook, period: Period, today: date,
                            partner_id: int | None = None) -> Stats:
    """Like `collect`, always counted from the rows: what the running totals must equal."""
    return await _collect(db, rulebook, period, today, partner_id, from_totals=False)


@dataclass(frozen=True, slots=True)
class _Counted:
    """What the running totals hold, counted either way."""

    applications: list[tuple[Any, ...]]  # (kind, status, count)
    held: list[tuple[Any, ...]]  # (YYYY-MM, events held, registrations, listeners)
    ledger: list[tuple[Any, ...]]  # (figure as in stats_ledger, YYYY-MM, amount)


async def _counted_from_totals(conn: aiosqlite.Connection, start: str, after: str,
                               last_event_day: str) -> _Counted:
    applications = await _rows(
        conn,
        "SELECT kind, status, SUM(count) FROM stats_applications WHERE day >= ? AND day < ?"
        " GROUP BY kind, status HAVING SUM(count) <> 0",
        (start, after))
    held = await _rows(
        conn,
        "SELECT substr(day, 1, 7) AS month, SUM(held), SUM(registrations), SUM(listeners)"
        " FROM stats_events WHERE day >= ? AND day <= ? GROUP BY month HAVING SUM(held) <> 0",
        (start, last_event_day))
    ledger = await _rows(
        conn,
        "SELECT figure, substr(day, 1, 7) AS month, SUM(amount) FROM stats_ledger"
        " WHERE day >= ? AND day < ? GROUP BY figure, month",
        (start, after))
    return _Counted(applications, held, ledger)


async def _counted_from_rows(conn: aiosqlite.Connection, start: str, after: str,
                             last_event_day: str, partner_id: int | None) -> _Counted:
    where, extra = _partner_filter(partner_id, "partner_id")
    applications = await _rows(
        conn,
        "SELECT kind, status, COUNT(*) FROM applications"
        f" WHERE submitted_at >= ? AND submitted_at < ?{where} GROUP BY kind, status",
        (start, after, *extra))
    ledger = await _rows(
        conn,
        "SELECT figure, substr(day, 1, 7) AS month, SUM(amount) FROM stats_ledger_shares"
        f" WHERE day >= ? AND day < ?{where} GROUP BY figure, month",
        (start, after, *extra))

    where, extra = _partner_filter(partner_id, "a.partner_id")
    held = await _rows(
        conn,
        "SELECT substr(a.event_date, 1, 7) AS month, COUNT(*), COALESCE(SUM(f.registrations), 0),"
        " COALESCE(SUM(f.listeners), 0)"
        " FROM applications AS a LEFT JOIN stats_report_figures AS f ON f.application_id = a.id"
        f" WHERE a.event_date >= ? AND a.event_date <= ? AND +a.status IN ({_HELD_SQL}){where}"
        " GROUP BY month",
        (start, last_event_day, *extra))
    return _Counted(applications, held, ledger)


async def _collect(db: Database, rulebook: Rulebook, period: Period, today: date,
                   partner_id: int | None, *, from_totals: bool) -> Stats:
    start, after = period.start.isoformat(), period.after_end.isoformat()
    last_event_day = min(period.end, today).isoformat()

    async def activity(conn: aiosqlite.Connection) -> tuple[Any, ...]:
        counted = (await _counted_from_totals(conn, start, after, last_event_day) if from_totals
                   else await _counted_from_rows(conn, start, after, last_event_day, partner_id))
        overdue = await _overdue(conn, rulebook, today, partner_id)
        if partner_id is not None:
            return counted, overdue, ((), 0), ((), 0)
        return (counted, overdue, await _suspended(conn),
                await _low_attendance(conn, rulebook, period.end))

    async def timing(conn: aiosqlite.Connection) -> tuple[Any, ...]:
        join, where, extra = _partner_join(partner_id)
        # `+` keeps the period off the index by date: the median walks the one by value.
        median_decision = await _median(
            conn,
            f"SELECT d.wait_hours AS value FROM decisions AS d{join}"
            f" WHERE +d.decided_at >= ? AND +d.decided_at < ? AND d.wait_hours IS NOT NULL{where}",
            (start, after, *extra))
        median_report = await _median(
            conn,
            f"SELECT d.lag_days AS value FROM reports AS d{join}"
            f" WHERE +d.submitted_at >= ? AND +d.submitted_at < ? AND d.lag_days IS NOT NULL"
            f"{where}",
            (start, after, *extra))
        where, extra = _partner_filter(partner_id, "partner_id")
        (late_reports,) = await _one(
            conn,
            "SELECT COALESCE(SUM(late), 0) FROM reports"
            f" WHERE submitted_at >= ? AND submitted_at < ?{where}",
            (start, after, *extra))
        return median_decision, median_report, late_reports

    async with read_only_connections(db, 2) as (one, two):
        first, second = await asyncio.gather(activity(one), timing(two))
    counted, overdue, (suspended, suspended_count), (low, low_count) = first
    median_decision, median_report, late_reports = second

    monthly: dict[str, tuple[int, int, int]] = {month: (0, 0, 0) for month in period.months()}
    events_held = registrations = listeners = 0
    for month, count, month_registrations, month_listeners in counted.held:
        events_held += int(count)
        registrations += int(month_registrations)
        listeners += int(month_listeners)
        _, _, money = monthly.get(str(month), (0, 0, 0))
        monthly[str(month)] = (int(count), int(month_listeners), money)
    ledger: dict[str, int] = {}
    for figure, month, amount in counted.ledger:
        ledger[str(figure)] = ledger.get(str(figure), 0) + int(amount)
        if figure == "compensation":
            events, heard, money = monthly.get(str(month), (0, 0, 0))
            monthly[str(month)] = (events, heard, money + int(amount))
    points = {program: amount for program in ("site_management", "bitrix24")
              if (amount := ledger.get(f"points:{program}", 0))}

    return Stats(
        period=period, as_of=today, partner_id=partner_id,
        applications={(str(kind), str(status)): int(count)
                      for kind, status, count in counted.applications},
        events_held=events_held, registrations=registrations, listeners=listeners,
        points=points, compensation=ledger.get("compensation", 0),
        bonus_issued=ledger.get("bonus_issued", 0), bonus_spent=ledger.get("bonus_spent", 0),
        bonus_expired=ledger.get("bonus_expired", 0),
        median_decision_hours=median_decision, median_report_days=median_report,
        overdue_reports=overdue, late_reports=int(late_reports), low_attendance=low,
        low_attendance_count=low_count, suspended=suspended, suspended_count=suspended_count,
        monthly=dict(sorted(monthly.items())),
    )


def _partner_join(partner_id: int | None) -> tuple[str, str, tuple[Any, ...]]:
    """The join to applications that limits `d` (a decision or a report) to one partner."""
    if partner_id is None:
        return "", "", ()
    return (" JOIN applications AS a ON a.id = d.application_id", " AND a.partner_id = ?",
            (partner_id,))


async def _median(conn: aiosqlite.Connection, values_sql: str,
                  params: Sequence[Any]) -> float | None:
    """The median of the column `value` that `values_sql` selects: its count, then the middle one or
    two in order (along an index by value where there is one: no sort of every row)."""
    (count,) = await _one(conn, f"SELECT COUNT(*) FROM ({values_sql})", params)
    if not count:
        return None
    count = int(count)
    (middle,) = await _one(
        conn,
        f"SELECT AVG(value) FROM ({values_sql} ORDER BY value"
        f" LIMIT {2 - count % 2} OFFSET {(count - 1) // 2})",
        params)
    return float(middle)


async def _overdue(conn: aiosqlite.Connection, rulebook: Rulebook, today: date,
                   partner_id: int | None) -> int:
    """Activities waiting for a report past the deadline: grouped by event day in SQL, the
    deadline (working days) from the rules once per distinct day."""
    where, extra = _partner_filter(partner_id, "partner_id")
    # A partner's along its own index; the program's along the index of those waiting (the
    # planner would take the one by status and read every row).
    table = ("applications" if partner_id is not None
             else "applications INDEXED BY applications_awaiting_report")
    rows = await _rows(
        conn,
        f"SELECT event_date, COUNT(*) FROM {table}"
        f" WHERE status IN ('approved', 'report_due') AND event_date < ?{where}"
        " GROUP BY event_date",
        (today.isoformat(), *extra))
    return sum(int(count) for day, count in rows
               if report_due(rulebook, date.fromisoformat(str(day)[:10])) < today)


async def _low_attendance(conn: aiosqlite.Connection, rulebook: Rulebook,
                          until: date) -> tuple[tuple[PartnerLine, ...], int]:
    rules = rulebook.attendance
    # Per partner, its latest reported events through the index on (partner, event date),
    # stopping after N: no sort of every report.
    rows = await _rows(
        conn,
        "WITH low AS (SELECT p.code AS code, p.company AS company FROM partners AS p"
        " WHERE (SELECT COUNT(*) FILTER (WHERE heard < ?2) FROM"
        "  (SELECT CAST(json_extract(r.answers, '$.listeners') AS INTEGER) AS heard"
        "   FROM applications AS a JOIN reports AS r ON r.application_id = a.id"
        f"   WHERE a.partner_id = p.id AND a.event_date <= ?1 AND r.status IN ({_REPORTED_SQL})"
        "   AND json_extract(r.answers, '$.listeners') IS NOT NULL"
        "   ORDER BY a.event_date DESC, a.id DESC LIMIT ?3)) = ?3)"
        " SELECT code, company, COUNT(*) OVER () FROM low ORDER BY code LIMIT ?4",
        (until.isoformat(), rules.low_listeners, rules.low_events_in_a_row, SHOWN_PARTNERS))
    return tuple(PartnerLine(str(code), str(company)) for code, company, _ in rows), (
        int(rows[0][2]) if rows else 0)


async def _suspended(conn: aiosqlite.Connection) -> tuple[tuple[PartnerLine, ...], int]:
    rows = await _rows(
        conn,
        "SELECT code, company, COUNT(*) OVER () FROM partners WHERE suspended_at IS NOT NULL"
        " ORDER BY suspended_at DESC, code LIMIT ?", (SHOWN_PARTNERS,))
    return tuple(PartnerLine(str(code), str(company)) for code, company, _ in rows), (
        int(rows[0][2]) if rows else 0)
