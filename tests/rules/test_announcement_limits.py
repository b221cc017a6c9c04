"""§2.2.5: an announcement is refused with the reason and the day it becomes possible."""

from datetime import date

import pytest

from bot.rules import Rulebook
from bot.rules.announcement_limits import (
    Announcement,
    Limit,
    check_announcement,
    may_pause,
    program_key,
    shown_on,
    shown_periods,
)


def seminar(event_id: str, day: date, program: str = "", since: date | None = None,
            kind: str = "seminar") -> Announcement[str]:
    return Announcement(event_id, day, kind, program or f"program {event_id}", since)


def test_an_event_alone_is_shown_from_14_days_before_it(rulebook: Rulebook) -> None:
    verdict = check_announcement(rulebook, seminar("c", date(2026, 4, 30)), [],
                                 audience="prospects", as_of=date(2026, 4, 1))
    assert verdict.allowed
    assert (verdict.shown_from, verdict.shown_until) == (date(2026, 4, 16), date(2026, 4, 30))


def test_asked_inside_the_window_it_is_shown_from_today(rulebook: Rulebook) -> None:
    verdict = check_announcement(rulebook, seminar("c", date(2026, 4, 30)), [],
                                 audience="prospects", as_of=date(2026, 4, 25))
    assert verdict.shown_from == date(2026, 4, 25)


def test_a_third_event_behind_two_nearer_ones_waits_until_one_has_passed(
    rulebook: Rulebook
) -> None:
    others = [seminar("a", date(2026, 5, 10)), seminar("b", date(2026, 5, 12))]
    verdict = check_announcement(rulebook, seminar("c", date(2026, 5, 20)), others,
                                 audience="prospects", as_of=date(2026, 4, 20))
    assert verdict.limit is Limit.TOO_MANY
    assert verdict.possible_from == date(2026, 5, 11)  # the day after the nearest one
    assert set(verdict.blocking) == {"a", "b"}


def test_a_third_event_on_the_same_day_as_two_others_is_never_shown(rulebook: Rulebook) -> None:
    others = [seminar("a", date(2026, 5, 10)), seminar("b", date(2026, 5, 10))]
    verdict = check_announcement(rulebook, seminar("c", date(2026, 5, 10)), others,
                                 audience="prospects", as_of=date(2026, 4, 20))
    assert verdict.limit is Limit.TOO_MANY and verdict.possible_from is None


def test_a_nearer_event_takes_a_place_from_a_later_one(rulebook: Rulebook) -> None:
    others = [seminar("a", date(2026, 5, 10), since=date(2026, 4, 1)),
              seminar("b", date(2026, 5, 12), since=date(2026, 4, 1))]
    verdict = check_announcement(rulebook, seminar("c", date(2026, 5, 5)), others,
                                 audience="prospects", as_of=date(2026, 4, 20))
    assert verdict.allowed and verdict.shown_from == date(2026, 4, 21)
    items = [*others, seminar("c", date(2026, 5, 5), since=date(2026, 4, 20))]
    # b waits while c and a are the two nearest, and shows once c has taken place
    assert shown_periods(rulebook, items, "b") == [(date(2026, 5, 6), date(2026, 5, 12))]
    assert shown_periods(rulebook, items, "a") == [(date(2026, 4, 26), date(2026, 5, 10))]


def test_events_whose_windows_do_not_overlap_do_not_compete(rulebook: Rulebook) -> None:
    others = [seminar("a", date(2026, 5, 1)), seminar("b", date(2026, 5, 3))]
    verdict = check_announcement(rulebook, seminar("c", date(2026, 5, 30)), others,
                                 audience="prospects", as_of=date(2026, 4, 20))
    assert verdict.allowed and verdict.shown_from == date(2026, 5, 16)


@pytest.mark.parametrize("audience", ["existing_clients", "developers"])
def test_events_for_existing_clients_or_developers_get_none(
    rulebook: Rulebook, audience: str
) -> None:
    verdict = check_announcement(rulebook, seminar("c", date(2026, 5, 30)), [],
                                 audience=audience, as_of=date(2026, 4, 20))
    assert verdict.limit is Limit.NOT_PROSPECTS and verdict.possible_from is None


def test_a_repeat_of_the_same_program_is_taken_a_month_after_the_previous_event(
    rulebook: Rulebook
) -> None:
    previous = seminar("a", date(2026, 4, 10), program="crm | sales")
    repeat = seminar("c", date(2026, 5, 30), program="crm | sales")
    early = check_announcement(rulebook, repeat, [previous], audience="prospects",
                               as_of=date(2026, 4, 20))
    assert early.limit is Limit.REPEAT and early.possible_from == date(2026, 5, 10)
    assert early.blocking == ("a",)
    on_time = check_announcement(rulebook, repeat, [previous], audience="prospects",
                                 as_of=date(2026, 5, 10))
    assert on_time.allowed


def test_a_repeat_too_close_to_the_previous_event_is_not_possible_at_all(
    rulebook: Rulebook
) -> None:
    previous = seminar("a", date(2026, 4, 10), program="crm")
    verdict = check_announcement(rulebook, seminar("c", date(2026, 4, 30), program="crm"),
                                 [previous], audience="prospects", as_of=date(2026, 4, 1))
    assert verdict.limit is Limit.REPEAT and verdict.possible_from is None


def test_s7_a_manager_may_pause_announcements_only_in_the_federal_program_months(
    rulebook: Rulebook,
) -> None:
    assert may_pause(rulebook, "seminar", date(2026, 6, 15))
    assert not may_pause(rulebook, "seminar", date(2026, 7, 1))
    assert not may_pause(rulebook, "external_talk", date(2026, 6, 15))  # not a paused kind


def test_s7_in_a_federal_program_month_only_a_manager_pauses_an_announcement(
    rulebook: Rulebook,
) -> None:
    granted = check_announcement(rulebook, seminar("d", date(2026, 6, 20)), [],
                                 audience="prospects", as_of=date(2026, 6, 1))
    assert granted.allowed and granted.shown_from == date(2026, 6, 6)
    paused = Announcement("e", date(2026, 6, 20), "seminar", paused=True)
    verdict = check_announcement(rulebook, paused, [], audience="prospects",
                                 as_of=date(2026, 6, 1))
    assert verdict.limit is Limit.PAUSED and verdict.possible_from is None
    assert shown_on(rulebook, [paused], date(2026, 6, 15)) == []


def test_an_event_that_has_passed_is_not_announced(rulebook: Rulebook) -> None:
    verdict = check_announcement(rulebook, seminar("c", date(2026, 4, 1)), [],
                                 audience="prospects", as_of=date(2026, 4, 2))
    assert verdict.limit is Limit.PASSED


def test_the_same_program_is_the_same_talks_in_any_order_or_the_same_title() -> None:
    assert program_key(["CRM — продажи", "«Битрикс24» за час"], "A") == program_key(
        ["битрикс24 за час", "CRM продажи"], "B")
    assert program_key([], "Битрикс24 для бизнеса") == program_key([], "битрикс24 для бизнеса!")
    assert program_key(["CRM"], "A") != program_key(["Сайт"], "A")


def test_s7_a_granted_announcement_keeps_showing_into_the_federal_program_month(
    rulebook: Rulebook,
) -> None:
    items = [seminar("c", date(2026, 6, 5), since=date(2026, 5, 1))]
    assert shown_periods(rulebook, items, "c") == [(date(2026, 5, 22), date(2026, 6, 5))]
