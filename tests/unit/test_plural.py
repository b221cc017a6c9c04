"""Counts agree with their nouns: «1 балл, 2 балла, 60 баллов», in every text that shows a count."""

from __future__ import annotations

import re

import pytest

from bot.i18n import Texts, plural

COUNTS = (1, 2, 5, 11, 21, 22)
# Which of the three Russian forms each count takes (one, few, many) — by the grammar, not code.
RUSSIAN_FORM = {1: 0, 2: 1, 5: 2, 11: 2, 21: 0, 22: 1}
ENGLISH_FORM = {1: 0, 2: 1, 5: 1, 11: 1, 21: 1, 22: 1}
PLURAL = re.compile(r"""\{\{\s*(\w+)\s*\|\s*plural\(((?:\s*["'][^"']*["']\s*,?)+)\)\s*\}\}""")
TEXTS = Texts()


def count_bearing(language: str) -> list[tuple[str, str, list[tuple[str, list[str]]]]]:
    """Every text with a counted noun: (key, source, [(variable, its forms)])."""
    found = []
    for key, source in TEXTS.keys(language).items():
        uses = [(name, re.findall(r"""["']([^"']*)["']""", forms))
                for name, forms in PLURAL.findall(source)]
        if uses:
            found.append((key, source, uses))
    return found


def params_for(language: str, key: str, counted: set[str], count: int) -> dict[str, object]:
    """The count for the counted variables; a plain word for every other one."""
    return {name: count if name in counted else "X"
            for name in TEXTS.parameters(language, key)}


@pytest.mark.parametrize(("language", "form_of"),
                         [("ru", RUSSIAN_FORM), ("en", ENGLISH_FORM)])
def test_every_count_bearing_text_agrees_with_its_count(
        language: str, form_of: dict[int, int]) -> None:
    texts = count_bearing(language)
    assert len(texts) >= 15, "the count-bearing texts were not found"
    wrong = []
    for key, _, uses in texts:
        counted = {name for name, _ in uses}
        for count in COUNTS:
            rendered = TEXTS.render(language, key, **params_for(language, key, counted, count))
            for _, forms in uses:
                expected = f"{count} {forms[form_of[count]]}"
                if expected not in rendered:
                    wrong.append(f"{key} for {count}: {rendered!r} lacks {expected!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("language", "forms"), [
    ("ru", ("балл", "балла", "баллов")), ("en", ("point", "points"))])
def test_every_russian_and_english_text_takes_three_or_two_forms(
        language: str, forms: tuple[str, ...]) -> None:
    for key, _, uses in count_bearing(language):
        assert all(len(found) == len(forms) for _, found in uses), key


def test_the_russian_forms_of_points() -> None:
    said = [plural(n, "балл", "балла", "баллов") for n in (1, 2, 5, 11, 21, 22, 60, 111, 104)]
    assert said == ["1 балл", "2 балла", "5 баллов", "11 баллов", "21 балл", "22 балла",
                    "60 баллов", "111 баллов", "104 балла"]


def test_a_formatted_or_fractional_count_keeps_its_look() -> None:
    assert plural("11\u00a0251", "балл", "балла", "баллов") == "11\u00a0251 балл"
    assert plural("1.5", "день", "дня", "дней") == "1.5 дня"
    assert plural(1, "day", "days") == "1 day" and plural(0, "day", "days") == "0 days"


# A count glued to an abbreviated or fixed-form noun: «5 дн.», «баллов 60», «4 working d.»,
# «12 чел.», «5 шт.».
UNAGREED = {
    "ru": re.compile(r"\}\}\s*(дн\.|раб\.|дней|баллов|слушателей|минут\b|чел\.|шт\.)"
                     r"|(баллов|дн\.)\s*\{\{"),
    "en": re.compile(r"\}\}\s*(d\b|d\.|working d)"),
}


@pytest.mark.parametrize("language", ["ru", "en"])
def test_no_text_glues_a_count_to_a_fixed_form(language: str) -> None:
    glued = [key for key, source in TEXTS.keys(language).items()
             if UNAGREED[language].search(source)]
    assert not glued, glued
