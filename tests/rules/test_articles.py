"""§6: an article earns 10–30 points if long, about the vendor, original and widely read."""

import pytest

from bot.rules import Effect, Rulebook
from tests.rules.cases import assessed, effects, finding_rules, points

GOOD = {
    "kind": "article",
    "article_length": 2_001,
    "vendor_share_percent": 71,
    "original": True,
    "circulation": 20_000,
}


def test_article_meeting_every_requirement_earns_10_to_30_points(rulebook: Rulebook) -> None:
    result = assessed(rulebook, **GOOD)
    assert points(result) == (10, 30)
    assert not effects(result) - {Effect.POINTS_MANAGER_PICKS, Effect.NO_COMPENSATION}


@pytest.mark.parametrize(
    ("change", "effect"),
    [
        pytest.param({"article_length": 2_000}, Effect.ARTICLE_TOO_SHORT, id="2000_chars"),
        pytest.param(
            {"vendor_share_percent": 70}, Effect.ARTICLE_VENDOR_SHARE_TOO_LOW, id="70pct_vendor"
        ),
        pytest.param({"original": False}, Effect.ARTICLE_NOT_ORIGINAL, id="reprint"),
        pytest.param({"circulation": 19_999}, Effect.ARTICLE_OUTLET_TOO_SMALL, id="19999_copies"),
    ],
)
def test_article_missing_a_requirement_earns_no_points(
    rulebook: Rulebook, change: dict[str, object], effect: Effect
) -> None:
    result = assessed(rulebook, **{**GOOD, **change})
    assert points(result) == (0, 0)
    assert finding_rules(result)[effect] == "§6"


def test_online_outlet_with_10000_daily_views_is_big_enough(rulebook: Rulebook) -> None:
    fields = {**GOOD, "circulation": None, "daily_views": 10_000}
    assert points(assessed(rulebook, **fields)) == (10, 30)


def test_online_outlet_with_9999_daily_views_is_too_small(rulebook: Rulebook) -> None:
    fields = {**GOOD, "circulation": None, "daily_views": 9_999}
    assert points(assessed(rulebook, **fields)) == (0, 0)


def test_article_not_yet_described_keeps_the_range_and_asks_for_details(
    rulebook: Rulebook,
) -> None:
    result = assessed(rulebook, kind="article", article_length=3_000)
    assert points(result) == (10, 30)
    assert Effect.NEEDS_REPORT in effects(result)
