"""Field types of a form: how a question is asked (buttons), read (parse) and shown (summary)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.forms import parsing
from bot.forms.parsing import Invalid

Answers = Mapping[str, Any]
Translate = Callable[..., str]


@dataclass(frozen=True, slots=True)
class Button:
    """A button under a question: `label` is a text key (or literal text when `literal`)."""

    label: str
    value: str
    literal: bool = False


@dataclass(frozen=True, slots=True)
class Context:
    today: date
    t: Translate  # renders a text key in the user's language
    # Calendar days before the event that info support and promo materials need (the rulebook's).
    support_days: Mapping[str, int] = field(default_factory=lambda: {"info": 14, "promo": 21})
    # The last day a date may name: the rules (calendar, deadlines) are not asked beyond it.
    latest: date = date.max


@dataclass(frozen=True)
class Field:
    """One question. `key` names the answer; texts are `forms.<form>.<key>.*` by convention."""

    key: str
    when: Callable[[Answers], bool] | None = None
    optional: bool = False
    columns: int = 2
    # A sensible default is filled in without asking and shown, editable, in the summary.
    default: Callable[[Answers], Any] | None = None
    in_summary: bool = True  # a question about the form itself is not an answer to show

    def applies(self, answers: Answers) -> bool:
        return self.when is None or self.when(answers)

    def asked(self, answers: Answers) -> bool:
        """Whether the question is asked; if not, its default is filled in (a default that
        finds nothing to offer, None, leaves the question asked)."""
        return self.default is None or self.default(answers) is None

    def parse(self, text: str, answers: Answers, ctx: Context) -> Any:
        raise Invalid("use_buttons")

    def parse_ahead(self, text: str, answers: Answers, ctx: Context) -> dict[str, Any]:
        """Answers to later questions given in the same message («50 / 42»), by key."""
        return {}

    def pick(self, value: str, answers: Answers, ctx: Context) -> Any:
        """A button press; the value is one of `buttons()`' values."""
        raise Invalid("use_buttons")

    def buttons(self, answers: Answers, ctx: Context) -> Sequence[Button]:
        return ()

    def show(self, value: Any, ctx: Context) -> str:
        return str(value)

    def show_answer(self, answers: Answers, ctx: Context) -> str:
        """This question's answer in words, where it may take earlier answers to say it."""
        return self.show(answers[self.key], ctx)

    def hint(self, answers: Answers, ctx: Context) -> str | None:
        """Shown under the question: what is collected so far, what the answer refers to."""
        return None

    def still_valid(self, value: Any, answers: Answers, ctx: Context) -> bool:
        """Whether an earlier answer (the company's last time) may be given again now."""
        return True

    def prompt_variant(self, answers: Answers) -> str | None:
        """A wording of the question for these answers: text `prompt_<variant>`."""
        return None

    @property
    def accepts_text(self) -> bool:
        return True

    @property
    def wants_contact(self) -> bool:
        return False


@dataclass(frozen=True)
class Choice(Field):
    options: tuple[str, ...] = ()
    labels: str = ""  # text key prefix: `<labels>.<option>`

    def buttons(self, answers: Answers, ctx: Context) -> Sequence[Button]:
        return [Button(f"{self.labels}.{o}", o) for o in self.options]

    def pick(self, value: str, answers: Answers, ctx: Context) -> Any:
        if value not in self.options:
            raise Invalid("use_buttons")
        return value

    def parse(self, text: str, answers: Answers, ctx: Context) -> Any:
        typed = text.strip().casefold()
        for option in self.options:
            if ctx.t(f"{self.labels}.{option}").casefold() == typed:
                return option
        raise Invalid("use_buttons")

    def show(self, value: Any, ctx: Context) -> str:
        return ctx.t(f"{self.labels}.{value}")

    def still_valid(self, value: Any, answers: Answers, ctx: Context) -> bool:
        return value in {b.value for b in self.buttons(answers, ctx)}

    @property
    def accepts_text(self) -> bool:
        return False


@dataclass(frozen=True)
class YesNo(Choice):
    options: tuple[str, ...] = ("yes", "no")
    labels: str = "forms.common.yesno"

    def still_valid(self, value: Any, answers: Answers, ctx: Context) -> bool:
        return isinstance(value, bool)

    def pick(self, value: str, answers: Answers, ctx: Context) -> Any:
        return super().pick(value, answers, ctx) == "yes"

    def parse(self, text: str, answers: Answers, ctx: Context) -> Any:
        return super().parse(text, answers, ctx) == "yes"

    def show(self, value: Any, ctx: Context) -> str:
        return ctx.t(f"{self.labels}.{'yes' if value else 'no'}")


@dataclass(frozen=True)
class Text(Field):
    min_length: int = 2
    max_length: int = 300

    def parse(self, text: str, answers: Answers, ctx: Context) -> Any:
        value = " ".join(text.split()) if self.max_length <= 300 else text.strip()
        if not self.min_length <= len(value) <= self.max_length:
            raise Invalid("text_length", {"min": self.min_length, "max": self.max_length})
        return value


@dataclass(frozen=True)
class Suggested(Text):
    """Free text with one ready answer as a button (e.g. the name Telegram already knows)."""

    suggestion: str = ""  # the answers key holding the ready answer

    def buttons(self, answers: Answers, ctx: Context) -> Sequence[Button]:
        ready = answers.get(self.suggestion)
        return [Button(str(ready)[:60], "=suggested", literal=True)] if ready else []

    def pick(self, value: str, answers: Answers, ctx: Context) -> Any:
        if value != "=suggested" or not answers.get(self.suggestion):
            raise Invalid("use_buttons")
        return self.parse(str(answers[self.suggestion]), answers, ctx)


@dataclass(frozen=True)
class Url(Field):
    def parse(self, text: str, answers: Answers, ctx: Context) -> Any:
        return parsing.parse_url(text)


@dataclass(frozen=True)
class FutureDate(Field):
    """A date not in the past; stored as ISO text. With `place`, the same message may name the
    place after the date («14.01.2027, Kazan, 58 Bauman St»): that answers the place question
    (a Text field) too, where it is asked."""

    place: Text | None = None

    def parse(self, text: str, answers: Answers, ctx: Context) -> Any:
        value = parsing.parse_date(self._split(text, answers)[0], ctx.today)
        if value < ctx.today:
            raise Invalid("date_in_past")
        if value > ctx.latest:
            raise Invalid("date_too_far", {"latest": ctx.latest.strftime("%d.%m.%Y")})
        return value.isoformat()

    def parse_ahead(self, text: str, answers: Answers, ctx: Context) -> dict[str, Any]:
        rest = self._split(text, answers)[1]
        if self.place is None or not rest:
            return {}
        return {self.place.key: self.place.parse(rest, answers, ctx)}

    def prompt_variant(self, answers: Answers) -> str | None:
        asks_place = self.place is not None and self.place.applies(answers) \
            and self.place.key not in answers
        return "with_place" if asks_place else None

    def _split(self, text: str, answers: Answers) -> tuple[str, str]:
        if self.place is None or not self.place.applies(answers):
            return text, ""
        return parsing.split_date_prefix(text)

    def show(self, value: Any, ctx: Context) -> str:
        return date.fromisoformat(value).strftime("%d.%m.%Y")


@dataclass(frozen=True)
class Count(Field):
    minimum: int = 1
    maximum: int = 100_000
    suggestions: tuple[int, ...] = ()

    def buttons(self, answers: Answers, ctx: Context) -> Sequence[Button]:
        return [Button(str(n), str(n), literal=True) for n in self.suggestions]

    def pick(self, value: str, answers: Answers, ctx: Context) -> Any:
        return self.parse(value, answers, ctx)

    def parse(self, text: str, answers: Answers, ctx: Context) -> Any:
        return parsing.parse_count(text, self.minimum, self.maximum)


@dataclass(frozen=True)
class Money(Field):
    """Rubles as typed, kept in kopecks."""

    def parse(self, text: str, answers: Answers, ctx: Context) -> Any:
        return parsing.parse_money(text)

    def show(self, value: Any, ctx: Context) -> str:
        return format_rubles(int(value))


@dataclass(frozen=True)
class Phone(Field):
    def parse(self, text: str, answers: Answers, ctx: Context) -> Any:
        return parsing.parse_phone(text)

    @property
    def wants_contact(self) -> bool:
        return True


@dataclass(frozen=True)
class MultiChoice(Field):
    """Toggle buttons plus «Done»; a typed answer is taken as free text items."""

    options: tuple[str, ...] = ()
    labels: str = ""
    columns: int = 1

    def buttons(self, answers: Answers, ctx: Context) -> Sequence[Button]:
        chosen = set(answers.get(f"{self.key}.pending", []))
        marks = [
            Button(("✅ " if o in chosen else "⬜ ") + ctx.t(f"{self.labels}.{o}"), o, literal=True)
            for o in self.options
        ]
        return [*marks, Button("forms.common.done", "=done")]

    def parse(self, text: str, answers: Answers, ctx: Context) -> Any:
        items = [i.strip() for i in text.replace("\n", ",").split(",") if i.strip()]
        if not items:
            raise Invalid("text_length", {"min": 2, "max": 300})
        return [*answers.get(f"{self.key}.pending", []), *items]

    def show(self, value: Any, ctx: Context) -> str:
        return ", ".join(ctx.t(f"{self.labels}.{v}") if v in self.options else v for v in value)


@dataclass(frozen=True)
class Lines(Field):
    """Several items in one message, one a line: `what — amount`. Subclasses read each line."""

    max_items: int = 20

    def parse(self, text: str, answers: Answers, ctx: Context) -> Any:
        lines = [line.strip(" •-*\t") for line in text.splitlines() if line.strip(" •-*\t")]
        if not lines:
            raise Invalid("lines_empty")
        if len(lines) > self.max_items:
            raise Invalid("lines_too_many", {"max": self.max_items})
        items = []
        for number, line in enumerate(lines, start=1):
            try:
                items.append(self.parse_line(line))
            except Invalid as exc:
                raise Invalid("line_format", {**exc.params, "line": number, "text": line,
                                              "reason": exc.reason}) from None
        return items

    def parse_line(self, line: str) -> dict[str, Any]:
        raise NotImplementedError


def split_tail(line: str) -> tuple[str, str]:
    """`Room rent — 15 000` → (`Room rent`, `15 000`): the last separator splits name and figure."""
    for separator in (" — ", " – ", " - ", ":", "—", "–", " -", "="):
        if separator in line:
            head, tail = line.rsplit(separator, 1)
            if head.strip() and tail.strip():
                return head.strip(), tail.strip()
    parts = line.rsplit(" ", 1)
    if len(parts) == 2 and any(ch.isdigit() for ch in parts[1]):
        return parts[0].strip(), parts[1].strip()
    raise Invalid("line_needs_figure")


def format_rubles(kopecks: int) -> str:
    rubles, rest = divmod(kopecks, 100)
    text = f"{rubles:,}".replace(",", "\u00a0")
    return f"{text},{rest:02d}\u00a0₽" if rest else f"{text}\u00a0₽"


@dataclass(frozen=True)
class Agenda(Lines):
    """The program: `Talk title — 45` (minutes) a line."""

    def parse_line(self, line: str) -> dict[str, Any]:
        title, tail = split_tail(line)
        minutes_text = tail.lower().replace("минут", "").replace("мин", "").replace("min", "")
        minutes = parsing.parse_count(minutes_text.strip(" ."), 5, 600)
        return {"title": title, "minutes": minutes}

    def show(self, value: Any, ctx: Context) -> str:
        return "; ".join(f"{i['title']} ({i['minutes']}\u00a0{ctx.t('forms.common.min')})"
                         for i in value)


@dataclass(frozen=True)
class PickItems(Field):
    """Toggle which items of an earlier list answer qualify (e.g. talks about vendor products)."""

    source: str = ""
    item_label: str = "title"
    columns: int = 1

    def buttons(self, answers: Answers, ctx: Context) -> Sequence[Button]:
        chosen = set(answers.get(f"{self.key}.pending", []))
        items = answers.get(self.source, [])
        marks = [
            Button(("✅ " if i in chosen else "⬜ ") + str(item[self.item_label])[:60], str(i),
                   literal=True)
            for i, item in enumerate(items)
        ]
        return [*marks, Button("forms.common.done", "=done")]

    @property
    def accepts_text(self) -> bool:
        return False

    def show(self, value: Any, ctx: Context) -> str:
        return ctx.t("forms.common.picked", count=len(value))

    def show_answer(self, answers: Answers, ctx: Context) -> str:
        """The picked items by name: «Битрикс24 для отдела продаж; Кейс клиента»."""
        items = answers.get(self.source, [])
        return "; ".join(str(items[i][self.item_label]) for i in answers[self.key]
                         if 0 <= i < len(items))
