"""User-facing texts: jinja2 templates kept in `locales/<language>/*.toml`.

Each TOML file is a group of templates; a text's key is `<file>.<name>` (e.g. `start.welcome`).
Templates render with StrictUndefined and HTML escaping, for Telegram's HTML parse mode.
"""

from __future__ import annotations

import tomllib
from collections import OrderedDict
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from importlib.resources.abc import Traversable

import jinja2
import markupsafe
from jinja2 import meta

LANGUAGES = ("ru", "en")
RECENT_RENDERS = 2048
_KEPT_TYPES = frozenset({str, markupsafe.Markup, int, float, bool, type(None), Decimal, date,
                         datetime})


class Texts:
    def __init__(self, default_language: str = "ru", root: Traversable | None = None) -> None:
        if default_language not in LANGUAGES:
            raise ValueError(f"unsupported language {default_language!r}")
        self.default_language = default_language
        self._env = jinja2.Environment(
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
            lstrip_blocks=True, keep_trailing_newline=False,
        )
        self._env.filters["plural"] = plural
        self._env.filters["clause"] = clause
        self._env.filters["quoted"] = quoted
        root = root or resources.files("bot") / "locales"
        self.sources: dict[str, dict[str, str]] = {
            language: _read_language(root / language) for language in LANGUAGES
        }
        self._compiled: dict[tuple[str, str], jinja2.Template] = {}
        self._plain: dict[tuple[str, str], str] = {}
        # Rendered with these parameters lately: a form's questions come out the same for
        # everybody (bench/throughput.py: jinja2 was a tenth of a form step's own time).
        self._recent: OrderedDict[tuple[object, ...], str] = OrderedDict()

    def language_for(self, telegram_code: str | None) -> str:
        """The user's Telegram language if we speak it (`en-GB` → `en`), else the default."""
        if telegram_code:
            base = telegram_code.split("-")[0].lower()
            if base in LANGUAGES:
                return base
        return self.default_language

    def render(self, language: str, key: str, /, **params: object) -> str:
        if not params:  # the same every time: buttons, labels, command descriptions
            if (language, key) not in self._plain:
                self._plain[(language, key)] = self._render(language, key, {})
            return self._plain[(language, key)]
        if not all(type(value) in _KEPT_TYPES for value in params.values()):
            return self._render(language, key, params)  # a list, a dict, an object: not kept
        # The types too: 1 == 1.0 == True, and Markup("<b>") == "<b>" is not escaped.
        recent = (language, key, *((name, type(value), value) for name, value in params.items()))
        text = self._recent.pop(recent, None)
        if text is None:
            text = self._render(language, key, params)
        self._recent[recent] = text
        if len(self._recent) > RECENT_RENDERS:
            self._recent.popitem(last=False)
        return text

    def _render(self, language: str, key: str, params: Mapping[str, object]) -> str:
        template = self._compiled.get((language, key))
        if template is None:
            try:
                source = self.sources[language][key]
            except KeyError:
                raise KeyError(f"no text {key!r} in locales/{language}") from None
            template = self._env.from_string(source)
            self._compiled[(language, key)] = template
        return template.render(**params).strip()

    def keys(self, language: str) -> Mapping[str, str]:
        return self.sources[language]

    def parameters(self, language: str, key: str) -> set[str]:
        """The names a text takes."""
        return meta.find_undeclared_variables(self._env.parse(self.sources[language][key]))


def plural(count: object, *forms: str) -> str:
    """`{{ n | plural("балл", "балла", "баллов") }}` → «1 балл», «2 балла», «60 баллов»;
    `{{ n | plural("point", "points") }}` → «1 point», «2 points».

    Three forms follow the Russian rule (one / few / many; a fraction takes the second form:
    «1,5 дня»), two the English one. The count is shown as given, so a number already
    formatted with its spaces («11 000») keeps them.
    """
    return f"{count} {plural_form(count, *forms)}"


def clause(text: object) -> str:
    """A typed phrase to go before the template's own full stop: «заново.» → «заново»."""
    bare = str(text).rstrip().rstrip(".;,:").rstrip()
    return markupsafe.Markup(bare) if isinstance(text, markupsafe.Markup) else bare


QUOTE_MARKS = frozenset("«»\"“”„")


def quoted(name: object) -> str:
    """A name in «»; one that already has quotes of its own («ООО «Ромашка»») stays as it is,
    never «ООО «Ромашка»» in quotes again. Escaped markup stays markup."""
    if isinstance(name, markupsafe.Markup):
        return name if QUOTE_MARKS & set(name.unescape()) else markupsafe.Markup(f"«{name}»")
    text = str(name)
    return text if QUOTE_MARKS & set(text) else f"«{text}»"


def plural_form(count: object, *forms: str) -> str:
    """The noun alone, in the form `count` asks for (see `plural`)."""
    if len(forms) not in (2, 3):
        raise ValueError("plural takes two (English) or three (Russian) forms")
    digits = str(count).replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        number = float(digits)
    except ValueError:
        raise ValueError(f"plural of a non-number {count!r}") from None
    if len(forms) == 2:
        return forms[0] if number == 1 else forms[1]
    if not number.is_integer():
        return forms[1]
    n = abs(int(number))
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return forms[1]
    return forms[2]


def _read_language(folder: Traversable) -> dict[str, str]:
    texts: dict[str, str] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        group = entry.name.removesuffix(".toml")
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        for name, value in _flatten(data):
            texts[f"{group}.{name}"] = value
    return texts


def _flatten(data: Mapping[str, object], prefix: str = "") -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for name, value in data.items():
        if isinstance(value, Mapping):
            items.extend(_flatten(value, f"{prefix}{name}."))
        else:
            items.append((f"{prefix}{name}", str(value)))
    return items
