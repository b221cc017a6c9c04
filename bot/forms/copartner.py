"""Co-partners of an event (RULEBOOK §6, seeds 000 and 001): the form that adds one, the package
agreed with it as promises with due days, and the proof that ticks a promise.

Texts: `forms.copartner.<key>.*`, `forms.promise_proof.<key>.*`, package items under
`copartners.item.<item>`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.forms import parsing
from bot.forms.engine import Form
from bot.forms.fields import Answers, Button, Choice, Context, Count, Money, Text
from bot.forms.media import Kept, MediaField
from bot.forms.parsing import Invalid
from bot.forms.request_fields import Toggles

KINDS = ("media", "organisational", "sponsor", "content")
# What the co-partner gets: the partner owes it these (seed 000: logo placement, a photo and
# video report, extra mentions, first access to exclusive news; seed 002: the listener pack).
GIVES = ("logo_site", "logo_social", "logo_press_wall", "logo_print", "photo_report",
         "mentions", "exclusive_news", "listener_pack")
# What the co-partner owes: a media partner an announcement and a post-material; a sponsor money
# or resources; a content partner a speaker.
OWES = ("announcement", "post_material", "money", "resources", "speaker")
OWES_BY_KIND = {
    "media": ("announcement", "post_material"),
    "sponsor": ("money", "resources", "announcement"),
    "organisational": ("resources", "announcement", "post_material"),
    "content": ("speaker", "announcement", "post_material"),
}
# Pre-ticked when the kind is chosen: one tap on «Done» agrees the usual package.
USUAL_GIVES = {
    "media": ("logo_site", "logo_social", "photo_report", "mentions"),
    "sponsor": ("logo_site", "logo_press_wall", "mentions"),
    "organisational": ("logo_site",),
    "content": ("logo_site", "mentions"),
}
USUAL_OWES = {
    "media": ("announcement", "post_material"),
    "sponsor": ("money",),
    "organisational": ("resources",),
    "content": ("speaker",),
}
# When each promise is due, in days from the event (negative: before it). Logos must be on the
# announcements, so a week ahead; the photo report three days after; the post-material a week.
DUE_DAYS = {
    "logo_site": -7, "logo_social": -7, "logo_press_wall": -2, "logo_print": -7,
    "photo_report": 3, "mentions": 0, "exclusive_news": -3, "listener_pack": -1,
    "announcement": -7, "post_material": 7, "money": -14, "resources": -3, "speaker": -7,
}


@dataclass(frozen=True, slots=True)
class Promise:
    item: str
    owed_by: str  # 'us': the partner owes it; 'them': the co-partner does
    due_on: date


def promised(answers: Answers, event_date: date, today: date) -> list[Promise]:
    """The package as promises. One already late when agreed is due today."""
    def due(item: str) -> date:
        return max(today, event_date + timedelta(days=DUE_DAYS[item]))

    return [*(Promise(item, "us", due(item)) for item in answers.get("gives") or ()),
            *(Promise(item, "them", due(item)) for item in answers.get("owes") or ())]


def _kind(*kinds: str) -> Any:
    return lambda answers: answers.get("kind") in kinds


@dataclass(frozen=True)
class Owes(Toggles):
    """What the co-partner owes: only what its kind can give is offered."""

    def buttons(self, answers: Answers, ctx: Context) -> Sequence[Button]:
        offered = OWES_BY_KIND.get(str(answers.get("kind")), self.options)
        return [b for b in super().buttons(answers, ctx) if b.value not in self.options
                or b.value in offered]


COPARTNER = Form(
    name="copartner",
    fields=(
        Text("name", min_length=2, max_length=100),
        Choice("kind", options=KINDS, labels="forms.copartner.kind"),
        Choice("media_status", options=("general", "official"),
               labels="forms.copartner.media_status", when=_kind("media")),
        Text("audience", min_length=3, max_length=300, when=_kind("media")),
        Count("reach", minimum=1, maximum=100_000_000, suggestions=(1_000, 10_000, 100_000),
              when=_kind("media")),
        Text("contact", min_length=3, max_length=200),
        Toggles("gives", options=GIVES, labels="copartners.item", optional=True),
        Owes("owes", options=OWES, labels="copartners.item", optional=True),
        Money("amount", optional=True, when=lambda a: "money" in (a.get("owes") or ())),
    ),
)


def preselect_package(answers: dict[str, Any]) -> None:
    """After the kind is chosen: the usual package ticked, unless one was ticked already."""
    kind = str(answers.get("kind"))
    for key, usual in (("gives", USUAL_GIVES), ("owes", USUAL_OWES)):
        if key not in answers:
            answers[f"{key}.pending"] = list(usual.get(kind, ()))


@dataclass(frozen=True)
class Proof(MediaField):
    """A link typed (answers at once), or a photo or screenshot and then «Done»."""

    def pending(self, answers: Answers) -> list[int]:
        return list(answers.get(f"{self.key}.pending") or [])

    def take(self, answers: Answers, kept: Kept) -> Any:
        return [kept.file_id]  # a later photo replaces the first

    def parse(self, text: str, answers: Answers, ctx: Context) -> Any:
        return {"url": parsing.parse_url(text)}

    def finish(self, answers: Answers) -> Any:
        files = self.pending(answers)
        if not files:
            raise Invalid("proof_missing")
        return {"file": files[0]}

    def hint(self, answers: Answers, ctx: Context) -> str | None:
        files = self.pending(answers)
        return ctx.t("forms.media.received", count=len(files)) if files else None

    def show(self, value: Any, ctx: Context) -> str:
        return str(value.get("url") or ctx.t("forms.media.documents", count=1))


# The draft starts with `promise_id`, which is not a question.
PROMISE_PROOF = Form(name="promise_proof", fields=(Proof("proof"),))
