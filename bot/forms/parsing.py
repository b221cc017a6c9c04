"""Reading what people type on a phone: dates, numbers, money, phones, links."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

MONTHS = {
    # Russian, genitive and nominative stems, then English
    "янв": 1, "фев": 2, "мар": 3, "апр": 4, "мая": 5, "май": 5, "июн": 6, "июл": 7, "авг": 8,
    "сен": 9, "окт": 10, "ноя": 11, "дек": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_DOTTED = re.compile(r"^(\d{1,2})[./](\d{1,2})(?:[./](\d{2}|\d{4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDS = re.compile(r"^(\d{1,2})\s+([a-zа-яё]+)\.?(?:\s+(\d{4}))?(?:\s*(?:г\.?|года?))?$")
_THOUSANDS = re.compile(r"^(.*?)\s*(тыс\.?|тысяч[аи]?|т\.?|k|к)$")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
# Past this many digits before the point a float drops whole units (and 400 of them overflow);
# nothing a partner counts or pays comes near it.
MAX_DIGITS = 15
MAX_RUBLES = 10**10
_PHONE_CHARS = re.compile(r"[\s()\-]")
_URL = re.compile(r"^(https?://)?([a-z0-9а-яё-]+\.)+[a-zа-яё]{2,}(/\S*)?$", re.I)


@dataclass
class Invalid(Exception):
    """The answer can't be taken; `reason` names the text that explains what is expected."""

    reason: str
    params: dict[str, object] = field(default_factory=dict)


def parse_date(text: str, today: date) -> date:
    """`10.12.2026`, `10.12`, `10 декабря`, `10 Dec 2026`, `2026-12-10`; no year = the next one."""
    raw = text.strip().lower().replace("ё", "е")
    year: int | None
    if match := _ISO.match(raw):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DOTTED.match(raw):
        day, month = int(match.group(1)), int(match.group(2))
        year = _full_year(match.group(3))
    elif match := _WORDS.match(raw):
        day = int(match.group(1))
        month = _month(match.group(2))
        year = int(match.group(3)) if match.group(3) else None
    else:
        raise Invalid("date_format")
    try:
        result = date(year or today.year, month, day)
        if year is None and result < today:
            result = date(today.year + 1, month, day)
    except ValueError:
        raise Invalid("date_not_exists") from None
    return result


_DATE_HEAD = re.compile(
    r"^\s*(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?)[\s,;]+(.*)$", re.S)


def split_date_prefix(text: str) -> tuple[str, str]:
    """`14.01.2027, Kazan, 58 Bauman St` → (`14.01.2027`, `Kazan, 58 Bauman St`); a date in
    words ends at the first comma (`14 января, Казань`). Without a rest: (text, "")."""
    if match := _DATE_HEAD.match(text):
        return match.group(1), match.group(2).strip(" ,;")
    head, comma, rest = text.partition(",")
    if comma and rest.strip() and _WORDS.match(head.strip().lower().replace("ё", "е")):
        return head.strip(), rest.strip()
    return text, ""


def _full_year(text: str | None) -> int | None:
    if text is None:
        return None
    return 2000 + int(text) if len(text) == 2 else int(text)


def _month(word: str) -> int:
    for stem, number in MONTHS.items():
        if word.startswith(stem):
            return number
    raise Invalid("date_format")


def parse_number(text: str) -> float:
    """`1 500`, `1500,50`, `15 тыс.`, `15к` → a number; anything else is Invalid."""
    raw = text.strip().lower().replace("\u00a0", " ").replace("₽", "").replace("руб", "")
    raw = raw.rstrip(". ")
    multiplier = 1
    if match := _THOUSANDS.match(raw):
        raw, multiplier = match.group(1), 1000
    raw = raw.replace(" ", "")
    if not _NUMBER.match(raw):
        raise Invalid("number_format")
    raw = raw.replace(",", ".")
    if len(raw.split(".")[0].lstrip("0")) > MAX_DIGITS:
        raise Invalid("number_too_big")
    return float(raw) * multiplier


def parse_count(text: str, minimum: int = 0, maximum: int = 1_000_000) -> int:
    value = _bounded(text, minimum, maximum)
    if value != int(value):
        raise Invalid("whole_number")
    if not minimum <= value <= maximum:
        raise Invalid("number_range", {"min": minimum, "max": maximum})
    return int(value)


def parse_money(text: str) -> int:
    """Rubles as typed → integer kopecks."""
    value = _bounded(text, 0, MAX_RUBLES)
    kopecks = round(value * 100)
    if kopecks > MAX_RUBLES * 100:
        raise Invalid("number_range", {"min": 0, "max": MAX_RUBLES})
    return kopecks


def _bounded(text: str, minimum: int, maximum: int) -> float:
    """A number; one too long to read says the range expected, as one merely too big does."""
    try:
        return parse_number(text)
    except Invalid as exc:
        if exc.reason == "number_too_big":
            raise Invalid("number_range", {"min": minimum, "max": maximum}) from None
        raise


def parse_phone(text: str) -> str:
    """A phone number as +digits: `8 (999) 123-45-67` → `+79991234567`."""
    raw = _PHONE_CHARS.sub("", text.strip())
    if raw.startswith("8") and len(raw) == 11:
        raw = "+7" + raw[1:]
    if not raw.startswith("+"):
        raw = "+" + raw
    if not raw[1:].isdigit() or not 10 <= len(raw) - 1 <= 15:
        raise Invalid("phone_format")
    return raw


def parse_url(text: str) -> str:
    raw = text.strip()
    if not _URL.match(raw):
        raise Invalid("url_format")
    return raw if raw.lower().startswith(("http://", "https://")) else "https://" + raw
