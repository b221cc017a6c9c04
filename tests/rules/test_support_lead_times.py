"""§1 "Внимание", §2.2, §7: info support needs 14 days, promo materials 21; late is not refused."""

import pytest

from bot.rules import Effect, Rulebook
from tests.rules.cases import assessed, effects, finding_rules, points

EVENT = "2026-04-30"


@pytest.mark.parametrize(
    ("applied_on", "possible"),
    [
        pytest.param("2026-04-17", False, id="13_days_before_too_late"),
        pytest.param("2026-04-16", True, id="14_days_before_in_time"),
        pytest.param("2026-03-01", True, id="2_months_before"),
    ],
)
def test_info_support_needs_the_application_14_days_before_the_event(
    rulebook: Rulebook, applied_on: str, possible: bool
) -> None:
    result = assessed(rulebook, event_date=EVENT, applied_on=applied_on, info_support=True)
    assert result.info_support is possible
    assert (Effect.INFO_SUPPORT_TOO_LATE in effects(result)) is not possible


@pytest.mark.parametrize(
    ("applied_on", "possible"),
    [
        pytest.param("2026-04-10", False, id="20_days_before_too_late"),
        pytest.param("2026-04-09", True, id="21_days_before_in_time"),
    ],
)
def test_promo_materials_from_the_vendor_need_the_application_21_days_before(
    rulebook: Rulebook, applied_on: str, possible: bool
) -> None:
    result = assessed(rulebook, event_date=EVENT, applied_on=applied_on, promo_materials=True)
    assert result.promo_materials is possible
    assert (Effect.PROMO_MATERIALS_TOO_LATE in effects(result)) is not possible


def test_late_application_loses_only_the_support_not_the_points(rulebook: Rulebook) -> None:
    result = assessed(
        rulebook,
        applied_on="2026-04-25",
        info_support=True,
        promo_materials=True,
        listeners=40,
        agreed_costs=30_000,
    )
    assert (result.info_support, result.promo_materials) == (False, False)
    assert points(result) == (60, 60)
    assert finding_rules(result)[Effect.INFO_SUPPORT_TOO_LATE] == "§1"
    assert finding_rules(result)[Effect.PROMO_MATERIALS_TOO_LATE] == "§1"


def test_support_not_asked_for_is_false_without_a_finding(rulebook: Rulebook) -> None:
    result = assessed(rulebook, applied_on="2026-04-29")
    assert (result.info_support, result.promo_materials) == (False, False)
    assert not {Effect.INFO_SUPPORT_TOO_LATE, Effect.PROMO_MATERIALS_TOO_LATE} & effects(result)


def test_application_never_approved_cannot_have_info_support(rulebook: Rulebook) -> None:
    result = assessed(rulebook, applied_on=None, info_support=True)
    assert result.info_support is False
    assert Effect.INFO_SUPPORT_TOO_LATE in effects(result)


def test_article_gets_no_info_support_or_promo_materials(rulebook: Rulebook) -> None:
    result = assessed(rulebook, kind="article", info_support=True, promo_materials=True)
    assert (result.info_support, result.promo_materials) == (False, False)
    assert {Effect.INFO_SUPPORT_NOT_OFFERED, Effect.PROMO_MATERIALS_NOT_OFFERED} <= effects(result)


@pytest.mark.parametrize("event_date", ["2026-06-18", "2026-12-10"])
def test_info_support_may_pause_in_federal_program_months(
    rulebook: Rulebook, event_date: str
) -> None:
    result = assessed(rulebook, event_date=event_date, applied_on="2026-05-01", info_support=True)
    assert result.info_support is True
    assert finding_rules(result)[Effect.INFO_SUPPORT_MAY_PAUSE] == "§2.2"


def test_federal_program_outside_june_and_december_is_flagged(rulebook: Rulebook) -> None:
    result = assessed(rulebook, kind="federal_program", agreed_costs=10_000)
    assert Effect.OUTSIDE_FEDERAL_PROGRAM_MONTHS in effects(result)
