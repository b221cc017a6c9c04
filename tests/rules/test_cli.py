"""`partnerdesk rules assess|spend`: the JSON contract outside tools rely on; bad input exits 2."""

import argparse
import json
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from bot.cli_rules import add_rules_commands
from bot.rules.rulebook import SHIPPED_RULEBOOK

ROOT = Path(__file__).resolve().parents[2]


def _parser() -> argparse.ArgumentParser:
    """What the main `partnerdesk` parser does with the rules commands."""
    parser = argparse.ArgumentParser(prog="partnerdesk")
    add_rules_commands(parser.add_subparsers())
    return parser


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    args = _parser().parse_args(argv)
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


def _file(tmp_path: Path, data: Any, name: str = "input.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


CASE = {
    "kind": "seminar",
    "topic": "site_management",
    "event_date": "2026-04-30",
    "applied_on": "2026-04-10",
    "info_support": True,
    "promo_materials": True,
    "listeners": 32,
    "agreed_costs": 40000,
    "actual_costs": 41250.5,
}


def test_assess_prints_the_assessment_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["rules", "assess", _file(tmp_path, CASE)], capsys)
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["points"] == {"min": 60, "max": 60}
    assert result["compensation"] == {"min": 20000, "max": 20000}
    assert result["program"] == "site_management"
    assert (result["info_support"], result["promo_materials"]) == (True, False)
    assert result["report_due"] == "2026-05-18"
    assert result["rulebook"]["effective_from"] == "2016-08-10"
    [late] = result["findings"]
    assert (late["rule"], late["effect"]) == ("§1", "promo_materials_too_late")
    assert isinstance(late["text"], str)


def test_assess_gives_null_for_figures_the_manager_sets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = {"kind": "external_talk", "event_date": "2026-04-30", "applied_on": "2026-04-01"}
    code, out, _ = _run(["rules", "assess", _file(tmp_path, case)], capsys)
    result = json.loads(out)
    assert (code, result["points"], result["compensation"]) == (0, {"min": 40, "max": 40}, None)


def test_assess_keeps_kopecks_in_rubles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = {**CASE, "agreed_costs": 12345.67, "actual_costs": None}
    _, out, _ = _run(["rules", "assess", _file(tmp_path, case)], capsys)
    assert json.loads(out)["compensation"] == {"min": 6172.83, "max": 6172.83}


def test_spend_prints_how_the_bonus_pays_the_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    order = {
        "today": "2026-11-22",
        "lots": [
            {"amount": 5000, "credited_on": "2025-11-22"},
            {"amount": 9000.5, "credited_on": "2026-02-01"},
        ],
        "lines": [
            {"name": "Бизнес", "price": 10000, "kind": "licence"},
            {"name": "Книга", "price": 900, "kind": "physical"},
            {"name": "Решение", "price": 4000, "kind": "marketplace"},
        ],
    }
    code, out, err = _run(["rules", "spend", _file(tmp_path, order)], capsys)
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["lines"] == [
        {"name": "Бизнес", "bonus": 8000, "cash": 2000},
        {"name": "Книга", "bonus": 0, "cash": 900},
        {"name": "Решение", "bonus": 0, "cash": 4000},
    ]
    assert (result["bonus_used"], result["bonus_left"], result["expired"]) == (8000, 1000.5, 5000)


def test_rulebook_option_uses_the_managers_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = files("bot.rules").joinpath(SHIPPED_RULEBOOK).read_text(encoding="utf-8")
    book = tmp_path / "book.toml"
    book.write_text(shipped.replace("max_bonus_percent = 80", "max_bonus_percent = 50"), "utf-8")
    order = {"today": "2026-06-01", "lots": [{"amount": 100, "credited_on": "2026-05-01"}],
             "lines": [{"name": "x", "price": 100, "kind": "licence"}]}  # fmt: skip
    _, out, _ = _run(["rules", "spend", _file(tmp_path, order), "--rulebook", str(book)], capsys)
    assert json.loads(out)["lines"] == [{"name": "x", "bonus": 50, "cash": 50}]


def test_rulebook_env_variable_is_used_when_no_option_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = files("bot.rules").joinpath(SHIPPED_RULEBOOK).read_text(encoding="utf-8")
    book = tmp_path / "book.toml"
    book.write_text(shipped.replace("effective_from = 2016-08-10", "effective_from = 2026-01-01"))
    monkeypatch.setenv("PARTNERDESK_RULEBOOK", str(book))
    _, out, _ = _run(["rules", "assess", _file(tmp_path, CASE)], capsys)
    assert json.loads(out)["rulebook"]["effective_from"] == "2026-01-01"


def test_malformed_rulebook_exits_2_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "broken.toml"
    book.write_text('name = "x"\neffective_from = "soon"\n', encoding="utf-8")
    code, out, err = _run(
        ["rules", "assess", _file(tmp_path, CASE), "--rulebook", str(book)], capsys
    )
    assert (code, out) == (2, "")
    assert f"{book}:2: effective_from" in err


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"kind": "hackathon"}, "kind", id="unknown_kind"),
        pytest.param({"event_date": "2026-04-31"}, "event_date", id="not_a_date"),
        pytest.param({"applied_on": "yesterday"}, "applied_on", id="not_a_date_either"),
        pytest.param({"agreed_costs": -100}, "agreed_costs", id="negative_money"),
        pytest.param({"kind": None}, "kind", id="missing_kind"),
        pytest.param({"event_date": None}, "event_date", id="missing_event_date"),
    ],
)
def test_bad_case_exits_2_naming_the_field_and_prints_no_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, Any], field: str
) -> None:
    case = {k: v for k, v in {**CASE, **change}.items() if v is not None}
    code, out, err = _run(["rules", "assess", _file(tmp_path, case)], capsys)
    assert (code, out) == (2, "")
    assert f"{field}:" in err


def test_not_json_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "case.json"
    path.write_text("{kind: seminar}", encoding="utf-8")
    code, out, err = _run(["rules", "assess", str(path)], capsys)
    assert (code, out) == (2, "")
    assert "not valid JSON (line 1, column 2)" in err


def test_duplicate_field_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "case.json"
    path.write_text('{"kind": "seminar", "event_date": "2026-04-30", "kind": "webinar"}', "utf-8")
    code, _, err = _run(["rules", "assess", str(path)], capsys)
    assert code == 2
    assert "kind: given twice" in err


def test_nan_money_exits_2_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "case.json"
    path.write_text('{"kind": "seminar", "event_date": "2026-04-30", "agreed_costs": NaN}', "utf-8")
    code, _, err = _run(["rules", "assess", str(path)], capsys)
    assert code == 2
    assert "agreed_costs:" in err


def test_bad_order_exits_2_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    order = {"today": "2026-06-01", "lines": [{"name": "x", "price": 10, "kind": "dvd"}]}
    code, out, err = _run(["rules", "spend", _file(tmp_path, order)], capsys)
    assert (code, out) == (2, "")
    assert "lines[0].kind:" in err


def test_rules_without_a_command_shows_help_and_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(["rules"], capsys)
    assert (code, out) == (2, "")
    assert "assess" in err and "spend" in err


def _module(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli_rules", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "LANG": "C"},
        timeout=60,
        check=False,
    )


def test_module_assesses_a_case_without_token_database_or_network(tmp_path: Path) -> None:
    done = _module("assess", _file(tmp_path, {**CASE, "title": "Сайт от А до Я"}))
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["points"] == {"min": 60, "max": 60}


def test_module_exits_2_on_bad_input(tmp_path: Path) -> None:
    done = _module("assess", _file(tmp_path, {**CASE, "event_date": "2026-13-01"}))
    assert (done.returncode, done.stdout) == (2, "")
    assert "event_date:" in done.stderr


def test_assess_help_describes_every_field_of_the_case(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.rules import Case

    with pytest.raises(SystemExit):
        _parser().parse_args(["rules", "assess", "--help"])
    shown = capsys.readouterr().out
    assert all(f"  {name}: " in shown for name in Case.model_fields)
    assert "kind: one of seminar, webinar" in shown and "(required)" in shown
    assert "event_date: a date, YYYY-MM-DD (required)" in shown
    assert "listeners: a whole number, 0 or more (default null)" in shown
    assert "agreed_costs: rubles" in shown and "vendor_share_percent: a number" in shown
