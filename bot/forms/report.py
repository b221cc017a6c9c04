"""The report form (RULEBOOK §3): what each kind reports after the event.

The draft starts with `kind` (the rules' kind of the approved application), `costs_agreed`
(whether compensation was asked for) and `copartners` (the event's co-partners, id and name, if
it has any), which decide the questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.forms import parsing
from bot.forms.application import kinds
from bot.forms.costs import CostItems
from bot.forms.engine import Form
from bot.forms.fields import Answers, Button, Context, Count, Field, Money, Text, Url
from bot.forms.media import Documents, PhotoChecklist
from bot.forms.parsing import Invalid

SEMINARS = ("seminar", "business_breakfast", "formula", "federal_program")
PHOTO_CATEGORIES: dict[str, tuple[str, ...]] = {
    # §3: registration, handing out listener packs, the hall at its fullest, registration area
    # and hall decoration; an exhibition: the stand and the work on it; a talk: the talk.
    **{kind: ("registration", "packs", "hall", "decoration") for kind in SEMINARS},
    "exhibition": ("stand", "work"),
    "external_talk": ("talk",),
}


def photo_categories(answers: Answers) -> tuple[str, ...]:
    return PHOTO_CATEGORIES.get(str(answers.get("kind")), ())


def _costs_agreed(answers: Answers) -> bool:
    return bool(answers.get("costs_agreed"))


def _stand_costs(answers: Answers) -> bool:
    """An exhibition's compensable costs are its rent and fee, entered as such (RULEBOOK §7)."""
    return _costs_agreed(answers) and answers.get("kind") == "exhibition"


def _itemised_costs(answers: Answers) -> bool:
    return _costs_agreed(answers) and answers.get("kind") != "exhibition"


def _has_copartners(answers: Answers) -> bool:
    return bool(answers.get("copartners"))


@dataclass(frozen=True)
class Brought(Field):
    """Participants each co-partner brought (registrations by its promo code or link count too):
    one number per co-partner, in the order listed — on one line or a line each."""

    def parse(self, text: str, answers: Answers, ctx: Context) -> Any:
        listed = answers.get("copartners") or []
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) > 1:  # «Habr — 12» a line: the last number of each
            tokens = [(re.findall(r"\d[\d\u00a0 ]*", line) or [""])[-1] for line in lines]
        else:
            tokens = [t for t in re.split(r"[,;\s]+", text.strip()) if t]
        if len(tokens) != len(listed):
            raise Invalid("brought_count", {"count": len(listed)})
        return [{**c, "brought": parsing.parse_count(t, 0, 1_000_000)}
                for c, t in zip(listed, tokens, strict=True)]

    def buttons(self, answers: Answers, ctx: Context) -> list[Button]:
        count = len(answers.get("copartners") or [])
        return [Button(" ".join("0" * count), "=zero", literal=True)] if count else []

    def pick(self, value: str, answers: Answers, ctx: Context) -> Any:
        if value != "=zero":
            raise Invalid("use_buttons")
        return [{**c, "brought": 0} for c in answers.get("copartners") or []]

    def hint(self, answers: Answers, ctx: Context) -> str:
        return "\n".join(f"{n}. {c['name']}"
                         for n, c in enumerate(answers.get("copartners") or [], start=1))

    def show(self, value: Any, ctx: Context) -> str:
        return "; ".join(f"{c['name']} — {c['brought']}" for c in value)


@dataclass(frozen=True)
class Score(Field):
    """An average score from the listener questionnaires, 1 to 5 (one decimal)."""

    def buttons(self, answers: Answers, ctx: Context) -> list[Button]:
        return [Button(v, v, literal=True) for v in ("5", "4.5", "4", "3.5", "3")]

    def pick(self, value: str, answers: Answers, ctx: Context) -> Any:
        return self.parse(value, answers, ctx)

    def parse(self, text: str, answers: Answers, ctx: Context) -> Any:
        value = parsing.parse_number(text)
        if not 1 <= value <= 5:
            raise Invalid("number_range", {"min": 1, "max": 5})
        return round(value, 1)


@dataclass(frozen=True)
class ActualCosts(CostItems):
    """The actual costs: typed line by line, or the application's estimate with one tap."""

    def buttons(self, answers: Answers, ctx: Context) -> list[Any]:
        return [Button("forms.report.actual_costs.as_planned", "=planned")] if (
            answers.get("planned_costs")) else []

    def pick(self, value: str, answers: Answers, ctx: Context) -> Any:
        if value != "=planned" or not answers.get("planned_costs"):
            raise Invalid("use_buttons")
        return list(answers["planned_costs"])

    def hint(self, answers: Answers, ctx: Context) -> str | None:
        planned = answers.get("planned_costs")
        return ctx.t("forms.report.actual_costs.planned", lines=self.show(planned, ctx)) if (
            planned) else None


# «50 / 42», «50; 42», two lines, or «50 42» (not «1 000»: a space before three digits groups them)
TWO_NUMBERS = re.compile(r"\s*(\d+)\s*[/;,\n]\s*(\d+)\s*|\s*(\d+)\s+(\d{1,2}|\d{4,})\s*")


@dataclass(frozen=True)
class Registrations(Count):
    """Registrations, or registrations and listeners at once: «50 / 42»."""

    def parse(self, text: str, answers: Answers, ctx: Context) -> Any:
        pair = _two_numbers(text)
        return super().parse(pair[0] if pair else text, answers, ctx)

    def parse_ahead(self, text: str, answers: Answers, ctx: Context) -> dict[str, Any]:
        pair = _two_numbers(text)
        return {"listeners": parsing.parse_count(pair[1], 0, LISTENERS_MAX)} if pair else {}


def _two_numbers(text: str) -> tuple[str, str] | None:
    found = TWO_NUMBERS.fullmatch(text)
    if found is None:
        return None
    first, second = (found.group(1), found.group(2)) if found.group(1) else (found.group(3),
                                                                              found.group(4))
    return first, second


LISTENERS_MAX = 10_000_000
REPORT = Form(
    name="report",
    fields=(
        Registrations("registrations", minimum=0, maximum=1_000_000, suggestions=(),
                      when=kinds(*SEMINARS, "webinar")),
        Count("listeners", minimum=0, maximum=LISTENERS_MAX,
              when=kinds(*SEMINARS, "webinar", "external_talk", "exhibition")),
        Url("link", when=lambda a: str(a.get("kind")) not in ("promo_materials", "other")),
        # RULEBOOK §7: an article's report is its link and reach
        Count("reach", minimum=0, maximum=100_000_000, suggestions=(), when=kinds("article")),
        Text("feedback", min_length=10, max_length=2000),
        # Partnership results (seed 001), asked when the event had co-partners.
        Brought("brought", optional=True, when=_has_copartners),
        Score("satisfaction", optional=True, when=_has_copartners),
        Count("contacts_made", minimum=0, maximum=100_000, suggestions=(5, 10, 20),
              optional=True, when=_has_copartners),
        Text("joint_plans", min_length=3, max_length=1000, optional=True, when=_has_copartners),
        ActualCosts("actual_costs", when=_itemised_costs),
        Money("actual_stand_rent", when=_stand_costs),
        Money("actual_registration_fee", optional=True, when=_stand_costs),
        PhotoChecklist("photos", categories=photo_categories, labels="forms.report.photo",
                       when=lambda a: bool(photo_categories(a))),
        Documents("documents", when=_costs_agreed),
    ),
)
