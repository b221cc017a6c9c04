"""The report form (RULEBOOK §3): what each kind reports after the event.

The draft starts with `kind` (the rules' kind of the approved application) and `costs_agreed`
(whether compensation was asked for), which decide the questions.
"""

from __future__ import annotations

from bot.forms.application import kinds
from bot.forms.costs import CostItems
from bot.forms.engine import Form
from bot.forms.fields import Answers, Count, Text, Url
from bot.forms.media import Documents, PhotoChecklist

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


REPORT = Form(
    name="report",
    fields=(
        Count("registrations", minimum=0, maximum=1_000_000, suggestions=(),
              when=kinds(*SEMINARS, "webinar")),
        Count("listeners", minimum=0, maximum=10_000_000,
              when=kinds(*SEMINARS, "webinar", "external_talk", "exhibition")),
        Url("link", when=lambda a: str(a.get("kind")) not in ("promo_materials", "other")),
        Text("feedback", min_length=10, max_length=2000),
        CostItems("actual_costs", when=_costs_agreed),
        PhotoChecklist("photos", categories=photo_categories, labels="forms.report.photo",
                       when=lambda a: bool(photo_categories(a))),
        Documents("documents", when=_costs_agreed),
    ),
)
