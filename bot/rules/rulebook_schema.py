"""The rulebook file's schema: what each table holds and the checks on it (see rulebook.toml)."""

from itertools import pairwise
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)

from bot.rules.effects import Condition
from bot.rules.isodate import IsoDate
from bot.rules.money import Rubles
from bot.rules.vocabulary import Kind, LineKind, Program, Support, Topic

Count = Annotated[int, Field(ge=0, strict=True)]
Percent = Annotated[int, Field(ge=0, le=100, strict=True)]
Month = Annotated[int, Field(ge=1, le=12, strict=True)]
Section = Annotated[str, Field(pattern=r"^§\d+(\.\d+)*$")]
Individual = Literal["individual"]
CostBase = Literal["agreed_costs", "stand", "printing"]
ALL_KINDS: tuple[Kind, ...] = tuple(Kind)
ALL_TOPICS: tuple[Topic, ...] = tuple(Topic)


class Located(Exception):
    """A cross-field check failed at `loc` (raised through pydantic, caught by the loader)."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CalendarSpec(_Spec):
    country: str
    extra_days_off: tuple[IsoDate, ...] = ()
    extra_working_days: tuple[IsoDate, ...] = ()


class LeadTimes(_Spec):
    section: Section
    approval_days: Count
    info_support_days: Count
    promo_materials_days: Count


class Deadlines(_Spec):
    report_working_days: Count
    credit_working_days: Count
    validity_years: Annotated[int, Field(ge=1, strict=True)]


class BonusRules(_Spec):
    section: Section
    max_bonus_percent: Percent
    not_payable: tuple[LineKind, ...]
    not_payable_goods: tuple[str, ...] = ()


class Programs(_Spec):
    section: Section
    by_topic: dict[Topic, Program]

    @model_validator(mode="after")
    def _every_single_topic(self) -> "Programs":
        missing = [t.value for t in Topic if t is not Topic.MIXED and t not in self.by_topic]
        if missing:
            raise Located(("programs", "by_topic"), f"no program for topic {', '.join(missing)}")
        if Topic.MIXED in self.by_topic:
            raise Located(("programs", "by_topic"), "a mixed topic is the partner's choice")
        return self


class Titles(_Spec):
    section: Section
    reserved: tuple[Annotated[str, Field(min_length=2)], ...]
    reserved_parts: tuple[Annotated[str, Field(min_length=2)], ...] = ()


class Promotions(_Spec):
    section: Section
    statuses: tuple[str, ...]


class Attendance(_Spec):
    section: Section
    low_listeners: Count
    low_events_in_a_row: Annotated[int, Field(ge=1, strict=True)]


class InfoSupport(_Spec):
    section: Section
    events_at_once: Annotated[int, Field(ge=1, strict=True)]
    shown_days_before: Count
    repeat_after_months: Count
    pause_kinds: tuple[Kind, ...] = ()


class FederalProgram(_Spec):
    section: Section
    months: tuple[Month, ...]


class VendorSpeakerModifier(_Spec):
    section: Section
    kinds: tuple[Kind, ...]
    points_reduction: Count


class ThirdPartyModifier(_Spec):
    section: Section
    kinds: tuple[Kind, ...]
    companies_over: Count
    percent_per_speaker: Percent


class OtherVendorsModifier(_Spec):
    section: Section
    kinds: tuple[Kind, ...]
    percent_per_vendor: Percent


class Modifiers(_Spec):
    vendor_speaker: VendorSpeakerModifier
    third_party: ThirdPartyModifier
    other_vendors_on_stand: OtherVendorsModifier


class ArticleRules(_Spec):
    section: Section
    length_over: Count
    vendor_share_over: Percent
    min_circulation: Count
    min_daily_views: Count


class Exclusion(_Spec):
    when: Condition
    section: Section
    kinds: tuple[Kind, ...] = ALL_KINDS
    removes: Annotated[tuple[Support, ...], Field(min_length=1)]


class PointsBucket(_Spec):
    model_config = ConfigDict(populate_by_name=True)

    from_: Annotated[Count, Field(alias="from")]
    points: Count | Individual


class CompensationBucket(_Spec):
    model_config = ConfigDict(populate_by_name=True)

    from_: Annotated[Count, Field(alias="from")]
    percent: Percent | Individual
    cap: Rubles | None = None


class PointsRange(_Spec):
    min: Count
    max: Count

    @model_validator(mode="after")
    def _ordered(self) -> "PointsRange":
        if self.min > self.max:
            raise ValueError("min is more than max")
        return self


class Rate(_Spec):
    percent: Percent
    cap: Rubles | None = None


_Buckets = tuple[PointsBucket, ...] | tuple[CompensationBucket, ...]


def _check_ascending(buckets: _Buckets) -> None:
    starts = [b.from_ for b in buckets]
    if not starts:
        raise ValueError("needs at least one bucket")
    if any(later <= earlier for earlier, later in pairwise(starts)):
        raise ValueError("buckets must start at strictly increasing listener counts")


class Row(_Spec):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    label: str
    section: Section
    kinds: Annotated[tuple[Kind, ...], Field(min_length=1)]
    topics: Annotated[tuple[Topic, ...], Field(min_length=1)] = ALL_TOPICS
    points_by_listeners: tuple[PointsBucket, ...] | None = None
    points: PointsRange | Individual | None = None
    compensation_by_listeners: tuple[CompensationBucket, ...] | None = None
    compensation: Rate | Individual | None = None
    base: CostBase = "agreed_costs"
    info_support: StrictBool = False
    promo_materials: StrictBool = False

    @field_validator("points_by_listeners", "compensation_by_listeners")
    @classmethod
    def _ascending(cls, buckets: _Buckets | None) -> _Buckets | None:
        if buckets is not None:
            _check_ascending(buckets)
        return buckets

    @model_validator(mode="after")
    def _one_way_each(self) -> "Row":
        if self.points_by_listeners is not None and self.points is not None:
            raise ValueError("give points_by_listeners or points, not both")
        if self.compensation_by_listeners is not None and self.compensation is not None:
            raise ValueError("give compensation_by_listeners or compensation, not both")
        return self


class RulebookSpec(_Spec):
    """The whole file."""

    name: Annotated[str, Field(min_length=1)]
    effective_from: IsoDate
    currency: str = "RUB"
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

    @model_validator(mode="after")
    def _cover_every_case(self) -> "RulebookSpec":
        owner: dict[tuple[Kind, Topic], int] = {}
        ids: dict[str, int] = {}
        for index, row in enumerate(self.rows):
            if row.id in ids:
                raise Located(("rows", index, "id"), f"row id {row.id!r} is used twice")
            ids[row.id] = index
            for kind in row.kinds:
                for topic in row.topics:
                    if (kind, topic) in owner:
                        raise Located(
                            ("rows", index, "topics"),
                            f"{kind.value}/{topic.value} is already covered by "
                            f"row {self.rows[owner[kind, topic]].id!r}",
                        )
                    owner[kind, topic] = index
        missing = [f"{k.value}/{t.value}" for k in Kind for t in Topic if (k, t) not in owner]
        if missing:
            raise Located(("rows",), f"no row covers {', '.join(missing)}")
        return self
