"""§2.2.5, §3.2: may an event's announcement go on the vendor's site now, and on which days.

The site shows, of one partner's announced events, the nearest few whose showing has begun
(`announced`); a repeat of the same program is taken no sooner than a month after the previous
event; while a special program runs (the Federal Program's months) the manager may pause the
info support of partners' own events of the paused kinds when approving one (RULEBOOK §7: the bot
never pauses it by itself), and a paused event is not shown; events for existing clients or
developers get no info support.

⚖ A refusal happens when the event could not be shown from the first day it otherwise would be
(today, or 14 days before it): the partner is told why and the first day it becomes possible.
⚖ The same program: the same talks (titles compared as `normalise_title` does, in any order), or
the same title when there is no program.
"""

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Generic, TypeVar

from bot.rules.announcements import announced, repeat_announced_from
from bot.rules.rulebook import Rulebook, normalise_title
from bot.rules.vocabulary import Audience

EventId = TypeVar("EventId", bound=Hashable)


class Limit(StrEnum):
    PASSED = "passed"                # the event has taken place
    NOT_PROSPECTS = "not_prospects"  # for existing clients or developers: never
    REPEAT = "repeat"                # the same program, less than a month after the last one
    PAUSED = "paused"                # a special program pauses partners' announcements
    TOO_MANY = "too_many"            # nearer events of the partner fill the places


@dataclass(frozen=True, slots=True)
class Announcement(Generic[EventId]):
    """One event of a partner with info support (published, or asked for)."""

    id: EventId
    event_date: date
    kind: str
    program: str = ""           # `program_key`; empty: never a repeat of anything
    since: date | None = None   # not shown before this day (its publication); None: no bound
    paused: bool = False        # the manager approved it with its info support paused (§7)


@dataclass(frozen=True, slots=True)
class Verdict(Generic[EventId]):
    limit: Limit | None
    possible_from: date | None = None  # refused: the first day it becomes possible, if any
    shown_from: date | None = None     # allowed: the first and last day it would be shown
    shown_until: date | None = None
    blocking: tuple[EventId, ...] = ()  # the nearer events in its way, or the previous one

    @property
    def allowed(self) -> bool:
        return self.limit is None


def program_key(talks: Iterable[str], title: str) -> str:
    """What two events of the same program share."""
    names = sorted({normalise_title(t) for t in talks if normalise_title(t)})
    return " | ".join(names) if names else normalise_title(title)


def may_pause(rulebook: Rulebook, kind: str, day: date) -> bool:
    """A special program runs on `day`: a manager may pause this kind's info support (§7)."""
    return (kind in rulebook.info_support.pause_kinds
            and day.month in rulebook.federal_program.months)


def window_start(rulebook: Rulebook, event_date: date) -> date:
    return event_date - timedelta(days=rulebook.info_support.shown_days_before)


def shown_on(rulebook: Rulebook, items: Sequence[Announcement[EventId]],
             day: date) -> list[EventId]:
    """The events of one partner the site shows on `day`."""
    candidates = [
        (a.id, a.event_date) for a in items
        if (a.since is None or a.since <= day) and not a.paused
    ]
    return announced(rulebook, candidates, day)


def shown_periods(rulebook: Rulebook, items: Sequence[Announcement[EventId]],
                  subject: EventId) -> list[tuple[date, date]]:
    """The runs of days on which `subject` (one of `items`) is shown."""
    event = next(a for a in items if a.id == subject)
    periods: list[tuple[date, date]] = []
    day = window_start(rulebook, event.event_date)
    if event.since is not None:
        day = max(day, event.since)
    while day <= event.event_date:
        if subject in shown_on(rulebook, items, day):
            if periods and periods[-1][1] == day - timedelta(days=1):
                periods[-1] = (periods[-1][0], day)
            else:
                periods.append((day, day))
        day += timedelta(days=1)
    return periods


def check_announcement(
    rulebook: Rulebook, subject: Announcement[EventId], others: Sequence[Announcement[EventId]],
    *, audience: str | None, as_of: date,
) -> Verdict[EventId]:
    """Whether `subject` may be published on `as_of`, given the partner's other announcements."""
    event_date = subject.event_date
    if event_date < as_of:
        return Verdict(Limit.PASSED)
    if audience is not None and audience != Audience.PROSPECTS:
        return Verdict(Limit.NOT_PROSPECTS)
    if subject.paused:
        return Verdict(Limit.PAUSED)
    others = [o for o in others if o.id != subject.id]
    earlier = [o for o in others if subject.program and o.program == subject.program
               and o.event_date <= event_date]
    if earlier:
        previous = max(earlier, key=lambda o: o.event_date)
        repeat_from = repeat_announced_from(rulebook, previous.event_date)
        if as_of < repeat_from:
            return Verdict(Limit.REPEAT, possible_from=repeat_from if repeat_from <= event_date
                           else None, blocking=(previous.id,))
    start = max(as_of, window_start(rulebook, event_date))
    items = [*others, Announcement(subject.id, event_date, subject.kind, subject.program,
                                   since=as_of)]
    days = [start + timedelta(days=n) for n in range((event_date - start).days + 1)]
    shown = [day for day in days if subject.id in shown_on(rulebook, items, day)]
    if shown and shown[0] == start:
        return Verdict(None, shown_from=shown[0], shown_until=shown[-1])
    in_the_way = tuple(i for i in shown_on(rulebook, items, start) if i != subject.id)
    return Verdict(Limit.TOO_MANY, possible_from=shown[0] if shown else None,
                   blocking=in_the_way)
