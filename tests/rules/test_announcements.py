"""§2.2.5: the 2 nearest events of a partner are shown from 14 days before; repeats a month on."""

from datetime import date

import pytest

from bot.rules import Rulebook, announced, repeat_announced_from


def test_only_the_two_nearest_events_are_announced_at_once(rulebook: Rulebook) -> None:
    events = [("c", date(2026, 5, 12)), ("a", date(2026, 5, 5)), ("b", date(2026, 5, 8))]
    assert announced(rulebook, events, as_of=date(2026, 5, 1)) == ["a", "b"]


@pytest.mark.parametrize(
    ("as_of", "shown"),
    [
        pytest.param(date(2026, 4, 15), False, id="15_days_before_not_yet"),
        pytest.param(date(2026, 4, 16), True, id="14_days_before_shown"),
        pytest.param(date(2026, 4, 30), True, id="on_the_day"),
        pytest.param(date(2026, 5, 1), False, id="the_day_after_gone"),
    ],
)
def test_an_event_is_shown_from_14_days_before_it(
    rulebook: Rulebook, as_of: date, shown: bool
) -> None:
    assert announced(rulebook, [(1, date(2026, 4, 30))], as_of) == ([1] if shown else [])


def test_a_past_event_frees_its_place_for_the_next_one(rulebook: Rulebook) -> None:
    events = [(1, date(2026, 5, 4)), (2, date(2026, 5, 6)), (3, date(2026, 5, 8))]
    assert announced(rulebook, events, as_of=date(2026, 5, 5)) == [2, 3]


@pytest.mark.parametrize(
    ("previous", "earliest"),
    [
        pytest.param(date(2026, 4, 30), date(2026, 5, 30), id="a_month_later"),
        pytest.param(date(2026, 1, 31), date(2026, 2, 28), id="end_of_a_short_month"),
        pytest.param(date(2026, 12, 15), date(2027, 1, 15), id="across_new_year"),
    ],
)
def test_a_repeated_program_is_announced_no_sooner_than_a_month_after_the_last(
    rulebook: Rulebook, previous: date, earliest: date
) -> None:
    assert repeat_announced_from(rulebook, previous) == earliest
