"""RULEBOOK §7 (further rulings, 2026-12-02): `partnerdesk rules assess` answers each one."""

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli_rules import add_rules_commands

SEMINAR = {"kind": "seminar", "event_date": "2026-04-30", "applied_on": "2026-03-02"}


def _cli(tmp_path: Path, command: str, data: dict[str, Any], capsys: Any) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="partnerdesk")
    add_rules_commands(parser.add_subparsers())
    path = tmp_path / "input.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    args = parser.parse_args(["rules", command, str(path)])
    assert args.func(args) == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


@pytest.fixture
def assess(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    def run(**fields: Any) -> dict[str, Any]:
        return _cli(tmp_path, "assess", {**SEMINAR, **fields}, capsys)

    return run


def _pair(figure: dict[str, Any] | None) -> tuple[Any, Any] | None:
    return None if figure is None else (figure["min"], figure["max"])


def _effects(result: dict[str, Any]) -> dict[str, str]:
    return {f["effect"]: f["rule"] for f in result["findings"]}


def test_s7_an_application_on_the_event_day_is_after_the_fact(assess: Any) -> None:
    fields = {"listeners": 40, "agreed_costs": 30_000}
    same_day = assess(applied_on="2026-04-30", **fields)
    assert (_pair(same_day["points"]), _pair(same_day["compensation"])) == ((0, 0), (0, 0))
    assert _effects(same_day)["not_approved_in_advance"] == "§1"
    day_before = assess(applied_on="2026-04-29", **fields)
    assert (_pair(day_before["points"]), _pair(day_before["compensation"])) == (
        (60, 60),
        (15_000, 15_000),
    )


def test_s7_percent_reductions_apply_after_the_cap(assess: Any) -> None:
    # 50% of 100 000 is 50 000, capped at 40 000, then up to 3 × 10% off: 28 000
    result = assess(listeners=95, agreed_costs=100_000, third_party_companies=3)
    assert _pair(result["compensation"]) == (28_000, 40_000)
    federal = assess(
        kind="federal_program", event_date="2026-06-10", agreed_costs=80_000, listeners=50
    )
    assert _pair(federal["compensation"]) == (50_000, 50_000)


def test_s7_the_forecast_is_on_agreed_costs_and_the_credit_on_documented_actual_ones(
    assess: Any,
) -> None:
    forecast = assess(listeners=32, agreed_costs=40_000)
    assert _pair(forecast["compensation"]) == (20_000, 20_000)
    credited = assess(listeners=32, agreed_costs=40_000, actual_costs=30_000)
    assert _pair(credited["compensation"]) == (15_000, 15_000)
    assert "actual_costs_below_agreed" in _effects(credited)


def test_s7_credited_on_29_february_last_valid_day_is_27_february(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def spend(today: str) -> dict[str, Any]:
        order = {
            "today": today,
            "lots": [{"amount": 5000, "credited_on": "2024-02-29"}],
            "lines": [{"name": "Бизнес", "price": 1000, "kind": "licence"}],
        }
        return _cli(tmp_path, "spend", order, capsys)

    assert spend("2025-02-27")["expired"] == 0
    assert spend("2025-02-28")["expired"] == 5000


def test_s7_exhibition_rent_and_registration_fee_are_both_compensated_at_half(
    assess: Any,
) -> None:
    result = assess(kind="exhibition", stand_rent=60_000, registration_fee=10_000)
    assert _pair(result["compensation"]) == (35_000, 35_000)
    assert _pair(result["points"]) == (50, 70)
    assert "points_manager_picks" in _effects(result)


def test_s7_info_support_in_a_federal_program_month_is_granted_and_may_be_paused(
    assess: Any,
) -> None:
    result = assess(
        event_date="2026-12-10", applied_on="2026-11-10", info_support=True, listeners=40
    )
    assert result["info_support"] is True
    assert _effects(result)["info_support_may_pause"] == "§2.2"
    assert _pair(result["points"]) == (60, 60)


@pytest.mark.parametrize(
    ("kind", "event_date", "title"),
    [
        ("formula", "2026-04-30", "Формула сайта: Казань"),
        ("federal_program", "2026-06-10", "Федеральный семинар в Самаре"),
    ],
)
def test_s7_an_application_for_the_special_program_itself_is_not_warned_about_its_name(
    assess: Any, kind: str, event_date: str, title: str
) -> None:
    result = assess(kind=kind, event_date=event_date, title=title)
    assert "reserved_title" not in _effects(result)
    borrowed = assess(title=title)
    assert _effects(borrowed)["reserved_title"] == "§2.2"
    assert _pair(borrowed["points"]) == (0, 0)


def test_s7_competitors_take_points_and_compensation_from_a_webinar(assess: Any) -> None:
    result = assess(kind="webinar", listeners=40, agreed_costs=30_000, competitors=True)
    assert (_pair(result["points"]), _pair(result["compensation"])) == ((0, 0), (0, 0))
    assert _effects(result)["competitors"] == "§1"


def test_s7_competing_products_on_a_stand_cost_only_the_compensation(assess: Any) -> None:
    result = assess(kind="exhibition", stand_rent=60_000, competing_products_on_stand=True)
    assert (_pair(result["points"]), _pair(result["compensation"])) == ((50, 70), (0, 0))
    assert _effects(result)["competing_products_on_stand"] == "§5.2"


@pytest.mark.parametrize(
    ("topic", "program"),
    [("bitrix24", "bitrix24"), ("top", "site_management"), ("marketplace", "site_management")],
)
def test_s7_webinars_of_every_topic_use_the_webinar_row(
    assess: Any, topic: str, program: str
) -> None:
    result = assess(kind="webinar", topic=topic, listeners=30)
    assert (result["row"], result["program"]) == ("webinar", program)
    assert _pair(result["points"]) == (30, 30)
    assert _pair(assess(kind="webinar", topic=topic, listeners=29)["points"]) == (0, 0)


def test_s7_an_article_report_is_due_10_working_days_after_publication(assess: Any) -> None:
    result = assess(kind="article", event_date="2026-04-30")
    assert result["report_due"] == "2026-05-18"
