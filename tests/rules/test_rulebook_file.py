"""The rulebook is data: shipped with the package, replaceable, refused with the line at fault."""

from datetime import date
from importlib.resources import files
from pathlib import Path

import pytest

from bot.rules import (
    Kind,
    LineKind,
    Rulebook,
    RulebookError,
    Topic,
    assess,
    load_rulebook,
    parse_rulebook,
    rulebook_path_from_env,
)
from bot.rules.rulebook import SHIPPED_RULEBOOK
from tests.rules.cases import case, points

SHIPPED = files("bot.rules").joinpath(SHIPPED_RULEBOOK).read_text(encoding="utf-8")


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    found = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            found += 1
            if found == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in the rulebook")


def _refused(text: str) -> RulebookError:
    with pytest.raises(RulebookError) as raised:
        parse_rulebook(text, "manager.toml")
    return raised.value


def test_shipped_rulebook_names_itself_and_the_date_it_takes_effect(rulebook: Rulebook) -> None:
    assert rulebook.name == "Маркетинговая поддержка партнерской сети «1С-Битрикс»"
    assert rulebook.effective_from == date(2016, 8, 10)


def test_shipped_rulebook_holds_every_number_of_the_notes(rulebook: Rulebook) -> None:
    assert rulebook.lead_times.info_support_days == 14
    assert rulebook.lead_times.promo_materials_days == 21
    assert rulebook.deadlines.report_working_days == 10
    assert rulebook.deadlines.credit_working_days == 5
    assert rulebook.deadlines.validity_years == 1
    assert rulebook.bonus.max_bonus_percent == 80
    assert set(rulebook.bonus.not_payable) == {LineKind.MARKETPLACE, LineKind.PHYSICAL}
    assert rulebook.modifiers.vendor_speaker.points_reduction == 20
    assert rulebook.modifiers.third_party.companies_over == 2
    assert rulebook.modifiers.third_party.percent_per_speaker == 10
    assert rulebook.modifiers.other_vendors_on_stand.percent_per_vendor == 20
    assert rulebook.titles.reserved == (
        "Федеральный семинар",
        "Формула сайта",
        "Программа семинаров по продукту Битрикс24",
    )
    assert rulebook.promotions.statuses == ("gold", "certified")
    assert rulebook.federal_program.months == (6, 12)


def test_shipped_rulebook_covers_every_kind_and_topic_once(rulebook: Rulebook) -> None:
    for kind in Kind:
        for topic in Topic:
            assert rulebook.row_for(kind, topic).section.startswith("§")


def test_load_rulebook_without_a_path_is_the_shipped_one() -> None:
    assert load_rulebook().name == load_rulebook(None).name


def test_manager_can_change_a_number_without_touching_code(tmp_path: Path) -> None:
    text = SHIPPED.replace("  { from = 30, points = 30 },", "  { from = 25, points = 35 },")
    book = tmp_path / "rulebook.toml"
    book.write_text(text, encoding="utf-8")
    custom = load_rulebook(book)
    assert points(assess(custom, case(kind="webinar", listeners=25))) == (35, 35)
    assert custom.source == str(book)


def test_another_vendor_can_name_its_own_book() -> None:
    shipped_name = 'name = "Маркетинговая поддержка партнерской сети «1С-Битрикс»"'
    text = SHIPPED.replace(shipped_name, 'name = "Acme partner MDF"').replace(
        "effective_from = 2016-08-10", "effective_from = 2027-01-01"
    )
    custom = parse_rulebook(text)
    result = assess(custom, case()).to_json_dict()
    assert result["rulebook"] == {"name": "Acme partner MDF", "effective_from": "2027-01-01"}


def test_env_variable_points_at_a_managers_rulebook() -> None:
    assert rulebook_path_from_env({"PARTNERDESK_RULEBOOK": "/etc/pd/book.toml"}) == Path(
        "/etc/pd/book.toml"
    )
    assert rulebook_path_from_env({"PARTNERDESK_RULEBOOK": " "}) is None
    assert rulebook_path_from_env({}) is None


def test_missing_file_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(RulebookError) as raised:
        load_rulebook(tmp_path / "nowhere.toml")
    assert "nowhere.toml" in str(raised.value)


def test_toml_syntax_error_names_the_file_and_line() -> None:
    text = SHIPPED.replace("info_support_days = 14", "info_support_days = = 14")
    error = _refused(text)
    assert error.line == _line_of(text, "info_support_days = = 14")
    assert str(error).startswith(f"manager.toml:{error.line}: ")


def test_wrong_type_names_the_line_of_the_key() -> None:
    text = SHIPPED.replace("promo_materials_days = 21", 'promo_materials_days = "three weeks"')
    error = _refused(text)
    assert error.line == _line_of(text, 'promo_materials_days = "three weeks"')
    assert "lead_times.promo_materials_days" in error.message


def test_bad_bucket_names_the_line_of_the_bucket() -> None:
    text = SHIPPED.replace("  { from = 71, points = 80 },", "  { from = 71, points = -80 },")
    error = _refused(text)
    assert error.line == _line_of(text, "points = -80")
    assert "rows[0].points_by_listeners[5].points" in error.message


def test_buckets_out_of_order_are_refused() -> None:
    text = SHIPPED.replace("  { from = 31, points = 60 },", "  { from = 15, points = 60 },")
    error = _refused(text)
    assert error.line == _line_of(text, "points_by_listeners = [")
    assert "increasing" in error.message


def test_unknown_key_is_refused_at_its_line() -> None:
    text = SHIPPED.replace("validity_years = 1 ", "validity_years = 1\nvalidity_month = 2 ")
    error = _refused(text)
    assert error.line == _line_of(text, "validity_month = 2")
    assert "deadlines.validity_month" in error.message


def test_two_rows_for_the_same_case_are_refused_at_the_second() -> None:
    text = SHIPPED.replace('topics = ["top"]', 'topics = ["top", "bitrix24"]')
    error = _refused(text)
    assert error.line == _line_of(text, 'topics = ["top", "bitrix24"]')
    assert "seminar/bitrix24" in error.message


def test_a_case_no_row_covers_is_refused() -> None:
    start = SHIPPED.index('id = "external_talk_marketplace"')
    end = SHIPPED.index('id = "exhibition"')
    error = _refused(SHIPPED[:start] + SHIPPED[end:])
    assert "no row covers external_talk/marketplace" in error.message
    assert error.line == _line_of(SHIPPED, "[[rows]]")


def test_unknown_country_calendar_is_refused_at_its_line() -> None:
    text = SHIPPED.replace('country = "RU"', 'country = "XX"')
    error = _refused(text)
    assert error.line == _line_of(text, 'country = "XX"')


def test_exclusion_with_an_unknown_condition_is_refused_at_its_line() -> None:
    text = SHIPPED.replace('when = "paid_event"', 'when = "rainy_day"')
    error = _refused(text)
    assert error.line == _line_of(text, 'when = "rainy_day"')
    assert "exclusions[5].when" in error.message


def test_missing_table_is_refused() -> None:
    start = SHIPPED.index("[article]")
    end = SHIPPED.index("# Exclusions:")
    error = _refused(SHIPPED[:start] + SHIPPED[end:])
    assert "article" in error.message
