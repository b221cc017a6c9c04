"""Rendering shared by partners' and managers' views: answers, assessments, statuses."""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import User

from bot.forms.engine import Form
from bot.forms.fields import format_rubles
from bot.handlers.forms import context_for
from bot.runtime import Runtime

MAX_VALUE = 400  # characters of one answer in a summary, so a card stays within 4096


def answer_lines(rt: Runtime, user: User | None, form: Form, texts: str,
                 answers: dict[str, Any]) -> list[str]:
    ctx = context_for(rt, user)
    lines = []
    for question in form.active(answers):
        if question.key not in answers:
            continue
        value = answers[question.key]
        shown = "—" if value is None or value == [] else question.show(value, ctx)
        if len(shown) > MAX_VALUE:
            shown = shown[: MAX_VALUE - 1] + "…"
        label = rt.text(user, f"{texts}.{question.key}.label")
        lines.append(rt.text(user, "forms.common.answer_line", label=label, value=shown))
    return lines


def _range(low: int, high: int, unit: str = "") -> str:
    return f"{low}{unit}" if low == high else f"{low}–{high}{unit}"


def assessment_lines(rt: Runtime, user: User | None, assessment: dict[str, Any],
                     planned_listeners: int | None = None) -> list[str]:
    """Points, compensation and program, then each finding with its rulebook section."""
    points = assessment.get("points")
    compensation = assessment.get("compensation")
    if points is None:
        points_text = rt.text(user, "assessment.set_by_manager")
    else:
        points_text = _range(points["min"], points["max"])
    if compensation is None:
        money_text = rt.text(user, "assessment.agreed_individually")
    else:
        low, high = (round(compensation[k] * 100) for k in ("min", "max"))
        money_text = (format_rubles(low) if low == high
                      else f"{format_rubles(low)} – {format_rubles(high)}")
    program = assessment.get("program")
    lines = [rt.text(user, "assessment.if_listeners", count=planned_listeners)] if (
        planned_listeners
    ) else []
    lines += [
        rt.text(user, "assessment.points", value=points_text),
        rt.text(user, "assessment.compensation", value=money_text),
    ]
    if program:
        lines.append(rt.text(user, "assessment.program",
                             value=rt.text(user, f"forms.apply.program.{program}")))
    findings = assessment.get("findings") or []
    if findings:
        lines.append(rt.text(user, "assessment.findings"))
        lines.extend(finding_line(rt, user, f) for f in findings)
    return lines


def finding_line(rt: Runtime, user: User | None, finding: dict[str, Any]) -> str:
    key = f"rules.{finding['effect']}"
    if finding.get("variant") and f"{key}.{finding['variant']}" in rt.texts.keys(
        rt.language(user)
    ):
        key = f"{key}.{finding['variant']}"
    params = dict(finding.get("params") or {})
    if key in rt.texts.keys(rt.language(user)):
        text = rt.text(user, key, **params)
    else:
        text = str(finding["text"])  # a rulebook newer than our texts: its own English sentence
    return rt.text(user, "assessment.finding", rule=finding["rule"], text=text)


def short_date(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d.%m.%Y")
