"""§1 notes: points go to the program of the topic; for a mixed topic the partner chooses."""

import pytest

from bot.rules import Effect, Program, Rulebook
from tests.rules.cases import assessed, effects


@pytest.mark.parametrize(
    ("topic", "program"),
    [
        ("site_management", Program.SITE_MANAGEMENT),
        ("bitrix24", Program.BITRIX24),
        ("top", Program.SITE_MANAGEMENT),
        ("marketplace", Program.SITE_MANAGEMENT),
    ],
)
def test_points_are_credited_to_the_program_of_the_topic(
    rulebook: Rulebook, topic: str, program: Program
) -> None:
    assert assessed(rulebook, topic=topic, listeners=60).program is program


@pytest.mark.parametrize("program", list(Program))
def test_mixed_topic_credits_the_program_the_partner_chose(
    rulebook: Rulebook, program: Program
) -> None:
    assert assessed(rulebook, topic="mixed", program=program, listeners=60).program is program


def test_mixed_topic_without_a_choice_asks_the_partner_to_choose(rulebook: Rulebook) -> None:
    result = assessed(rulebook, topic="mixed", listeners=60)
    assert result.program is None
    assert Effect.PROGRAM_CHOICE_NEEDED in effects(result)


def test_a_program_chosen_for_a_single_topic_is_ignored(rulebook: Rulebook) -> None:
    result = assessed(rulebook, topic="bitrix24", program="site_management", listeners=60)
    assert result.program is Program.BITRIX24
    assert Effect.PROGRAM_IGNORED in effects(result)


def test_nothing_earned_credits_no_program(rulebook: Rulebook) -> None:
    assert assessed(rulebook, topic="bitrix24", listeners=5).program is None
