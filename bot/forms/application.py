"""The application form (RULEBOOK §2): one definition for every kind, each field saying
which kinds ask it. Texts: `forms.apply.<key>.prompt` (or `.prompt_<kind>`), options
`forms.apply.<key>.<option>`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.forms.costs import CostItems
from bot.forms.engine import FILLED, PREVIOUS, Form, mark_filled
from bot.forms.fields import (
    Agenda,
    Answers,
    Button,
    Choice,
    Context,
    Count,
    Field,
    FutureDate,
    Money,
    MultiChoice,
    PickItems,
    Text,
    Url,
    YesNo,
)
from bot.forms.parsing import Invalid

KINDS = (
    "seminar", "webinar", "business_breakfast", "external_talk", "exhibition", "article",
    "promo_materials", "special", "other",
)
SPECIAL_PROGRAMS = ("formula", "federal_program")
EVENTS = ("seminar", "webinar", "business_breakfast")  # the seminar family
SPECIAL = ("formula", "federal_program")


def kind_of(answers: Answers) -> str:
    """The rules' kind: a special program stands for itself."""
    kind = str(answers.get("kind", ""))
    return str(answers.get("special_program", "")) if kind == "special" else kind


def kinds(*names: str) -> Callable[[Answers], bool]:
    wanted = frozenset(names)
    return lambda answers: kind_of(answers) in wanted


def _mixed(answers: Answers) -> bool:
    return kinds(*EVENTS, "external_talk")(answers) and answers.get("topic") == "mixed"


def _has_agenda(answers: Answers) -> bool:
    return bool(answers.get("agenda"))


VENDOR_PRODUCT_WORDS = ("битрикс", "bitrix", "1с-битрикс", "1c-bitrix")


def vendor_talks_named(answers: Answers) -> list[int]:
    """Talks that name a vendor product count as vendor-product talks (§2.2); editable."""
    return [
        index for index, talk in enumerate(answers.get("agenda", []))
        if any(word in str(talk["title"]).lower() for word in VENDOR_PRODUCT_WORDS)
    ]


# The products each topic is about, as a title names them (RULEBOOK §2.1); «ТОП» names no
# product and a mixed topic several, so those are always asked.
TOPIC_WORDS = {
    "bitrix24": ("битрикс24", "битрикс 24", "bitrix24", "bitrix 24"),
    "site_management": ("управление сайтом", "интернет-магазин", "site management",
                        "online store"),
    "marketplace": ("маркетплейс", "marketplace"),
}


def topic_named(answers: Answers) -> str | None:
    """The topic a title names, when it names exactly one topic's products; else None (asked)."""
    title = str(answers.get("title", "")).lower()
    named = [topic for topic, words in TOPIC_WORDS.items() if any(w in title for w in words)]
    return named[0] if len(named) == 1 else None


def _wants_promo(answers: Answers) -> bool:
    return answers.get("support") in ("both", "promo")


@dataclass(frozen=True)
class SupportChoice(Choice):
    """Info support and promo materials in one question; only what the lead time still allows.

    The lead times come from the rulebook through `ctx` (`support_days`): a late application is
    not refused (⚖), the partner goes on without what is no longer possible.
    """

    options: tuple[str, ...] = ("both", "info", "promo", "none")
    labels: str = "forms.apply.support"

    def possible(self, answers: Answers, ctx: Context) -> list[str]:
        days = (date.fromisoformat(answers["event_date"]) - ctx.today).days
        info = days >= ctx.support_days["info"]
        promo = days >= ctx.support_days["promo"] and kind_of(answers) != "webinar"
        allowed = ["none"]
        if info:
            allowed.insert(0, "info")
        if promo:
            allowed.insert(0, "promo")
        if info and promo:
            allowed.insert(0, "both")
        return [o for o in self.options if o in allowed]

    def buttons(self, answers: Answers, ctx: Context) -> Sequence[Button]:
        return [Button(f"{self.labels}.{o}", o) for o in self.possible(answers, ctx)]

    def still_valid(self, value: Any, answers: Answers, ctx: Context) -> bool:
        return "event_date" in answers and value in self.possible(answers, ctx)

    def pick(self, value: str, answers: Answers, ctx: Context) -> Any:
        if value not in self.possible(answers, ctx):
            raise Invalid("support_too_late")
        return value

    def show(self, value: Any, ctx: Context) -> str:
        if value == TOO_LATE:
            return ctx.t(f"{self.labels}.too_late", days=ctx.support_days["info"])
        return super().show(value, ctx)


TOO_LATE = "too_late"  # the support answer of an event too near for any support: never asked
SUPPORT = SupportChoice("support", when=lambda a: kinds(*EVENTS, *SPECIAL)(a) and not (
    a.get("support") == TOO_LATE and not a.get("support_too_late")))


@dataclass(frozen=True)
class EventDate(FutureDate):
    """The event's date also answers the support question when it is too late for any: a
    question whose only choice is «Не нужна» is not asked (a later date asks it again)."""

    def parse_ahead(self, text: str, answers: Answers, ctx: Context) -> dict[str, Any]:
        place = super().parse_ahead(text, answers, ctx)
        dated = {**answers, "event_date": self.parse(text, answers, ctx)}
        too_late = SUPPORT.applies(dated) and SUPPORT.possible(dated, ctx) == ["none"]
        return {**place, "support_too_late": too_late,
                **({"support": TOO_LATE} if too_late else {})}


CONDITIONS = ("vendor_speaker", "third_party_companies", "other_products_in_program", "paid_event")
CHANNELS = ("site", "mailing", "social", "calls", "media_partners", "ads")
TOPICS = ("site_management", "bitrix24", "top", "marketplace", "mixed")
# What a company answers the same way every time: offered again from its previous application.
REMEMBERED = ("place", "audience", "planned_listeners", "channels", "costs", "support",
              "promo_items")
# A repeat copies everything but these: the date is new, the rest the rules derive anew.
NOT_REPEATED = ("event_date",)

PLACE = Text("place", when=kinds("seminar", "business_breakfast", "external_talk", "exhibition",
                                 *SPECIAL), max_length=200)


@dataclass(frozen=True)
class SameAsBefore(Choice):
    """«As last time?»: the company's previous answers, listed, taken all at once or asked
    again one by one (each offering the previous answer as a button)."""

    options: tuple[str, ...] = ("same", "anew")
    labels: str = "forms.apply.same_as_before"

    def hint(self, answers: Answers, ctx: Context) -> str | None:
        lines = [ctx.t("forms.common.answer_line", label=ctx.t(f"forms.apply.{f.key}.label"),
                       value=f.show(value, ctx)[:200])
                 for f, value in takeable(answers, ctx)]
        return "\n".join(lines)


TAKEN = "previous.taken"  # what «all as last time» copied in


def takeable(answers: Answers, ctx: Context) -> list[tuple[Field, Any]]:
    """The previous answers that «all as last time» takes: those still asked, not answered
    yet, and still allowed (a support choice the lead time now rules out is asked anew)."""
    previous = answers.get(PREVIOUS, {})
    taken = set(answers.get(TAKEN, ()))
    return [(f, previous[f.key]) for f in APPLICATION.active({**previous, **answers})
            if f.key in previous and (f.key not in answers or f.key in taken)
            and f.still_valid(previous[f.key], answers, ctx)]


def take_previous(answers: dict[str, Any], ctx: Context) -> None:
    """«All as last time»: the previous answers still allowed become this application's."""
    taken = {question.key: value for question, value in takeable(answers, ctx)}
    answers.update(taken)
    answers[TAKEN] = sorted(taken)
    mark_filled(answers, list(taken))


def give_back_previous(answers: dict[str, Any]) -> None:
    """«Answer anew» after going back from «all as last time»: what it took is asked again."""
    for key in answers.pop(TAKEN, []):
        answers.pop(key, None)


def drop_outdated(answers: dict[str, Any], ctx: Context) -> None:
    """Copied answers the rules or the calendar no longer allow (a support choice the lead
    time now rules out, once the date is known) are asked anew."""
    previous = answers.get(PREVIOUS, {})
    for question in APPLICATION.active(answers):
        key = question.key
        if key in answers.get(FILLED, ()) and key in previous and key in answers \
                and not question.still_valid(answers[key], answers, ctx):
            del answers[key]


APPLICATION = Form(
    name="apply",
    countable=lambda answers: bool(kind_of(answers)),
    fields=(
        Choice("kind", options=KINDS, labels="forms.apply.kind"),
        Choice("special_program", options=SPECIAL_PROGRAMS, labels="forms.apply.special_program",
               when=lambda a: a.get("kind") == "special"),
        Text("event_name", when=kinds("external_talk", "exhibition"), max_length=200),
        EventDate("event_date", place=PLACE),
        SameAsBefore("same_as_before", when=lambda a: bool(a.get(PREVIOUS)),
                     in_summary=False, columns=1),
        PLACE,
        Text("outlet", when=kinds("article"), max_length=200),
        Url("site", when=kinds("external_talk", "exhibition", "article")),
        Text("title", when=lambda a: kind_of(a) not in ("exhibition", ""), max_length=200),
        Choice("topic", options=TOPICS, labels="forms.apply.topic", default=topic_named,
               when=kinds(*EVENTS, "external_talk", "article")),
        Choice("program", options=("site_management", "bitrix24"), labels="forms.apply.program",
               when=_mixed),
        Choice("audience", options=("prospects", "existing_clients", "developers"),
               labels="forms.apply.audience", when=kinds(*EVENTS), columns=1),
        Text("about", when=kinds("external_talk", "exhibition", "other"), max_length=1000),
        Agenda("agenda", when=kinds(*EVENTS, *SPECIAL)),
        PickItems("vendor_talks", source="agenda", optional=True, default=vendor_talks_named,
                  when=lambda a: kinds(*EVENTS, *SPECIAL)(a) and _has_agenda(a)),
        # §1 notes, RULEBOOK §7: other CMS/portal vendors in the program mean no points and
        # no compensation, so the form asks outright.
        YesNo("competitors", when=kinds(*EVENTS)),
        MultiChoice("conditions", options=CONDITIONS, labels="forms.apply.conditions",
                    optional=True, default=lambda a: [], when=kinds(*EVENTS)),
        Count("planned_listeners", minimum=1, maximum=100_000,
              suggestions=(10, 20, 30, 50, 100), when=kinds(*EVENTS, *SPECIAL)),
        Count("expected_audience", minimum=1, maximum=10_000_000,
              suggestions=(50, 100, 300, 1000), when=kinds("external_talk", "exhibition")),
        MultiChoice("channels", options=CHANNELS, labels="forms.apply.channels",
                    when=kinds(*EVENTS)),
        Text("stand", when=kinds("exhibition"), max_length=1000),
        Money("stand_rent", when=kinds("exhibition")),
        Money("registration_fee", when=kinds("exhibition"), optional=True),
        Count("other_vendors_on_stand", minimum=0, maximum=50, suggestions=(0, 1, 2, 3),
              when=kinds("exhibition")),
        YesNo("competing_products_on_stand", when=kinds("exhibition")),
        Count("article_length", minimum=100, maximum=1_000_000,
              suggestions=(3000, 5000, 8000), when=kinds("article")),
        Count("reach", minimum=1, maximum=100_000_000, when=kinds("article")),
        YesNo("original", when=kinds("article")),
        Text("promo_event", when=kinds("promo_materials"), max_length=300),
        # Only where the rulebook may compensate costs (webinars and breakfasts never are); an
        # exhibition's compensable costs are its rent and fee above (RULEBOOK §7).
        CostItems("costs", optional=True,
                  when=kinds("seminar", "external_talk", "other", *SPECIAL)),
        SUPPORT,
        Text("promo_items", max_length=1000,
             when=lambda a: kinds("promo_materials")(a) or _wants_promo(a)),
        Money("printing_costs", when=kinds("promo_materials")),
    ),
)
