"""Rules about a partner rather than one activity."""

from collections.abc import Sequence

from bot.rules.rulebook import Rulebook


def low_attendance(rulebook: Rulebook, listeners_by_event: Sequence[int]) -> bool:
    """Whether the last N reported events (oldest first in the sequence) each gathered fewer
    listeners than the rulebook's threshold, so support may be withheld (§2.7.2)."""
    rules = rulebook.attendance
    recent = listeners_by_event[-rules.low_events_in_a_row :]
    return len(recent) == rules.low_events_in_a_row and all(
        count < rules.low_listeners for count in recent
    )


def may_publish_promotions(rulebook: Rulebook, status: str) -> bool:
    """Only partners of the listed statuses may announce promotions on the vendor's site (§8)."""
    return status.strip().casefold() in {s.casefold() for s in rulebook.promotions.statuses}
