"""§1, §2.7.3, §5.2.5: the bonus account pays up to 80% of each licence line, oldest money first."""

from typing import Any

import pytest
from pydantic import ValidationError

from bot.rules import Order, Rulebook, describe_validation_error, spend


def _spend(rulebook: Rulebook, **order: Any) -> dict[str, Any]:
    data = {"today": "2026-06-01", "lots": [], "lines": [], **order}
    return spend(rulebook, Order.model_validate(data)).to_json_dict()


def _lines(result: dict[str, Any]) -> list[tuple[str, float, float]]:
    return [(line["name"], line["bonus"], line["cash"]) for line in result["lines"]]


def test_licence_line_is_paid_80pct_from_bonus_and_20pct_in_money(rulebook: Rulebook) -> None:
    result = _spend(
        rulebook,
        lots=[{"amount": 100_000, "credited_on": "2026-01-15"}],
        lines=[{"name": "Бизнес", "price": 10_000, "kind": "licence"}],
    )
    assert _lines(result) == [("Бизнес", 8_000, 2_000)]
    assert (result["bonus_used"], result["bonus_left"], result["expired"]) == (8_000, 92_000, 0)


def test_bonus_is_applied_line_by_line_in_order_while_it_lasts(rulebook: Rulebook) -> None:
    result = _spend(
        rulebook,
        lots=[{"amount": 10_000, "credited_on": "2026-01-15"}],
        lines=[
            {"name": "Старт", "price": 10_000, "kind": "licence"},
            {"name": "Продление", "price": 10_000, "kind": "licence"},
            {"name": "Переход", "price": 5_000, "kind": "licence"},
        ],
    )
    assert _lines(result) == [
        ("Старт", 8_000, 2_000),
        ("Продление", 2_000, 8_000),
        ("Переход", 0, 5_000),
    ]
    assert (result["bonus_used"], result["bonus_left"]) == (10_000, 0)


@pytest.mark.parametrize("kind", ["marketplace", "physical"])
def test_marketplace_solutions_and_physical_goods_are_not_paid_by_bonus(
    rulebook: Rulebook, kind: str
) -> None:
    result = _spend(
        rulebook,
        lots=[{"amount": 50_000, "credited_on": "2026-01-15"}],
        lines=[
            {"name": "excluded", "price": 3_000, "kind": kind},
            {"name": "licence", "price": 1_000, "kind": "licence"},
        ],
    )
    assert _lines(result) == [("excluded", 0, 3_000), ("licence", 800, 200)]


@pytest.mark.parametrize(
    ("price", "bonus", "cash"),
    [
        pytest.param(0.01, 0, 0.01, id="one_kopeck_all_money"),
        pytest.param(0.05, 0.04, 0.01, id="five_kopecks"),
        pytest.param(99.99, 79.99, 20, id="floor_keeps_money_at_least_20pct"),
        pytest.param(12_345.67, 9_876.53, 2_469.14, id="kopecks_round_down"),
    ],
)
def test_bonus_share_rounds_down_to_the_kopeck_so_money_is_never_below_20pct(
    rulebook: Rulebook, price: float, bonus: float, cash: float
) -> None:
    result = _spend(
        rulebook,
        lots=[{"amount": 1_000_000, "credited_on": "2026-01-15"}],
        lines=[{"name": "x", "price": price, "kind": "licence"}],
    )
    assert _lines(result) == [("x", bonus, cash)]


def test_bonus_never_exceeds_80pct_of_any_price(rulebook: Rulebook) -> None:
    lines = [{"name": str(k), "price": k / 100, "kind": "licence"} for k in range(1, 2_000)]
    order = Order.model_validate(
        {"today": "2026-06-01", "lots": [{"amount": 10**7, "credited_on": "2026-01-15"}],
         "lines": lines}
    )  # fmt: skip
    for line, paid in zip(order.lines, spend(rulebook, order).lines, strict=True):
        assert paid.bonus + paid.cash == line.price
        assert paid.bonus * 100 <= line.price * 80
        assert paid.cash * 100 >= line.price * 20


@pytest.mark.parametrize(
    ("today", "usable"),
    [
        pytest.param("2026-11-21", True, id="last_day_of_the_year_still_usable"),
        pytest.param("2026-11-22", False, id="anniversary_expired"),
    ],
)
def test_bonus_money_expires_one_year_after_it_was_credited(
    rulebook: Rulebook, today: str, usable: bool
) -> None:
    result = _spend(
        rulebook,
        today=today,
        lots=[{"amount": 5_000, "credited_on": "2025-11-22"}],
        lines=[{"name": "x", "price": 1_000, "kind": "licence"}],
    )
    assert _lines(result) == ([("x", 800, 200)] if usable else [("x", 0, 1_000)])
    assert result["expired"] == (0 if usable else 5_000)
    assert result["bonus_left"] == (4_200 if usable else 0)


def test_oldest_bonus_money_is_spent_first(rulebook: Rulebook) -> None:
    result = _spend(
        rulebook,
        lots=[
            {"amount": 3_000, "credited_on": "2026-03-01"},
            {"amount": 2_000, "credited_on": "2025-08-01"},
            {"amount": 1_000, "credited_on": "2025-05-01"},  # expired on 2026-05-01
        ],
        lines=[{"name": "x", "price": 4_000, "kind": "licence"}],
    )
    assert result["bonus_used"] == 3_200
    assert result["expired"] == 1_000
    assert result["lots_left"] == [
        {"credited_on": "2026-03-01", "expires_on": "2027-02-28", "amount": 1_800}
    ]


def test_what_the_order_does_not_use_stays_on_the_account(rulebook: Rulebook) -> None:
    result = _spend(rulebook, lots=[{"amount": 500.5, "credited_on": "2026-05-01"}])
    assert (result["bonus_used"], result["bonus_left"]) == (0, 500.5)


@pytest.mark.parametrize(
    ("order", "field"),
    [
        pytest.param({"lines": [{"name": "x", "price": -1, "kind": "licence"}]}, "lines[0].price",
                     id="negative_price"),
        pytest.param({"lines": [{"name": "x", "price": 1, "kind": "dvd"}]}, "lines[0].kind",
                     id="unknown_kind"),
        pytest.param({"lots": [{"amount": 1.005, "credited_on": "2026-01-01"}]}, "lots[0].amount",
                     id="fractions_of_a_kopeck"),
        pytest.param({"lots": [{"amount": 1, "credited_on": "2026-13-01"}]},
                     "lots[0].credited_on", id="not_a_date"),
        pytest.param({"lots": [{"amount": 1, "credited_on": "2026-07-01"}]},
                     "lots[0].credited_on", id="credited_after_today"),
        pytest.param({"today": None}, "today", id="missing_today"),
    ],
)  # fmt: skip
def test_bad_order_is_refused_naming_the_field(order: dict[str, Any], field: str) -> None:
    data = {"today": "2026-06-01", **order}
    with pytest.raises(ValidationError) as raised:
        Order.model_validate(data)
    assert field in "; ".join(describe_validation_error(raised.value))
