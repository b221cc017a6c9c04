"""The CASE contract: what a case may say, and refusals that name the field at fault."""

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from bot.rules import Case, describe_validation_error


def _problems(**fields: Any) -> str:
    with pytest.raises(ValidationError) as raised:
        Case.model_validate(fields)
    return "; ".join(describe_validation_error(raised.value))


def test_only_kind_and_event_date_are_required() -> None:
    case = Case.model_validate({"kind": "webinar", "event_date": "2026-04-30"})
    assert (case.topic, case.audience, case.applied_on, case.listeners) == (
        "site_management",
        "prospects",
        None,
        None,
    )


def test_money_is_taken_in_rubles_and_held_in_kopecks() -> None:
    case = Case.model_validate(
        {"kind": "seminar", "event_date": "2026-04-30", "agreed_costs": 20_000.5,
         "actual_costs": Decimal("19999.99"), "stand_rent": 0}
    )  # fmt: skip
    assert (case.agreed_costs, case.actual_costs, case.stand_rent) == (2_000_050, 1_999_999, 0)


def test_null_means_absent() -> None:
    case = Case.model_validate(
        {"kind": "seminar", "event_date": "2026-04-30", "applied_on": None, "paid_event": None}
    )
    assert case.applied_on is None
    assert case.paid_event is False


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        pytest.param({"event_date": "2026-04-30"}, "kind: Field required", id="missing_kind"),
        pytest.param({"kind": "seminar"}, "event_date: Field required", id="missing_date"),
        pytest.param({"kind": "hackathon", "event_date": "2026-04-30"}, "kind:", id="unknown_kind"),
        pytest.param({"kind": "seminar", "event_date": "2026-02-30"}, "event_date:",
                     id="no_such_day"),
        pytest.param({"kind": "seminar", "event_date": "30.04.2026"}, "event_date:",
                     id="not_iso"),
        pytest.param({"kind": "seminar", "event_date": "2026-04-30T10:00"}, "event_date:",
                     id="a_time_is_not_a_date"),
        pytest.param({"kind": "seminar", "event_date": "2026-04-30", "agreed_costs": -1},
                     "agreed_costs: must not be negative", id="negative_money"),
        pytest.param({"kind": "seminar", "event_date": "2026-04-30", "actual_costs": 1.001},
                     "actual_costs:", id="fraction_of_a_kopeck"),
        pytest.param({"kind": "seminar", "event_date": "2026-04-30",
                      "stand_rent": Decimal("NaN")}, "stand_rent:", id="nan_money"),
        pytest.param({"kind": "seminar", "event_date": "2026-04-30", "printing_costs": "100"},
                     "printing_costs:", id="money_as_text"),
        pytest.param({"kind": "seminar", "event_date": "2026-04-30", "listeners": -3},
                     "listeners:", id="negative_listeners"),
        pytest.param({"kind": "seminar", "event_date": "2026-04-30", "listeners": 12.5},
                     "listeners:", id="fractional_listeners"),
        pytest.param({"kind": "seminar", "event_date": "2026-04-30", "listeners": True},
                     "listeners:", id="bool_listeners"),
        pytest.param({"kind": "seminar", "event_date": "2026-04-30", "competitors": "yes"},
                     "competitors:", id="text_for_a_bool"),
        pytest.param({"kind": "seminar", "event_date": "2026-04-30", "listners": 40},
                     "listners:", id="misspelt_field"),
        pytest.param({"kind": "article", "event_date": "2026-04-30", "vendor_share_percent": True},
                     "vendor_share_percent:", id="bool_percent"),
        pytest.param({"kind": "article", "event_date": "2026-04-30",
                      "vendor_share_percent": Decimal("NaN")}, "vendor_share_percent:",
                     id="nan_percent"),
        pytest.param({"kind": "article", "event_date": "2026-04-30", "vendor_share_percent": 101},
                     "vendor_share_percent:", id="over_100_percent"),
        pytest.param({"kind": "seminar", "event_date": "2026-04-30", "topic": "crm"},
                     "topic:", id="unknown_topic"),
        pytest.param({"kind": "seminar", "event_date": "2026-04-30",
                      "report_accepted_on": "2026-04-01"}, "report_accepted_on",
                     id="report_accepted_before_the_event"),
    ],
)  # fmt: skip
def test_bad_case_is_refused_naming_the_field(fields: dict[str, Any], named: str) -> None:
    assert named in _problems(**fields)
