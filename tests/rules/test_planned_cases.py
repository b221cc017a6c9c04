"""Before the report: listeners unknown, so the range covers the whole scale (`needs_report`)."""

from bot.rules import Effect, Rulebook
from tests.rules.cases import assessed, compensation_rub, effects, points


def test_seminar_before_its_report_may_earn_anything_on_the_scale(rulebook: Rulebook) -> None:
    result = assessed(rulebook, agreed_costs=100_000)
    assert points(result) == (0, 90)
    assert compensation_rub(result) == (0, 40_000)
    assert Effect.NEEDS_REPORT in effects(result)


def test_seminar_before_its_report_with_small_costs_may_get_half_of_them(
    rulebook: Rulebook,
) -> None:
    assert compensation_rub(assessed(rulebook, agreed_costs=30_000)) == (0, 15_000)


def test_webinar_before_its_report_may_earn_up_to_30_points(rulebook: Rulebook) -> None:
    assert points(assessed(rulebook, kind="webinar")) == (0, 30)


def test_mixed_topic_before_its_report_is_left_to_the_manager(rulebook: Rulebook) -> None:
    result = assessed(rulebook, topic="mixed", program="bitrix24", agreed_costs=50_000)
    assert result.points is None
    assert result.compensation is None
    assert Effect.NEEDS_REPORT in effects(result)


def test_planned_reductions_still_lower_only_the_minimum(rulebook: Rulebook) -> None:
    result = assessed(rulebook, vendor_speaker_did_all_talks=True, agreed_costs=100_000)
    assert points(result) == (0, 90)


def test_fixed_rows_need_no_listeners(rulebook: Rulebook) -> None:
    result = assessed(rulebook, kind="external_talk")
    assert points(result) == (40, 40)
    assert Effect.NEEDS_REPORT not in effects(result)
