"""§1 notes, §2.2, §5.2: what takes points or compensation away, and the manager's reductions."""

import pytest

from bot.rules import Effect, Rulebook
from tests.rules.cases import assessed, compensation_rub, effects, finding_rules, points

SEMINAR_FAMILY = ["seminar", "webinar", "business_breakfast"]


@pytest.mark.parametrize("kind", SEMINAR_FAMILY)
def test_competitors_in_the_program_mean_no_points_and_no_compensation(
    rulebook: Rulebook, kind: str
) -> None:
    result = assessed(rulebook, kind=kind, listeners=95, agreed_costs=100_000, competitors=True)
    assert points(result) == (0, 0)
    assert compensation_rub(result) == (0, 0)
    assert finding_rules(result)[Effect.COMPETITORS] == "§1"


def test_paid_event_keeps_its_points_but_earns_no_compensation(rulebook: Rulebook) -> None:
    result = assessed(rulebook, listeners=40, agreed_costs=30_000, paid_event=True)
    assert points(result) == (60, 60)
    assert compensation_rub(result) == (0, 0)
    assert Effect.PAID_EVENT in effects(result)


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "seminar", "listeners": 40, "agreed_costs": 30_000},
        {"kind": "exhibition", "stand_rent": 80_000},
        {"kind": "promo_materials", "printing_costs": 5_000},
    ],
    ids=["seminar", "exhibition", "promo_materials"],
)
def test_barter_without_official_documents_earns_no_compensation(
    rulebook: Rulebook, fields: dict[str, object]
) -> None:
    result = assessed(rulebook, **fields, barter_without_documents=True)
    assert compensation_rub(result) == (0, 0)
    assert Effect.BARTER_WITHOUT_DOCUMENTS in effects(result)


@pytest.mark.parametrize("flag", ["vendor_speaker_did_all_talks", "other_products_in_program"])
def test_vendor_speaker_for_all_talks_or_other_software_may_cut_20_points_from_the_minimum(
    rulebook: Rulebook, flag: str
) -> None:
    result = assessed(rulebook, listeners=40, **{flag: True})
    assert points(result) == (40, 60)
    assert finding_rules(result)[Effect.POINTS_MAY_REDUCE_20] == "§1"


def test_points_reduction_never_goes_below_zero(rulebook: Rulebook) -> None:
    result = assessed(
        rulebook, kind="business_breakfast", listeners=12, vendor_speaker_did_all_talks=True
    )
    assert points(result) == (0, 20)


def test_no_points_reduction_is_proposed_when_there_are_no_points(rulebook: Rulebook) -> None:
    result = assessed(rulebook, kind="webinar", listeners=10, vendor_speaker_did_all_talks=True)
    assert Effect.POINTS_MAY_REDUCE_20 not in effects(result)


def test_more_than_two_third_party_companies_may_cut_10pct_per_speaker(
    rulebook: Rulebook,
) -> None:
    result = assessed(
        rulebook, listeners=40, agreed_costs=30_000, third_party_companies=3, third_party_speakers=2
    )
    assert compensation_rub(result) == (12_000, 15_000)
    assert finding_rules(result)[Effect.COMPENSATION_MAY_REDUCE_10PCT_PER_SPEAKER] == "§1"


def test_two_third_party_companies_cut_nothing(rulebook: Rulebook) -> None:
    result = assessed(
        rulebook, listeners=40, agreed_costs=30_000, third_party_companies=2, third_party_speakers=2
    )
    assert compensation_rub(result) == (15_000, 15_000)


def test_third_party_speakers_default_to_one_per_company(rulebook: Rulebook) -> None:
    result = assessed(rulebook, listeners=40, agreed_costs=30_000, third_party_companies=4)
    assert compensation_rub(result) == (9_000, 15_000)


def test_third_party_reduction_applies_after_the_cap(rulebook: Rulebook) -> None:
    result = assessed(rulebook, listeners=40, agreed_costs=100_000, third_party_companies=3)
    assert compensation_rub(result) == (14_000, 20_000)


def test_ten_third_party_speakers_may_cut_compensation_to_nothing(rulebook: Rulebook) -> None:
    result = assessed(
        rulebook,
        listeners=40,
        agreed_costs=30_000,
        third_party_companies=10,
        third_party_speakers=12,
    )
    assert compensation_rub(result) == (0, 15_000)


@pytest.mark.parametrize(
    ("vendors", "expected"),
    [
        pytest.param(1, 40_000, id="one_vendor_minus_20pct"),
        pytest.param(2, 30_000, id="two_vendors_minus_40pct"),
        pytest.param(5, 0, id="five_vendors_nothing_left"),
        pytest.param(7, 0, id="never_below_zero"),
    ],
)
def test_other_vendors_on_the_stand_reduce_exhibition_compensation_20pct_each(
    rulebook: Rulebook, vendors: int, expected: int
) -> None:
    result = assessed(
        rulebook, kind="exhibition", stand_rent=100_000, other_vendors_on_stand=vendors
    )
    assert compensation_rub(result) == (expected, expected)
    assert points(result) == (50, 70)
    assert finding_rules(result)[Effect.COMPENSATION_REDUCED_20PCT_PER_VENDOR] == "§5.2"


def test_competing_products_on_the_stand_mean_no_compensation_but_points_stay(
    rulebook: Rulebook,
) -> None:
    result = assessed(
        rulebook, kind="exhibition", stand_rent=100_000, competing_products_on_stand=True
    )
    assert compensation_rub(result) == (0, 0)
    assert points(result) == (50, 70)
    assert finding_rules(result)[Effect.COMPETING_PRODUCTS_ON_STAND] == "§5.2"


def test_exhibiting_under_the_vendors_brand_earns_no_points_and_no_compensation(
    rulebook: Rulebook,
) -> None:
    result = assessed(rulebook, kind="exhibition", stand_rent=100_000, vendor_branding=True)
    assert points(result) == (0, 0)
    assert compensation_rub(result) == (0, 0)


def test_vendor_exhibiting_at_the_same_exhibition_means_no_compensation(
    rulebook: Rulebook,
) -> None:
    result = assessed(rulebook, kind="exhibition", stand_rent=100_000, vendor_at_exhibition=True)
    assert points(result) == (50, 70)
    assert compensation_rub(result) == (0, 0)


def test_exhibition_compensation_is_counted_on_the_agreed_amount_when_lower(
    rulebook: Rulebook,
) -> None:
    result = assessed(
        rulebook,
        kind="exhibition",
        stand_rent=100_000,
        registration_fee=20_000,
        agreed_costs=90_000,
    )
    assert compensation_rub(result) == (45_000, 45_000)


@pytest.mark.parametrize(
    "applied_on",
    [
        pytest.param(None, id="never_applied"),
        pytest.param("2026-05-05", id="applied_after_the_event"),
        pytest.param("2026-04-30", id="applied_on_the_event_day"),
    ],
)
def test_event_not_approved_before_it_took_place_earns_nothing(
    rulebook: Rulebook, applied_on: str | None
) -> None:
    result = assessed(rulebook, applied_on=applied_on, listeners=40, agreed_costs=30_000)
    assert points(result) == (0, 0)
    assert compensation_rub(result) == (0, 0)
    assert finding_rules(result)[Effect.NOT_APPROVED_IN_ADVANCE] == "§1"


def test_event_applied_for_the_day_before_counts_as_approved_in_advance(
    rulebook: Rulebook,
) -> None:
    result = assessed(rulebook, applied_on="2026-04-29", listeners=40, agreed_costs=30_000)
    assert points(result) == (60, 60)
    assert compensation_rub(result) == (15_000, 15_000)
    assert Effect.NOT_APPROVED_IN_ADVANCE not in effects(result)


def test_article_needs_no_advance_approval(rulebook: Rulebook) -> None:
    result = assessed(rulebook, kind="article", applied_on=None)
    assert points(result) == (10, 30)


@pytest.mark.parametrize(
    "title",
    [
        "Федеральный семинар по интернет-магазинам",
        "«Формула сайта» в Томске",
        "ФОРМУЛА  САЙТА: продвижение",
        "Формула-сайта 2026",
        "Программа семинаров по продукту Битрикс24 — весна",
        "Программа семинаров по Битрикс24",
        "Федеральная программа в Казани",
    ],
)
def test_title_with_a_special_programs_name_gets_no_points_compensation_or_info_support(
    rulebook: Rulebook, title: str
) -> None:
    result = assessed(rulebook, title=title, listeners=40, agreed_costs=30_000, info_support=True)
    assert points(result) == (0, 0)
    assert compensation_rub(result) == (0, 0)
    assert result.info_support is False
    assert finding_rules(result)[Effect.RESERVED_TITLE] == "§2.2"


@pytest.mark.parametrize(
    "title", ["Эффективный сайт от А до Я", "Федеральный закон 152-ФЗ для сайта", "Формула успеха"]
)
def test_ordinary_title_is_not_taken_for_a_special_program(rulebook: Rulebook, title: str) -> None:
    result = assessed(rulebook, title=title, listeners=40)
    assert Effect.RESERVED_TITLE not in effects(result)


def test_formula_of_the_site_may_use_its_own_name(rulebook: Rulebook) -> None:
    result = assessed(rulebook, kind="formula", title="Формула сайта", agreed_costs=10_000)
    assert points(result) == (100, 120)


def test_event_presented_as_the_vendors_without_a_vendor_speaker_earns_nothing(
    rulebook: Rulebook,
) -> None:
    result = assessed(
        rulebook, claims_vendor_event=True, listeners=40, agreed_costs=30_000, info_support=True
    )
    assert points(result) == (0, 0)
    assert compensation_rub(result) == (0, 0)
    assert result.info_support is False
    assert Effect.VENDOR_EVENT_WITHOUT_VENDOR_SPEAKER in effects(result)


def test_event_presented_as_the_vendors_with_a_vendor_speaker_is_fine(rulebook: Rulebook) -> None:
    result = assessed(rulebook, claims_vendor_event=True, vendor_speaker=True, listeners=40)
    assert points(result) == (60, 60)
    assert Effect.VENDOR_EVENT_WITHOUT_VENDOR_SPEAKER not in effects(result)


def test_exclusions_beat_the_managers_individual_figures(rulebook: Rulebook) -> None:
    result = assessed(rulebook, topic="mixed", listeners=30, competitors=True)
    assert points(result) == (0, 0)
    assert compensation_rub(result) == (0, 0)
