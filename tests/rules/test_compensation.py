"""§2.7.3 and §2.2.2: compensation is a share of the agreed compensable costs, then the cap."""

import pytest

from bot.rules import Effect, Rulebook
from tests.rules.cases import assessed, compensation_rub, effects, finding_rules


@pytest.mark.parametrize(
    ("costs", "expected"),
    [
        pytest.param(20_000, 10_000, id="example_1_20000_spent_10000_back"),
        pytest.param(40_000, 20_000, id="example_2_40000_spent_20000_back_table_cap_not_15000"),
    ],
)
def test_worked_examples_of_2_7_3_with_32_listeners_at_an_e_shop_seminar(
    rulebook: Rulebook, costs: int, expected: int
) -> None:
    # ⚖ the examples' 15 000 ₽ cap is overruled by the table's 20 000 ₽ for 20–50 listeners
    result = assessed(rulebook, listeners=32, agreed_costs=costs, actual_costs=costs)
    assert compensation_rub(result) == (expected, expected)


def test_costs_above_the_cap_say_so(rulebook: Rulebook) -> None:
    result = assessed(rulebook, listeners=32, agreed_costs=60_000)
    assert compensation_rub(result) == (20_000, 20_000)
    capped = [f for f in result.findings if f.effect is Effect.COMPENSATION_CAPPED]
    assert [f.params for f in capped] == [{"percent": 50, "cap": "20000"}]


def test_compensation_is_counted_on_actual_costs_when_they_are_lower_than_agreed(
    rulebook: Rulebook,
) -> None:
    result = assessed(rulebook, listeners=32, agreed_costs=30_000, actual_costs=24_000)
    assert compensation_rub(result) == (12_000, 12_000)
    assert Effect.ACTUAL_COSTS_BELOW_AGREED in effects(result)


def test_actual_costs_above_the_agreed_ones_are_not_compensated(rulebook: Rulebook) -> None:
    result = assessed(rulebook, listeners=32, agreed_costs=30_000, actual_costs=38_000)
    assert compensation_rub(result) == (15_000, 15_000)


def test_costs_never_agreed_are_not_compensated(rulebook: Rulebook) -> None:
    result = assessed(rulebook, listeners=32, actual_costs=30_000)
    assert compensation_rub(result) == (0, 0)
    assert finding_rules(result)[Effect.NO_COST_ESTIMATE] == "§1"


def test_exhibition_without_rent_or_fee_has_nothing_to_compensate(rulebook: Rulebook) -> None:
    result = assessed(rulebook, kind="exhibition")
    assert compensation_rub(result) == (0, 0)
    assert finding_rules(result)[Effect.NO_COST_ESTIMATE] == "§5.2"


def test_printing_costs_on_a_seminar_are_left_to_their_own_promo_materials_case(
    rulebook: Rulebook,
) -> None:
    result = assessed(rulebook, listeners=32, agreed_costs=10_000, printing_costs=3_000)
    assert compensation_rub(result) == (5_000, 5_000)
    assert finding_rules(result)[Effect.PRINTING_COSTS_SEPARATE] == "§7"


def test_compensation_in_kopecks_rounds_down(rulebook: Rulebook) -> None:
    result = assessed(rulebook, listeners=32, agreed_costs=0.03)
    assert result.compensation is not None
    assert (result.compensation.min, result.compensation.max) == (1, 1)
