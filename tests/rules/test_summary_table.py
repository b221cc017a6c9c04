"""§1, the summary table: every row, and both sides of every listener bucket boundary."""

import pytest

from bot.rules import Effect, Rulebook
from tests.rules.cases import assessed, compensation_rub, effects, points


def _table(rows: list[tuple[int, int]]) -> list[object]:
    return [pytest.param(n, p, id=f"{n}_listeners_earn_{p}") for n, p in rows]


SITE_MANAGEMENT_POINTS = [
    (0, 0), (1, 0), (9, 0), (10, 30), (19, 30), (20, 40), (30, 40), (31, 60), (50, 60),
    (51, 70), (70, 70), (71, 80), (90, 80), (91, 90), (500, 90),
]  # fmt: skip


@pytest.mark.parametrize("topic", ["site_management", "bitrix24"])
@pytest.mark.parametrize(("listeners", "expected"), _table(SITE_MANAGEMENT_POINTS))
def test_site_management_and_bitrix24_seminar_points_follow_the_listener_buckets(
    rulebook: Rulebook, topic: str, listeners: int, expected: int
) -> None:
    result = assessed(rulebook, topic=topic, listeners=listeners)
    assert points(result) == (expected, expected)


SITE_MANAGEMENT_COMPENSATION = [
    (19, 0), (20, 20_000), (30, 20_000), (31, 20_000), (50, 20_000),
    (51, 30_000), (70, 30_000), (71, 30_000), (90, 30_000), (91, 40_000), (300, 40_000),
]  # fmt: skip


@pytest.mark.parametrize(("listeners", "expected"), _table(SITE_MANAGEMENT_COMPENSATION))
def test_site_management_seminar_compensation_is_half_the_costs_up_to_the_bucket_cap(
    rulebook: Rulebook, listeners: int, expected: int
) -> None:
    result = assessed(rulebook, listeners=listeners, agreed_costs=100_000)
    assert compensation_rub(result) == (expected, expected)


def test_site_management_seminar_below_the_cap_pays_exactly_half(rulebook: Rulebook) -> None:
    result = assessed(rulebook, listeners=25, agreed_costs=12_345.67)
    assert compensation_rub(result) == (6_172.83, 6_172.83)  # half a kopeck rounds down


def test_seminar_with_19_listeners_says_compensation_starts_at_20(rulebook: Rulebook) -> None:
    result = assessed(rulebook, listeners=19, agreed_costs=10_000)
    [no_comp] = [f for f in result.findings if f.effect is Effect.NO_COMPENSATION]
    assert no_comp.rule == "§1"
    assert no_comp.params["needed"] == 20
    assert no_comp.params["listeners"] == 19


TOP_POINTS = [(9, 0), (10, 50), (39, 50), (40, 70), (200, 70)]
TOP_COMPENSATION = [(9, 0), (10, 30_000), (40, 30_000), (200, 30_000)]


@pytest.mark.parametrize(("listeners", "expected"), _table(TOP_POINTS))
def test_top_seminar_points_follow_the_listener_buckets(
    rulebook: Rulebook, listeners: int, expected: int
) -> None:
    assert points(assessed(rulebook, topic="top", listeners=listeners)) == (expected, expected)


@pytest.mark.parametrize(("listeners", "expected"), _table(TOP_COMPENSATION))
def test_top_seminar_compensation_is_half_the_costs_up_to_30000(
    rulebook: Rulebook, listeners: int, expected: int
) -> None:
    result = assessed(rulebook, topic="top", listeners=listeners, agreed_costs=100_000)
    assert compensation_rub(result) == (expected, expected)


MARKETPLACE_POINTS = [(19, 0), (20, 20), (150, 20)]


@pytest.mark.parametrize(("listeners", "expected"), _table(MARKETPLACE_POINTS))
def test_marketplace_seminar_earns_20_points_from_20_listeners_and_no_compensation(
    rulebook: Rulebook, listeners: int, expected: int
) -> None:
    result = assessed(rulebook, topic="marketplace", listeners=listeners, agreed_costs=50_000)
    assert points(result) == (expected, expected)
    assert compensation_rub(result) == (0, 0)


def test_mixed_topic_seminar_with_9_listeners_earns_nothing(rulebook: Rulebook) -> None:
    result = assessed(rulebook, topic="mixed", listeners=9, agreed_costs=50_000)
    assert points(result) == (0, 0)
    assert compensation_rub(result) == (0, 0)


def test_mixed_topic_seminar_from_10_listeners_is_set_by_the_manager(rulebook: Rulebook) -> None:
    result = assessed(
        rulebook, topic="mixed", program="bitrix24", listeners=10, agreed_costs=50_000
    )
    assert result.points is None
    assert result.compensation is None
    assert {Effect.POINTS_SET_BY_MANAGER, Effect.COMPENSATION_AGREED_INDIVIDUALLY} <= effects(
        result
    )


BREAKFAST_POINTS = [(9, 0), (10, 20), (100, 20)]


@pytest.mark.parametrize(("listeners", "expected"), _table(BREAKFAST_POINTS))
def test_business_breakfast_earns_20_points_from_10_listeners_and_no_compensation(
    rulebook: Rulebook, listeners: int, expected: int
) -> None:
    result = assessed(rulebook, kind="business_breakfast", listeners=listeners, agreed_costs=30_000)
    assert points(result) == (expected, expected)
    assert compensation_rub(result) == (0, 0)


def test_webinar_with_29_listeners_earns_nothing(rulebook: Rulebook) -> None:
    result = assessed(rulebook, kind="webinar", listeners=29, agreed_costs=10_000)
    assert points(result) == (0, 0)
    assert compensation_rub(result) == (0, 0)
    assert result.program is None
    assert Effect.NO_POINTS in effects(result)


@pytest.mark.parametrize("topic", ["site_management", "bitrix24", "top", "marketplace"])
def test_webinar_with_30_listeners_earns_30_points_whatever_the_topic(
    rulebook: Rulebook, topic: str
) -> None:
    result = assessed(rulebook, kind="webinar", topic=topic, listeners=30, agreed_costs=10_000)
    assert points(result) == (30, 30)
    assert compensation_rub(result) == (0, 0)


@pytest.mark.parametrize("audience", ["existing_clients", "developers"])
@pytest.mark.parametrize("kind", ["seminar", "webinar", "business_breakfast"])
def test_event_for_existing_clients_or_developers_earns_nothing_and_gets_no_info_support(
    rulebook: Rulebook, kind: str, audience: str
) -> None:
    result = assessed(
        rulebook,
        kind=kind,
        audience=audience,
        listeners=120,
        agreed_costs=100_000,
        info_support=True,
    )
    assert points(result) == (0, 0)
    assert compensation_rub(result) == (0, 0)
    assert result.info_support is False
    assert Effect.AUDIENCE_NOT_PROSPECTS in effects(result)


def test_formula_of_the_site_earns_100_to_120_points_and_all_its_costs(
    rulebook: Rulebook,
) -> None:
    result = assessed(rulebook, kind="formula", agreed_costs=180_000)
    assert points(result) == (100, 120)
    assert compensation_rub(result) == (180_000, 180_000)


@pytest.mark.parametrize(
    ("costs", "expected"),
    [
        pytest.param(30_000, 30_000, id="below_the_cap_all_of_it"),
        pytest.param(50_000, 50_000, id="at_the_cap"),
        pytest.param(80_000, 50_000, id="above_the_cap_50000"),
    ],
)
def test_federal_program_earns_80_to_100_points_and_all_costs_up_to_50000(
    rulebook: Rulebook, costs: int, expected: int
) -> None:
    result = assessed(rulebook, kind="federal_program", event_date="2026-06-18", agreed_costs=costs)
    assert points(result) == (80, 100)
    assert compensation_rub(result) == (expected, expected)


@pytest.mark.parametrize("topic", ["site_management", "top", "bitrix24"])
def test_talk_at_an_external_conference_earns_40_points_and_compensation_agreed_individually(
    rulebook: Rulebook, topic: str
) -> None:
    result = assessed(rulebook, kind="external_talk", topic=topic, listeners=5)
    assert points(result) == (40, 40)
    assert result.compensation is None
    assert Effect.COMPENSATION_AGREED_INDIVIDUALLY in effects(result)


def test_talk_about_marketplace_solutions_earns_nothing(rulebook: Rulebook) -> None:
    result = assessed(rulebook, kind="external_talk", topic="marketplace", agreed_costs=10_000)
    assert points(result) == (0, 0)
    assert compensation_rub(result) == (0, 0)


@pytest.mark.parametrize("kind", ["external_talk", "exhibition"])
def test_talk_or_stand_work_at_the_vendors_own_event_earns_nothing(
    rulebook: Rulebook, kind: str
) -> None:
    result = assessed(rulebook, kind=kind, at_vendor_event=True, stand_rent=100_000)
    assert points(result) == (0, 0)
    assert compensation_rub(result) == (0, 0)
    assert Effect.AT_VENDOR_EVENT in effects(result)


def test_own_stand_at_an_exhibition_earns_50_to_70_points_and_half_of_rent_and_fee(
    rulebook: Rulebook,
) -> None:
    result = assessed(rulebook, kind="exhibition", stand_rent=120_000, registration_fee=15_000)
    assert points(result) == (50, 70)
    assert compensation_rub(result) == (67_500, 67_500)
    assert Effect.POINTS_MANAGER_PICKS in effects(result)


def test_article_earns_10_to_30_points_and_no_compensation(rulebook: Rulebook) -> None:
    result = assessed(
        rulebook,
        kind="article",
        applied_on=None,
        article_length=5_000,
        vendor_share_percent=90,
        original=True,
        circulation=25_000,
    )
    assert points(result) == (10, 30)
    assert compensation_rub(result) == (0, 0)
    assert Effect.NEEDS_REPORT not in effects(result)


def test_other_marketing_activity_is_10_to_30_points_with_compensation_agreed_individually(
    rulebook: Rulebook,
) -> None:
    result = assessed(rulebook, kind="other", agreed_costs=10_000)
    assert points(result) == (10, 30)
    assert result.compensation is None


def test_promo_materials_printed_from_the_vendors_layouts_are_compensated_in_full(
    rulebook: Rulebook,
) -> None:
    result = assessed(rulebook, kind="promo_materials", printing_costs=7_450.50)
    assert points(result) == (0, 0)
    assert compensation_rub(result) == (7_450.50, 7_450.50)


def test_every_finding_cites_a_section_of_the_rulebook(rulebook: Rulebook) -> None:
    result = assessed(
        rulebook,
        kind="webinar",
        listeners=12,
        applied_on="2026-04-25",
        competitors=True,
        info_support=True,
        promo_materials=True,
        title="Формула сайта",
    )
    assert result.findings
    assert all(f.rule.startswith("§") and f.text.endswith(".") for f in result.findings)
