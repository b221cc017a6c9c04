"""Working days by a country's production calendar, and one-year validity."""

from collections.abc import Iterable
from datetime import date, timedelta

import holidays

_ONE_DAY = timedelta(days=1)
_CACHE_LIMIT = 50_000


class WorkCalendar:
    """Weekends, public holidays and transferred days off of one country (`holidays` data),
    corrected by the rulebook's own lists for what the package does not know yet."""

    def __init__(
        self,
        country: str,
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
    ) -> None:
        self.country = country
        self._extra_off = frozenset(extra_days_off)
        self._extra_work = frozenset(extra_working_days)
        self._days_off: dict[int, frozenset[date]] = {}
        self._added: dict[tuple[date, int], date] = {}
        holidays.country_holidays(country)  # raises NotImplementedError for an unknown country

    def _year_off(self, year: int) -> frozenset[date]:
        off = self._days_off.get(year)
        if off is None:
            book = holidays.country_holidays(self.country, years=year)
            weekend = book.weekend
            working_weekends = book.weekend_workdays
            days: set[date] = set()
            day = date(year, 1, 1)
            while day.year == year:
                if (day.weekday() in weekend and day not in working_weekends) or day in book:
                    days.add(day)
                day += _ONE_DAY
            off = frozenset(
                (days | {d for d in self._extra_off if d.year == year}) - self._extra_work
            )
            self._days_off[year] = off
        return off

    def is_working_day(self, day: date) -> bool:
        return day not in self._year_off(day.year)

    def add_working_days(self, start: date, count: int) -> date:
        """The day on which `count` working days after `start` have passed (`start` not counted)."""
        key = (start, count)
        found = self._added.get(key)
        if found is None:
            day, left = start, count
            while left > 0:
                day += _ONE_DAY
                if day not in self._year_off(day.year):
                    left -= 1
            if len(self._added) >= _CACHE_LIMIT:
                self._added.clear()
            self._added[key] = found = day
        return found


def anniversary(day: date, years: int) -> date:
    """The same day `years` later; a 29 February falls on 28 February in a common year (Civil
    Code art. 192: a month without that date ends on its last day; RULEBOOK §7)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 2, 28)


def last_valid_day(credited_on: date, years: int) -> date:
    """Valid for `years` from the day credited: up to and including the day before the anniversary
    (credited 2025-11-22 → usable through 2026-11-21; 2024-02-29 → through 2025-02-27)."""
    return anniversary(credited_on, years) - _ONE_DAY
