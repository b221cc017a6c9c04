"""Rendering shared by partners' and managers' views: answers, assessments, statuses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from markupsafe import Markup

from bot.forms.engine import Form
from bot.forms.fields import format_rubles
from bot.handlers.forms import language_context
from bot.i18n import Texts
from bot.runtime import Runtime

TEXT_LIMIT = 4096  # Telegram's limit for a message's text
# Characters of one answer in a summary or card: shortened step by step until the text fits.
VALUE_LIMITS = (400, 200, 100, 50)


def fitted(build: Callable[[int], str]) -> str:
    """The fullest version of a message that Telegram takes; `build` gets the answer limit."""
    for limit in VALUE_LIMITS:
        text = build(limit)
        if len(text) <= TEXT_LIMIT:
            break
    return text


def answer_lines(rt: Runtime, language: str, form: Form, texts: str,
                 answers: dict[str, Any], max_value: int = VALUE_LIMITS[0]) -> list[str]:
    ctx = language_context(rt, language)
    t = ctx.t
    lines = []
    for question in form.active(answers):
        if question.key not in answers or not question.in_summary:
            continue
        value = answers[question.key]
        empty = value is None or value == []
        if empty and question.default is not None:
            continue  # filled in without asking, and it says nothing
        shown = "—" if empty else question.show_answer(answers, ctx)
        if len(shown) > max_value:
            shown = shown[: max_value - 1] + "…"
        label = t(f"{texts}.{question.key}.label")
        lines.append(t("forms.common.answer_line", label=label, value=shown))
    return lines


def _range(low: int, high: int, unit: str = "") -> str:
    return f"{low}{unit}" if low == high else f"{low}–{high}{unit}"


def assessment_lines(rt: Runtime, language: str, assessment: dict[str, Any],
                     planned_listeners: int | None = None) -> list[str]:
    """Points, compensation and program, then each finding with its rulebook section."""
    t = rt.speaker(language)
    points = assessment.get("points")
    compensation = assessment.get("compensation")
    points_text = (t("assessment.set_by_manager") if points is None
                   else _range(points["min"], points["max"]))
    if compensation is None:
        money_text = t("assessment.agreed_individually")
    else:
        low, high = (round(compensation[k] * 100) for k in ("min", "max"))
        money_text = (format_rubles(low) if low == high
                      else f"{format_rubles(low)} – {format_rubles(high)}")
        if high:  # RULEBOOK §7: a forecast on the agreed costs, or the documented actual ones
            money_text += " " + t(f"assessment.basis.{assessment.get('basis', 'forecast')}")
    program = assessment.get("program")
    lines = [t("assessment.if_listeners", count=planned_listeners)] if (
        planned_listeners
    ) else []
    lines += [
        t("assessment.points", value=points_text),
        t("assessment.compensation", value=money_text),
    ]
    if program:
        lines.append(t("assessment.program",
                             value=t(f"forms.apply.program.{program}")))
    findings = assessment.get("findings") or []
    if findings:
        lines.append(t("assessment.findings"))
        lines.extend(finding_line(rt.texts, language, f) for f in findings)
    return lines


def finding_line(texts: Texts, language: str, finding: dict[str, Any]) -> str:
    """A finding in the user's words: `rules.<effect>.<variant>`, else `rules.<effect>` (an
    effect without variants), else `rules.<effect>.default` (the plain text of an effect with
    variants); a rulebook newer than our texts keeps its own English sentence."""
    base = f"rules.{finding['effect']}"
    known = texts.keys(language)
    variant = finding.get("variant")
    candidates = [f"{base}.{variant}"] if variant else []
    key = next((k for k in [*candidates, base, f"{base}.default"] if k in known), None)
    params = dict(finding.get("params") or {})
    # Our text is already escaped HTML (Markup: not escaped twice); the English sentence is not.
    text = Markup(texts.render(language, key, **params)) if key else str(finding["text"])
    return texts.render(language, "assessment.finding", rule=finding["rule"], text=text)


def short_date(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d.%m.%Y")
