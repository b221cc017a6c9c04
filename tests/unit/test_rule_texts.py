"""Every finding the rules engine can produce has its own text in both languages, and it renders
with the params the engine really passes (real cases through `assess`, then `finding_line`)."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from bot.handlers.render import finding_line
from bot.i18n import LANGUAGES, Texts
from bot.rules import Effect, Finding, Rulebook, assess, load_rulebook
from bot.rules.effects import TEXTS as ENGLISH_SENTENCES
from bot.rules.rulebook_schema import RulebookSpec
from tests.rules.cases import case

TEXTS = Texts()
SHIPPED = load_rulebook()
# The English sentence a finding carries; seeing it in a rendered line means the lookup fell back.
FALLBACK = "FALLBACK-ENGLISH-SENTENCE"


def _individual_points_rulebook() -> Rulebook:
    """The shipped rulebook with "other" activities' points set by the manager ("individual"):
    the only way to reach `points_set_by_manager/always`, which no shipped row uses."""
    text = resources.files("bot.rules").joinpath("rulebook.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    row = next(r for r in data["rows"] if "other" in r["kinds"])
    row["points"] = "individual"
    return Rulebook.from_spec(RulebookSpec.model_validate(data))


INDIVIDUAL = _individual_points_rulebook()

# (rulebook, case fields): together they produce every effect and every variant.
CASES: list[tuple[Rulebook, dict[str, Any]]] = [
    # exclusions
    (SHIPPED, {"applied_on": None}),
    (SHIPPED, {"audience": "existing_clients", "info_support": True}),
    (SHIPPED, {"title": "Федеральный семинар <b>&</b> Битрикс24"}),
    (SHIPPED, {"claims_vendor_event": True}),
    (SHIPPED, {"competitors": True}),
    (SHIPPED, {"paid_event": True, "barter_without_documents": True}),
    (SHIPPED, {"kind": "exhibition", "vendor_branding": True, "vendor_at_exhibition": True,
               "competing_products_on_stand": True, "stand_rent": 100000}),
    (SHIPPED, {"kind": "external_talk", "at_vendor_event": True}),
    # the summary table
    (SHIPPED, {"kind": "external_talk", "topic": "marketplace"}),  # no points, no compensation
    (SHIPPED, {"listeners": 5}),
    (SHIPPED, {"listeners": 15}),
    (SHIPPED, {"listeners": None}),
    (SHIPPED, {"topic": "mixed"}),
    (SHIPPED, {"topic": "mixed", "listeners": 15, "program": "bitrix24"}),
    (INDIVIDUAL, {"kind": "other"}),
    (SHIPPED, {"kind": "other"}),
    (SHIPPED, {"kind": "external_talk"}),
    (SHIPPED, {"listeners": 100, "agreed_costs": 200000}),
    (SHIPPED, {"listeners": 100, "agreed_costs": 200000.5, "actual_costs": 150000.25}),
    (SHIPPED, {"listeners": 25}),
    (SHIPPED, {"listeners": 25, "agreed_costs": 30000, "actual_costs": 20000}),
    # reductions
    (SHIPPED, {"listeners": 25, "agreed_costs": 30000, "vendor_speaker_did_all_talks": True,
               "third_party_companies": 3}),
    (SHIPPED, {"kind": "exhibition", "stand_rent": 100000, "other_vendors_on_stand": 2}),
    # support asked for
    (SHIPPED, {"applied_on": "2026-04-25", "info_support": True, "promo_materials": True}),
    (SHIPPED, {"kind": "article", "info_support": True, "promo_materials": True}),
    (SHIPPED, {"event_date": "2026-06-30", "applied_on": "2026-05-01", "info_support": True}),
    # program
    (SHIPPED, {"topic": "site_management", "program": "bitrix24"}),
    # articles
    (SHIPPED, {"kind": "article", "article_length": 100, "vendor_share_percent": 10,
               "original": False, "circulation": 100, "daily_views": 5}),
    # other
    (SHIPPED, {"kind": "federal_program"}),
    (SHIPPED, {"printing_costs": 5000}),
]


def _findings() -> list[Finding]:
    return [f for rulebook, fields in CASES for f in assess(rulebook, case(**fields)).findings]


FINDINGS = _findings()


def _pair(finding: Finding) -> str:
    """A finding's key in effects.TEXTS: `effect` or `effect/variant`."""
    return f"{finding.effect}/{finding.variant}" if finding.variant else str(finding.effect)


def _variants() -> set[tuple[Effect, str]]:
    """Every (effect, variant) the engine can emit, variant "" for the plain sentence."""
    pairs = set()
    for key in ENGLISH_SENTENCES:
        effect, _, variant = key.partition("/")
        pairs.add((Effect(effect), variant))
    return pairs


def _line(texts: Texts, language: str, finding: Finding) -> str:
    data = finding.to_json_dict() | {"text": FALLBACK}
    return finding_line(texts, language, data)


def _missing(texts: Texts, language: str) -> list[str]:
    """The effect/variant pairs without a text of their own: a variant needs
    `rules.<effect>.<variant>` (else it would borrow the plain text), a plain finding
    `rules.<effect>` or `rules.<effect>.default`; both must be what `finding_line` shows."""
    known = texts.keys(language)
    missing = []
    for effect, variant in sorted(_variants()):
        base = f"rules.{effect}"
        own = {f"{base}.{variant}"} if variant else {base, f"{base}.default"}
        params = next(
            (f.params for f in FINDINGS if f.effect is effect and f.variant == variant), {}
        )
        line = _line(texts, language, Finding("§0", effect, "", params, variant))
        if not own & set(known) or FALLBACK in line:
            missing.append(f"{effect}/{variant}" if variant else str(effect))
    return missing


def test_the_cases_produce_every_effect_and_variant() -> None:
    assert {_pair(f) for f in FINDINGS} == set(ENGLISH_SENTENCES)
    assert {f.effect for f in FINDINGS} == set(Effect)


def test_every_effect_sentence_names_an_effect() -> None:
    assert {effect for effect, _ in _variants()} == set(Effect)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_effect_and_variant_has_its_own_text(language: str) -> None:
    assert _missing(TEXTS, language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_missing_text_is_caught(language: str) -> None:
    texts = Texts()
    del texts.sources[language]["rules.paid_event"]
    del texts.sources[language]["rules.no_points.listeners"]
    assert _missing(texts, language) == ["no_points/listeners", "paid_event"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "finding", FINDINGS, ids=[f"{i}-{_pair(f)}" for i, f in enumerate(FINDINGS)]
)
def test_every_real_finding_renders_in_its_own_words(language: str, finding: Finding) -> None:
    line = _line(TEXTS, language, finding)
    assert FALLBACK not in line
    assert line.startswith(f"• {finding.rule}: ")
    text = line.removeprefix(f"• {finding.rule}: ")
    assert text[:1].isupper() and text.endswith("."), text
    assert "{" not in text and "}" not in text, text


def _ru(effect: Effect, variant: str = "") -> str:
    finding = next(f for f in FINDINGS if f.effect is effect and f.variant == variant)
    return _line(TEXTS, "ru", finding).removeprefix(f"• {finding.rule}: ")


def test_russian_lists_what_an_exclusion_takes_away() -> None:
    assert _ru(Effect.AUDIENCE_NOT_PROSPECTS) == (
        "Мероприятие для существующих клиентов или разработчиков: "
        "баллы, компенсация и инфоподдержка не положены."
    )
    assert _ru(Effect.PAID_EVENT) == "Участие для слушателей платное: компенсация не положена."
    assert _ru(Effect.COMPETITORS).endswith(": баллы и компенсация не положены.")


def test_russian_words_agree_with_the_numbers() -> None:
    assert _ru(Effect.NO_POINTS, "listeners") == "Баллов не будет: нужно от 10 слушателей, а их 5."
    assert "за 14 дней до мероприятия" in _ru(Effect.INFO_SUPPORT_TOO_LATE)
    assert "за 21 день до мероприятия" in _ru(Effect.PROMO_MATERIALS_TOO_LATE)
    assert "больше 2 компаний-непартнёров" in _ru(Effect.COMPENSATION_MAY_REDUCE_10PCT_PER_SPEAKER)
    assert "только в июне и декабре" in _ru(Effect.OUTSIDE_FEDERAL_PROGRAM_MONTHS)
    assert "в программу «Управление сайтом»" in _ru(Effect.PROGRAM_IGNORED)
    assert "не больше 40\u00a0000\u00a0₽" in _ru(Effect.COMPENSATION_CAPPED)


def test_user_text_in_params_is_escaped() -> None:
    reserved = _ru(Effect.RESERVED_TITLE)
    assert "«Федеральный семинар»" in reserved  # the rulebook's name, not the partner's title
    line = finding_line(TEXTS, "en", {
        "rule": "§2.2", "effect": "reserved_title", "text": FALLBACK,
        "params": {"removes": "points", "name": "<b>A & B</b>"},
    })
    assert "“&lt;b&gt;A &amp; B&lt;/b&gt;”: no points." in line


def _tiny_texts(tmp_path: Path, rules: str) -> Texts:
    for language in LANGUAGES:
        folder = tmp_path / language
        folder.mkdir()
        (folder / "assessment.toml").write_text('finding = "{{ rule }}: {{ text }}"\n')
        (folder / "rules.toml").write_text(rules, encoding="utf-8")
    return Texts(root=tmp_path)


def test_the_lookup_tries_variant_then_plain_then_default(tmp_path: Path) -> None:
    texts = _tiny_texts(tmp_path, (
        'plain = "plain {{ n }}"\n'
        '[tabled]\ndefault = "default {{ n }}"\nwide = "wide {{ n }}"\n'
    ))

    def line(effect: str, variant: str = "") -> str:
        data = {"rule": "§1", "effect": effect, "text": "english", "params": {"n": 7}}
        return finding_line(texts, "en", data | ({"variant": variant} if variant else {}))

    assert line("tabled", "wide") == "§1: wide 7"
    assert line("tabled") == "§1: default 7"
    assert line("tabled", "unknown") == "§1: default 7"
    assert line("plain") == "§1: plain 7"
    assert line("plain", "unknown") == "§1: plain 7"
    assert line("newer_than_our_texts") == "§1: english"
