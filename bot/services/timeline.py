"""The reminder timeline of an approved activity: pure dates, no clock, no I/O.

`timeline()` answers "which reminders, on which day, at what time" for one activity; the
service turns the moments into outbox rows. Every moment is on a working day of the
rulebook's calendar (moved at most `max_shift` days, else left where it was), at
`remind_at` in the program's timezone, and never inside the quiet hours.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.rules.calendar import WorkCalendar

_DAY = timedelta(days=1)


class Kind(enum.StrEnum):
    """What a reminder says (the outbox's `kind`)."""

    ANNOUNCE = "announce"            # start announcing: 3 weeks before, or at approval
    WEEKLY = "weekly"                # remind your registrants
    CALL = "call"                    # call your registrants, 2–3 days before
    CHECKLIST = "checklist"          # the event-day checklist, the day before
    REPORT_NOW = "report_now"        # the day after: report now
    REPORT_LEFT_3 = "report_left_3"  # 3 working days left to report
    REPORT_LEFT_1 = "report_left_1"  # 1 working day left
    OVERDUE = "overdue"              # the report is late: to the partner
    OVERDUE_MANAGER = "overdue_manager"  # … and to the manager
    DIGEST = "digest"                # a manager's morning digest
    EXPIRING = "expiring"            # a partner's points or bonus money expire soon
    PROMISE = "promise"              # a co-partner's promise due today (either side's)


OPTIONAL = (Kind.ANNOUNCE, Kind.WEEKLY, Kind.CALL, Kind.CHECKLIST)  # a partner may switch off
BEFORE_EVENT = frozenset(OPTIONAL)
ABOUT_REPORT = frozenset({Kind.REPORT_NOW, Kind.REPORT_LEFT_3, Kind.REPORT_LEFT_1, Kind.OVERDUE,
                          Kind.OVERDUE_MANAGER})
COUNTDOWN = {Kind.REPORT_LEFT_3: 3, Kind.REPORT_LEFT_1: 1}

_ALL = frozenset(OPTIONAL) | ABOUT_REPORT
# Which activities get which reminders: an audience of registrants gets the registrants'
# reminders; a stand or someone else's stage does not.
TIMELINES: dict[str, frozenset[Kind]] = {
    "seminar": _ALL,
    "business_breakfast": _ALL,
    "formula": _ALL,
    "federal_program": _ALL,
    "webinar": _ALL,
    "external_talk": _ALL - {Kind.WEEKLY, Kind.CALL},
    "exhibition": _ALL - {Kind.WEEKLY, Kind.CALL},
    # RULEBOOK §7: an article's report is due 10 working days after publication (its date)
    "article": ABOUT_REPORT,
}


@dataclass(frozen=True, slots=True)
class Policy:
    """When reminders go out, in the program's timezone."""

    tz: ZoneInfo
    remind_at: time = time(10, 0)
    digest_at: time = time(9, 0)
    quiet_from: time = time(21, 0)
    quiet_until: time = time(9, 0)
    announce_days: int = 21   # start announcing three weeks before
    call_days: int = 2        # call 2 days before (3 if the 2nd is a day off, …)
    max_shift: int = 3        # how far a moment may move to find a working day
    weekly_gap: int = 2       # no weekly reminder this close to the call


@dataclass(frozen=True, slots=True)
class Moment:
    kind: Kind
    day: date       # the day it stands for: with the application and kind, its identity
    at: datetime    # when it goes out (aware)


def is_quiet(moment: datetime, policy: Policy) -> bool:
    local = moment.astimezone(policy.tz).time()
    start, end = policy.quiet_from, policy.quiet_until
    if start > end:  # overnight, 21:00–09:00
        return local >= start or local < end
    return start <= local < end


def out_of_quiet(moment: datetime, policy: Policy) -> datetime:
    """The moment itself, or the end of the quiet hours it falls in."""
    if not is_quiet(moment, policy):
        return moment
    local = moment.astimezone(policy.tz)
    morning = datetime.combine(local.date(), policy.quiet_until, policy.tz)
    return morning if morning > local else morning + _DAY


def at_time(day: date, when: time, policy: Policy) -> datetime:
    return out_of_quiet(datetime.combine(day, when, policy.tz), policy)


def working_day(calendar: WorkCalendar, day: date, step: int, max_shift: int) -> date:
    """The nearest working day from `day` in direction `step` (-1 earlier, +1 later) within
    `max_shift` days; `day` itself when there is none (a long holiday)."""
    for shift in range(max_shift + 1):
        candidate = day + timedelta(days=step * shift)
        if calendar.is_working_day(candidate):
            return candidate
    return day


def working_days_before(calendar: WorkCalendar, day: date, count: int) -> date:
    """The day from which `count` working days remain up to and including `day`."""
    left = count
    while left > 0:
        day -= _DAY
        if calendar.is_working_day(day):
            left -= 1
    return day


def timeline(
    activity: str, event_date: date, report_due: date, calendar: WorkCalendar, policy: Policy,
    now: datetime,
) -> list[Moment]:
    """The reminders still ahead for an approved activity, in time order.

    Moments already past at `now` are left out, except the announcement, which starts at
    once when approval came later than three weeks before.
    """
    kinds = TIMELINES.get(activity, frozenset())
    if not kinds:
        return []
    moments: list[Moment] = []

    def back(day: date) -> date:
        return working_day(calendar, day, -1, policy.max_shift)

    def add(kind: Kind, day: date, at: datetime | None = None) -> None:
        if kind in kinds:
            moments.append(Moment(kind, day, at or at_time(day, policy.remind_at, policy)))

    checklist_day = back(event_date - _DAY)
    call_day = back(event_date - timedelta(days=policy.call_days))
    if call_day >= checklist_day:
        call_day = back(checklist_day - _DAY)
    announce_day = back(event_date - timedelta(days=policy.announce_days))
    announce_at = max(at_time(announce_day, policy.remind_at, policy), out_of_quiet(now, policy))
    if announce_at.astimezone(policy.tz).date() < checklist_day:
        add(Kind.ANNOUNCE, announce_day, announce_at)
    limit = call_day if Kind.CALL in kinds else checklist_day
    week = 1
    while (weekly_day := back(announce_day + timedelta(days=7 * week))) <= limit - timedelta(
        days=policy.weekly_gap
    ):
        add(Kind.WEEKLY, weekly_day)
        week += 1
    add(Kind.CALL, call_day)
    add(Kind.CHECKLIST, checklist_day)

    report_now_day = working_day(calendar, event_date + _DAY, +1, policy.max_shift)
    add(Kind.REPORT_NOW, report_now_day)
    for kind, left in COUNTDOWN.items():
        day = working_days_before(calendar, report_due, left)
        if day > report_now_day:
            add(kind, day)
    overdue_day = calendar.add_working_days(report_due, 1)
    add(Kind.OVERDUE, overdue_day)
    add(Kind.OVERDUE_MANAGER, overdue_day)
    return sorted((m for m in moments if m.kind is Kind.ANNOUNCE or m.at >= now),
                  key=lambda m: (m.at, list(Kind).index(m.kind)))


def promise_moment(due_on: date, policy: Policy, now: datetime) -> datetime | None:
    """When to remind of an open promise: on its due day (at once if that is today and the hour
    has passed); None once the day is over."""
    if due_on < now.astimezone(policy.tz).date():
        return None
    return max(at_time(due_on, policy.remind_at, policy), out_of_quiet(now, policy))


def digest_moment(day: date, policy: Policy) -> datetime:
    return at_time(day, policy.digest_at, policy)


MONEY_LEAD_DAYS = (30, 7)  # nudges before points or bonus money expire


def money_moments(last_day: date, calendar: WorkCalendar, policy: Policy,
                  now: datetime) -> list[tuple[int, datetime]]:
    """(lead days, when) of the nudges about money whose last valid day is `last_day`: a month
    and a week before, on working days. The month's is skipped once past; the week's comes at
    once if even that is past (the money found late, e.g. the first run after an upgrade)."""
    today = now.astimezone(policy.tz).date()
    if last_day < today:
        return []
    found = []
    for lead in MONEY_LEAD_DAYS:
        day = working_day(calendar, last_day - timedelta(days=lead), -1, policy.max_shift)
        at = at_time(day, policy.remind_at, policy)
        if lead == min(MONEY_LEAD_DAYS):
            at = max(at, out_of_quiet(now, policy))
        elif day < today:
            continue
        found.append((lead, at))
    return found
