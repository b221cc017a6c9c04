"""§2.2.5, §3.2: which approved events the vendor's site announces for a partner, and when."""

from collections.abc import Hashable, Iterable
from datetime import date, timedelta
from typing import TypeVar

from bot.rules.rulebook import Rulebook

EventId = TypeVar("EventId", bound=Hashable)


def announced(
    rulebook: Rulebook, events: Iterable[tuple[EventId, date]], as_of: date
) -> list[EventId]:
    """Of one partner's events with info support, those shown on `as_of`: the nearest few whose
    showing has begun and that have not taken place yet (ties keep the order given)."""
    rules = rulebook.info_support
    lead = timedelta(days=rules.shown_days_before)
    current = [(event, day) for event, day in events if day - lead <= as_of <= day]
    current.sort(key=lambda item: item[1])
    return [event for event, _ in current[: rules.events_at_once]]


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - timedelta(days=1)).day
    return date(year, month, min(day.day, last_day))


def repeat_announced_from(rulebook: Rulebook, previous_event: date) -> date:
    """The first day a repeat of the same program may be published on the vendor's site
    (31 January + 1 month is the last day of February)."""
    return _add_months(previous_event, rulebook.info_support.repeat_after_months)
