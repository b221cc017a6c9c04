"""§2.2.7, §2.7.8, §2.7.9: report due in 10 working days, credit in 5, valid for one year."""

from datetime import date

import pytest

from bot.rules import Rulebook, credit_due, expires_on, parse_rulebook, report_due
from bot.rules.rulebook import SHIPPED_RULEBOOK
from tests.rules.cases import assessed


def _d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.parametrize(
    ("event", "due"),
    [
        pytest.param("2026-04-30", "2026-05-18", id="may_holidays_thu_30_apr_to_mon_18_may"),
        pytest.param("2026-04-20", "2026-05-05", id="monday_event_across_1_may"),
        pytest.param("2026-03-02", "2026-03-17", id="women_day_8_march_moved_to_monday_9"),
        pytest.param("2025-12-26", "2026-01-21", id="new_year_from_a_friday"),
        pytest.param("2025-12-30", "2026-01-23", id="new_year_31_dec_is_a_day_off"),
        pytest.param("2026-12-25", "2027-01-19", id="new_year_2027"),
        pytest.param("2024-12-27", "2025-01-21", id="working_saturday_28_dec_2024_counts"),
        pytest.param("2025-10-31", "2025-11-17", id="working_saturday_1_nov_2025_counts"),
        pytest.param("2027-02-19", "2027-03-09", id="working_saturday_20_feb_2027_counts"),
        pytest.param("2026-05-09", "2026-05-25", id="event_on_a_holiday_saturday"),
        pytest.param("2026-07-06", "2026-07-20", id="plain_two_weeks"),
    ],
)
def test_report_is_due_10_working_days_after_the_event_by_the_russian_calendar(
    rulebook: Rulebook, event: str, due: str
) -> None:
    assert report_due(rulebook, _d(event)) == _d(due)


def test_assessment_carries_the_report_due_date(rulebook: Rulebook) -> None:
    assert assessed(rulebook, event_date="2026-04-30").report_due == _d("2026-05-18")


@pytest.mark.parametrize(
    ("accepted", "credit"),
    [
        pytest.param("2026-04-30", "2026-05-08", id="across_1_may"),
        pytest.param("2026-12-29", "2027-01-14", id="across_new_year"),
        pytest.param("2026-07-06", "2026-07-13", id="plain_week"),
    ],
)
def test_points_and_compensation_are_credited_within_5_working_days_of_acceptance(
    rulebook: Rulebook, accepted: str, credit: str
) -> None:
    assert credit_due(rulebook, _d(accepted)) == _d(credit)


def test_assessment_credits_after_the_accepted_report_or_else_after_the_due_date(
    rulebook: Rulebook,
) -> None:
    accepted = assessed(rulebook, event_date="2026-04-30", report_accepted_on="2026-05-06")
    assert accepted.credit_due == _d("2026-05-14")  # 11 May is Victory Day moved from Saturday
    assert accepted.expires_on == _d("2027-05-13")
    pending = assessed(rulebook, event_date="2026-04-30")
    assert pending.credit_due == credit_due(rulebook, _d("2026-05-18"))


@pytest.mark.parametrize(
    ("credited", "last_day"),
    [
        pytest.param("2025-11-22", "2026-11-21", id="the_day_before_the_anniversary"),
        pytest.param("2025-12-31", "2026-12-30", id="new_years_eve"),
        pytest.param("2024-02-28", "2025-02-27", id="28_feb_of_a_leap_year"),
        pytest.param("2024-02-29", "2025-02-27", id="29_feb_anniversary_is_28_feb_s7"),
        pytest.param("2024-03-01", "2025-02-28", id="1_march_after_a_leap_day"),
        pytest.param("2027-02-28", "2028-02-27", id="into_a_leap_year"),
    ],
)
def test_credits_are_valid_for_one_year_up_to_the_day_before_the_anniversary(
    rulebook: Rulebook, credited: str, last_day: str
) -> None:
    assert expires_on(rulebook, _d(credited)) == _d(last_day)


def _shipped_text() -> str:
    from importlib.resources import files

    return files("bot.rules").joinpath(SHIPPED_RULEBOOK).read_text(encoding="utf-8")


def test_a_decree_newer_than_the_holidays_package_goes_into_the_rulebook() -> None:
    text = _shipped_text().replace(
        "extra_days_off = []\nextra_working_days = []",
        "extra_days_off = [2026-07-07]\nextra_working_days = [2026-07-11]",
    )
    custom = parse_rulebook(text, "custom.toml")
    # Tue 7 July off, Sat 11 July working: the count from Mon 6 July shifts by neither in total
    assert not custom.work_calendar.is_working_day(_d("2026-07-07"))
    assert custom.work_calendar.is_working_day(_d("2026-07-11"))
    assert report_due(custom, _d("2026-07-06")) == _d("2026-07-20")
    assert report_due(custom, _d("2026-07-08")) == _d("2026-07-21")
