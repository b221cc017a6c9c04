"""Info support and promo materials for an approved event (RULEBOOK §2; seed §2.2.5, §7).

Both drafts start with `application_id` and `event_date` (the event's), which are not questions.
Texts: `forms.info_support.<key>.*`, `forms.promo_materials.<key>.*`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.forms.engine import Form
from bot.forms.fields import Answers, Button, Choice, Context, Count, Money, Text, Url
from bot.forms.parsing import Invalid
from bot.forms.request_fields import Checklist, OneFile, Toggles

IMAGES = ("image/jpeg", "image/png", "image/gif")  # the banner: JPG, GIF or PNG (§2.2.5)
# What the event's page must show (§2.2.5): the partner confirms each item.
PAGE_ITEMS = ("date", "venue", "description", "audience", "program", "registration", "contacts")

INFO_SUPPORT = Form(
    name="info_support",
    fields=(
        Text("announcement", min_length=50, max_length=3000),
        OneFile("banner", missing_reason="request.banner_missing", accepts=IMAGES),
        Url("page"),
        Checklist("page_checklist", options=PAGE_ITEMS,
                  labels="forms.info_support.page_checklist"),
    ),
)

# §7: what the vendor sends; the floor banner is not posted (picked up in Moscow).
ITEMS = ("leaflets", "pens", "bags", "wall_flag", "floor_banner")
PICKED_UP = ("floor_banner",)


def days_left(answers: Answers, today: date) -> int:
    return (date.fromisoformat(str(answers["event_date"])) - today).days


def vendor_may_send(answers: Answers, ctx: Context) -> bool:
    return days_left(answers, ctx.today) >= ctx.support_days["promo"]


@dataclass(frozen=True)
class Delivery(Choice):
    """Sent by the vendor (only while the lead time allows it) or printed by the partner."""

    options: tuple[str, ...] = ("vendor", "self_print")
    labels: str = "forms.promo_materials.way"
    columns: int = 1

    def possible(self, answers: Answers, ctx: Context) -> list[str]:
        return [o for o in self.options if o != "vendor" or vendor_may_send(answers, ctx)]

    def buttons(self, answers: Answers, ctx: Context) -> Sequence[Button]:
        return [Button(f"{self.labels}.{o}", o) for o in self.possible(answers, ctx)]

    def pick(self, value: str, answers: Answers, ctx: Context) -> Any:
        if value not in self.possible(answers, ctx):
            raise Invalid("support_too_late")
        return value


def _way(way: str) -> Callable[[Answers], bool]:
    return lambda answers: answers.get("way") == way


def _item(item: str) -> Callable[[Answers], bool]:
    return lambda answers: answers.get("way") == "vendor" and item in (answers.get("items") or ())


def _posted(answers: Answers) -> bool:
    chosen = answers.get("items") or ()
    return answers.get("way") == "vendor" and any(i not in PICKED_UP for i in chosen)


PROMO_MATERIALS = Form(
    name="promo_materials",
    fields=(
        Delivery("way"),
        Toggles("items", options=ITEMS, labels="forms.promo_materials.items",
                when=_way("vendor")),
        Count("leaflets", maximum=10_000, suggestions=(100, 200, 500), when=_item("leaflets")),
        Count("pens", maximum=5_000, suggestions=(20, 50, 100), when=_item("pens")),
        Count("bags", maximum=5_000, suggestions=(50, 100, 200), when=_item("bags")),
        Count("wall_flag", maximum=5, suggestions=(1, 2), when=_item("wall_flag")),
        Count("floor_banner", maximum=3, suggestions=(1, 2), when=_item("floor_banner")),
        Text("address", min_length=10, max_length=300, when=_posted),
        Text("print_items", max_length=300, when=_way("self_print")),
        Count("print_run", maximum=1_000_000, suggestions=(100, 300, 500),
              when=_way("self_print")),
        Money("print_cost", when=_way("self_print")),
    ),
)
