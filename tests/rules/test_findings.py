"""Finding codes are stable names the bot localises by; every one has a sentence."""

import re

import pytest

from bot.rules import Case, Condition, Effect
from bot.rules.effects import TEXTS
from bot.rules.exclusions import CONDITION_CHECKS


@pytest.mark.parametrize("effect", list(Effect), ids=str)
def test_every_effect_code_is_snake_case_and_has_an_english_sentence(effect: Effect) -> None:
    assert re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", effect.value)
    assert effect.value in TEXTS


def test_every_sentence_belongs_to_an_effect() -> None:
    codes = {e.value for e in Effect}
    assert {key.split("/")[0] for key in TEXTS} <= codes


@pytest.mark.parametrize("condition", list(Condition), ids=str)
def test_every_exclusion_condition_is_a_finding_and_something_a_case_can_say(
    condition: Condition,
) -> None:
    assert Effect(condition.value)
    if condition not in CONDITION_CHECKS:
        assert Case.model_fields[condition.value].annotation is bool


def test_codes_the_bot_localises_by_stay_as_named() -> None:
    for code in (
        "no_points",
        "no_compensation",
        "points_may_reduce_20",
        "compensation_may_reduce_10pct_per_speaker",
        "info_support_too_late",
        "promo_materials_too_late",
        "not_approved_in_advance",
        "reserved_title",
        "competitors",
        "paid_event",
        "needs_report",
    ):
        assert Effect(code)
