"""§2.7.2 and §8c: rules about a partner rather than one event."""

import pytest

from bot.rules import Rulebook, low_attendance, may_publish_promotions


@pytest.mark.parametrize(
    ("history", "flagged"),
    [
        pytest.param([9, 9], True, id="two_events_under_10_in_a_row"),
        pytest.param([25, 3, 9], True, id="the_last_two_count"),
        pytest.param([9, 10], False, id="the_last_one_reached_10"),
        pytest.param([5], False, id="one_event_is_not_a_pattern"),
        pytest.param([], False, id="no_events"),
    ],
)
def test_partner_whose_last_two_events_each_had_under_10_listeners_is_flagged(
    rulebook: Rulebook, history: list[int], flagged: bool
) -> None:
    assert low_attendance(rulebook, history) is flagged


@pytest.mark.parametrize(
    ("status", "allowed"),
    [("gold", True), ("Certified", True), ("registered", False), ("", False)],
)
def test_only_gold_and_certified_partners_may_publish_promotions(
    rulebook: Rulebook, status: str, allowed: bool
) -> None:
    assert may_publish_promotions(rulebook, status) is allowed
