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
from bot.forms.fields import (
    Answers,
    Button,
    Context,
    Count,
    Field,
    Money,
    Text,
    Url,
    format_rubles,
)
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


# Word stems in a photo's caption that name its category (checked in this order: «работа на
# стенде» is the work before it is the stand), and those that make it a scan.
CATEGORY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("registration", ("регистрац", "registration")),
    ("packs", ("пакет", "pack")),
    ("hall", ("зал", "hall")),
    ("decoration", ("оформлен", "decoration", "зона")),
    ("work", ("работ", "work")),
    ("stand", ("стенд", "stand")),
    ("talk", ("доклад", "выступлен", "talk")),
)
SCAN_WORDS = re.compile(r"\b(чек|скан|акт|сч[её]т|квитанц|receipt|scan|invoice|bill)", re.I)


def photo_categories(answers: Answers) -> tuple[str, ...]:
    return PHOTO_CATEGORIES.get(str(answers.get("kind")), ())


def named_category(caption: str) -> str | None:
    lowered = caption.casefold()
    return next((category for category, stems in CATEGORY_WORDS
                 if any(stem in lowered for stem in stems)), None)


def names_a_scan(caption: str) -> bool:
    return SCAN_WORDS.search(caption) is not None


def _costs_agreed(answers: Answers) -> bool:
    return bool(answers.get("costs_agreed"))


def _stand_costs(answers: Answers) -> bool:
    """An exhibition's compensable costs are its rent and fee, entered as such (RULEBOOK §7)."""
    return _costs_agreed(answers) and answers.get("kind") == "exhibition"


def _itemised_costs(answers: Answers) -> bool:
    return _costs_agreed(answers) and answers.get("kind") != "exhibition"


def _has_copartners(answers: Answers) -> bool:
    return bool(answers.get("copartners"))


def _planned_costs(answers: Answers) -> list[dict[str, Any]]:
    return list(answers.get("planned_costs") or [])


def _as_planned(answers: Answers) -> bool:
    return bool(answers.get("planned_costs")) and (
        answers.get("actual_costs") == answers.get("planned_costs"))


FEEDBACK = Text("feedback", min_length=10, max_length=2000)
TYPED_COSTS = CostItems("actual_costs")  # cost lines typed with the scans


@dataclass(frozen=True)
class LinkAndFeedback(Url):
    """The link, and in the same message the feedback if it follows: «romashka.ru/seminar —
    all went well». A link alone leaves the feedback to its own question."""

    feedback: Text = FEEDBACK

    def parse(self, text: str, answers: Answers, ctx: Context) -> Any:
        link, _ = _link_and_rest(text)
        return parsing.parse_url(link)

    def parse_ahead(self, text: str, answers: Answers, ctx: Context) -> dict[str, Any]:
        _, rest = _link_and_rest(text)
        if len(rest) < self.feedback.min_length:
            return {}
        return {self.feedback.key: self.feedback.parse(rest, answers, ctx)}

    def hint(self, answers: Answers, ctx: Context) -> str:
        return ctx.t("forms.report.link.with_feedback")


def _link_and_rest(text: str) -> tuple[str, str]:
    """The first word that reads as a link, and the text around it; the whole text (and
    nothing else) when no word does."""
    words = text.split()
    for index, word in enumerate(words):
        candidate = word.rstrip(".,;:!?)»")
        try:
            parsing.parse_url(candidate)
        except Invalid:
            continue
        rest = " ".join([*words[:index], word[len(candidate):], *words[index + 1:]])
        return candidate, rest.strip(" —–-:,;.\n\t")
    return text, ""


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
    """The actual costs: the application's estimate unless the partner types others (with the
    scans, or from the summary); asked only when the application had none."""

    def asked(self, answers: Answers) -> bool:
        return not answers.get("planned_costs")

    def show_answer(self, answers: Answers, ctx: Context) -> str:
        value = answers[self.key]
        if _as_planned(answers):
            total = sum(int(item["amount"]) for item in value)
            return ctx.t("forms.report.actual_costs.same", total=format_rubles(total))
        return self.show(value, ctx)

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


@dataclass(frozen=True)
class Scans(Documents):
    """The accounting documents: the first scan completes them. The planned costs are shown;
    cost lines typed here are the actual ones."""

    first_completes: bool = True
    costs: CostItems = TYPED_COSTS

    def aside(self, text: str, answers: Answers, ctx: Context) -> dict[str, Any] | None:
        if not _itemised_costs(answers):
            raise Invalid("documents_missing")
        return {self.costs.key: self.costs.parse(text, answers, ctx)}

    @property
    def accepts_text(self) -> bool:
        return True

    def hint(self, answers: Answers, ctx: Context) -> str:
        parts = []
        if _itemised_costs(answers) and answers.get("planned_costs"):
            shown = ", ".join(f"{item['name']} — {format_rubles(int(item['amount']))}"
                              for item in (answers.get(self.costs.key) or []))
            parts.append(ctx.t("forms.report.documents.planned" if _as_planned(answers)
                               else "forms.report.documents.typed", lines=shown))
        if self.pending(answers):
            parts.append(super().hint(answers, ctx))
        return "\n\n".join(parts)


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
PHOTOS = PhotoChecklist("photos", categories=photo_categories, labels="forms.report.photo",
                        named=named_category, is_scan=names_a_scan, overflow="documents",
                        when=lambda a: bool(photo_categories(a)))
REPORT = Form(
    name="report",
    fields=(
        Registrations("registrations", minimum=0, maximum=1_000_000, suggestions=(),
                      when=kinds(*SEMINARS, "webinar")),
        Count("listeners", minimum=0, maximum=LISTENERS_MAX,
              when=kinds(*SEMINARS, "webinar", "external_talk", "exhibition")),
        LinkAndFeedback("link", feedback=FEEDBACK,
                        when=lambda a: str(a.get("kind")) not in ("promo_materials", "other")),
        # RULEBOOK §7: an article's report is its link and reach
        Count("reach", minimum=0, maximum=100_000_000, suggestions=(), when=kinds("article")),
        FEEDBACK,
        # Partnership results (seed 001), asked when the event had co-partners.
        Brought("brought", optional=True, when=_has_copartners),
        Score("satisfaction", optional=True, when=_has_copartners),
        Count("contacts_made", minimum=0, maximum=100_000, suggestions=(5, 10, 20),
              optional=True, when=_has_copartners),
        Text("joint_plans", min_length=3, max_length=1000, optional=True, when=_has_copartners),
        ActualCosts("actual_costs", when=_itemised_costs, default=_planned_costs),
        Money("actual_stand_rent", when=_stand_costs),
        Money("actual_registration_fee", optional=True, when=_stand_costs),
        PHOTOS,
        Scans("documents", when=_costs_agreed),
    ),
)
