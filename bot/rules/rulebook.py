"""A loaded rulebook with lookups precomputed for the engine, and loading it from a file.

A malformed file is refused with the file and the line at fault: tomllib reports syntax errors
with their line; for a schema error the offending key is found in the text.
"""

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from pathlib import Path

from pydantic import ValidationError

from bot.rules.calendar import WorkCalendar
from bot.rules.errors import field_path
from bot.rules.rulebook_schema import (
    ArticleRules,
    Attendance,
    BonusRules,
    CalendarSpec,
    Deadlines,
    Exclusion,
    FederalProgram,
    InfoSupport,
    LeadTimes,
    Located,
    Modifiers,
    Programs,
    Promotions,
    Row,
    RulebookSpec,
    Titles,
)
from bot.rules.toml_lines import key_lines, line_of
from bot.rules.vocabulary import Kind, Topic

RULEBOOK_ENV = "PARTNERDESK_RULEBOOK"
SHIPPED_RULEBOOK = "rulebook.toml"


class RulebookError(Exception):
    """A rulebook that cannot be used; str() names the file and, when known, the line."""

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        self.source = source
        self.message = message
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Rulebook:
    """A checked rulebook: the file's tables as attributes, plus the engine's lookups."""

    source: str
    spec: RulebookSpec
    name: str
    effective_from: date
    calendar: CalendarSpec
    lead_times: LeadTimes
    deadlines: Deadlines
    bonus: BonusRules
    programs: Programs
    titles: Titles
    promotions: Promotions
    attendance: Attendance
    info_support: InfoSupport
    federal_program: FederalProgram
    modifiers: Modifiers
    article: ArticleRules
    exclusions: tuple[Exclusion, ...]
    rows: tuple[Row, ...]
    work_calendar: WorkCalendar
    _rows: dict[tuple[Kind, Topic], Row]
    _exclusions: dict[Kind, tuple[Exclusion, ...]]
    _reserved: tuple[tuple[str, str], ...]

    @classmethod
    def from_spec(cls, spec: RulebookSpec, source: str = "<rulebook>") -> "Rulebook":
        try:
            work_calendar = WorkCalendar(
                spec.calendar.country,
                spec.calendar.extra_days_off,
                spec.calendar.extra_working_days,
            )
        except NotImplementedError as exc:
            raise Located(
                ("calendar", "country"),
                f"no production calendar for country {spec.calendar.country!r}",
            ) from exc
        return cls(
            source=source,
            spec=spec,
            name=spec.name,
            effective_from=spec.effective_from,
            calendar=spec.calendar,
            lead_times=spec.lead_times,
            deadlines=spec.deadlines,
            bonus=spec.bonus,
            programs=spec.programs,
            titles=spec.titles,
            promotions=spec.promotions,
            attendance=spec.attendance,
            info_support=spec.info_support,
            federal_program=spec.federal_program,
            modifiers=spec.modifiers,
            article=spec.article,
            exclusions=spec.exclusions,
            rows=spec.rows,
            work_calendar=work_calendar,
            _rows={(k, t): row for row in spec.rows for k in row.kinds for t in row.topics},
            _exclusions={k: tuple(e for e in spec.exclusions if k in e.kinds) for k in Kind},
            _reserved=tuple(
                (normalise_title(name), name)
                for name in (*spec.titles.reserved, *spec.titles.reserved_parts)
            ),
        )

    def __repr__(self) -> str:
        return f"Rulebook({self.name!r}, effective_from={self.effective_from}, {self.source!r})"

    def row_for(self, kind: Kind, topic: Topic) -> Row:
        return self._rows[kind, topic]

    def exclusions_for(self, kind: Kind) -> tuple[Exclusion, ...]:
        return self._exclusions[kind]

    def reserved_name_in(self, title: str) -> str | None:
        """The special program's name (or part of it) the title uses, if any."""
        plain = normalise_title(title)
        for needle, name in self._reserved:
            if needle in plain:
                return name
        return None


# quotes (straight, angle, curly, low), hyphens and dashes (U+2010-U+2014), punctuation
_QUOTES_AND_DASHES = re.compile(
    "[\"'`\u00ab\u00bb\u201c\u201d\u201e\u2018\u2019\\-\u2010-\u2014_.,:;!?()]+"
)
_SPACES = re.compile(r"\s+")


def normalise_title(title: str) -> str:
    """Case, yo/ye (\u0451/\u0435), quotes, dashes and spacing do not hide a reserved name."""
    plain = title.casefold().replace("\u0451", "\u0435")
    plain = _QUOTES_AND_DASHES.sub(" ", plain)
    return _SPACES.sub(" ", plain).strip()


_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


def parse_rulebook(text: str, source: str = "<rulebook>") -> Rulebook:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POSITION.search(message)
        line = int(match.group(1)) if match else None
        raise RulebookError(source, f"not valid TOML: {message}", line) from None
    try:
        return Rulebook.from_spec(RulebookSpec.model_validate(data), source)
    except Located as exc:
        line = line_of(key_lines(text), exc.loc)
        raise RulebookError(source, f"{field_path(exc.loc)}: {exc.message}", line) from None
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = _readable_loc(error["loc"])
        line = line_of(key_lines(text), loc)
        more = exc.error_count() - 1
        also = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
        where = field_path(loc) or "(top level)"
        message = error["msg"].removeprefix("Value error, ")
        raise RulebookError(source, f"{where}: {message}{also}", line) from None


_KEY = re.compile(r"^[a-z0-9_]+$")


def _readable_loc(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Drop pydantic's union-member tags (`PointsRange`, `literal['individual']`, …)."""
    return tuple(p for p in loc if isinstance(p, int) or _KEY.match(p))


def load_rulebook(path: Path | None = None) -> Rulebook:
    """The rulebook in `path`, or the one shipped with the package when None."""
    if path is None:
        text = files("bot.rules").joinpath(SHIPPED_RULEBOOK).read_text(encoding="utf-8")
        return parse_rulebook(text, f"<shipped {SHIPPED_RULEBOOK}>")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulebookError(str(path), f"cannot read the rulebook: {exc}") from None
    return parse_rulebook(text, str(path))


def rulebook_path_from_env(environ: Mapping[str, str]) -> Path | None:
    """The rulebook a manager chose with PARTNERDESK_RULEBOOK, if any (pass os.environ)."""
    value = environ.get(RULEBOOK_ENV, "").strip()
    return Path(value) if value else None
