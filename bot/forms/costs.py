"""Cost estimate lines: `Room rent — 15 000`, each sorted into a category by its words.

The categories follow the rulebook (§2.2 "compensable costs"); a line in a non-compensable
category is kept but marked, and one we can't place is "other" (the manager decides).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.forms import parsing
from bot.forms.fields import Answers, Context, Lines, format_rubles, split_tail

COMPENSABLE = ("room_rent", "coffee_break", "announcements", "printing")
NOT_COMPENSABLE = (
    "contextual_ads", "offline_ads", "transport", "souvenirs", "speakers", "staff",
    "hosting", "photo_video", "mailing", "calls", "agency",
)
# Word stems (Russian and English, lower case) → category. Checked in this order: the more
# specific first ("реклама в контексте" is contextual ads before it is announcements).
KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("contextual_ads", ("контекст", "яндекс.директ", "директ", "adwords", "google ads",
                        "contextual", "ppc")),
    ("offline_ads", ("наружн", "билборд", "радио", "телевид", "offline ad", "billboard", "radio",
                     "outdoor", "тв-реклам")),
    ("agency", ("агентств", "агентст", "event-агент", "agency", "организатор меропр")),
    ("photo_video", ("фотограф", "видеосъ", "видеограф", "фото", "видео", "photo", "video")),
    ("calls", ("обзвон напомин", "напоминани", "reminder call")),
    ("mailing", ("рассыл", "mailing", "email-сервис", "unisender", "mailchimp")),
    ("transport", ("доставк", "транспорт", "перевоз", "delivery", "transport", "shipping")),
    ("souvenirs", ("бейдж", "сувенир", "badge", "souvenir", "merch")),
    ("speakers", ("гонорар", "спикер", "докладчик", "speaker", "honorar", " fee")),
    ("staff", ("зарплат", "сотрудник", "командиров", "проезд", "проживан", "salary", "staff",
               "travel", "hotel")),
    ("hosting", ("хостинг", "домен", "hosting", "domain")),
    ("room_rent", ("аренд", "зал", "помещен", "площадк", "room", "venue", "hall", "rent")),
    ("coffee_break", ("кофе", "coffee", "фуршет", "обед", "перерыв", "catering", "lunch",
                      "breakfast", "завтрак")),
    ("printing", ("печат", "листовк", "буклет", "полиграф", "printing", "leaflet", "flyer",
                  "brochure")),
    ("announcements", ("анонс", "приглашен", "call-центр", "колл-центр", "объявлен",
                       "announcement", "invitation", "call centre", "call center", "posting")),
)


def categorise(name: str) -> str:
    lowered = " " + name.lower()  # « fee» is a word's start: not the end of «coffee»
    for category, stems in KEYWORDS:
        if any(stem in lowered for stem in stems):
            return category
    return "other"


def compensable_total(items: list[dict[str, Any]]) -> int:
    """Kopecks of the lines that the rulebook lets be compensated."""
    return sum(int(i["amount"]) for i in items if i["category"] in COMPENSABLE)


@dataclass(frozen=True)
class CostItems(Lines):
    def parse_line(self, line: str) -> dict[str, Any]:
        name, tail = split_tail(line)
        amount = parsing.parse_money(tail)
        if amount <= 0:
            raise parsing.Invalid("number_range", {"min": 1, "max": 10**10})
        return {"name": name, "amount": amount, "category": categorise(name)}

    def show(self, value: Any, ctx: Context) -> str:
        lines = []
        for item in value:
            mark = "" if item["category"] in COMPENSABLE else " ⚠️ " + ctx.t(
                "forms.costs.not_compensable" if item["category"] != "other"
                else "forms.costs.unclassified"
            )
            lines.append(f"{item['name']} — {format_rubles(item['amount'])}{mark}")
        total = sum(int(i["amount"]) for i in value)
        lines.append(ctx.t("forms.costs.total", total=format_rubles(total),
                           compensable=format_rubles(compensable_total(value))))
        return "\n".join(lines)

    def buttons(self, answers: Answers, ctx: Context) -> list[Any]:
        return []
