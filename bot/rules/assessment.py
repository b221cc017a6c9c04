"""What a case earns: points, compensation, program, support still possible, dates, findings.

Ranges express the manager's discretion: `min` has every discretionary reduction applied, `max`
none; a range the manager picks from (an exhibition's 50 to 70) is that range. None means the
manager sets the figure individually. When points depend on a report that is not there yet
(no `listeners`), the range covers the whole scale and a `needs_report` finding says so.
"""

from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from bot.rules.case import Case
from bot.rules.deadlines import credit_due, expires_on, report_due
from bot.rules.effects import Condition, Effect, Finding, finding
from bot.rules.money import kopecks_to_rubles
from bot.rules.rulebook import Rulebook
from bot.rules.rulebook_schema import (
    CompensationBucket,
    Exclusion,
    PointsBucket,
    PointsRange,
    Rate,
    Row,
)
from bot.rules.vocabulary import Audience, Kind, Program, Support, Topic


@dataclass(frozen=True, slots=True)
class Range:
    min: int
    max: int


ZERO = Range(0, 0)


@dataclass(frozen=True, slots=True)
class Assessment:
    rulebook_name: str
    rulebook_effective_from: date
    row: str
    points: Range | None
    compensation: Range | None
    """In kopecks."""
    program: Program | None
    info_support: bool
    promo_materials: bool
    report_due: date
    credit_due: date
    """Latest day to credit: after `report_accepted_on`, or after `report_due` when not given."""
    expires_on: date
    """Last day what is credited on `credit_due` still counts."""
    findings: tuple[Finding, ...]

    def effects(self) -> list[Effect]:
        return [f.effect for f in self.findings]

    def to_json_dict(self) -> dict[str, object]:
        comp = self.compensation
        return {
            "rulebook": {
                "name": self.rulebook_name,
                "effective_from": self.rulebook_effective_from.isoformat(),
            },
            "row": self.row,
            "points": None
            if self.points is None
            else {"min": self.points.min, "max": self.points.max},
            "compensation": None
            if comp is None
            else {"min": kopecks_to_rubles(comp.min), "max": kopecks_to_rubles(comp.max)},
            "program": None if self.program is None else self.program.value,
            "info_support": self.info_support,
            "promo_materials": self.promo_materials,
            "report_due": self.report_due.isoformat(),
            "credit_due": self.credit_due.isoformat(),
            "expires_on": self.expires_on.isoformat(),
            "findings": [f.to_json_dict() for f in self.findings],
        }


_SUPPORT_WORDS = {
    Support.POINTS: "points",
    Support.COMPENSATION: "compensation",
    Support.INFO_SUPPORT: "info support",
    Support.PROMO_MATERIALS: "promo materials",
}


def _or_list(removes: tuple[Support, ...]) -> str:
    words = [_SUPPORT_WORDS[s] for s in removes]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _lead_days(case: Case) -> int | None:
    return None if case.applied_on is None else (case.event_date - case.applied_on).days


def _condition_holds(rulebook: Rulebook, case: Case, condition: Condition) -> str | None:
    """None when the condition does not hold, else the reserved name ("" for other conditions)."""
    match condition:
        case Condition.NOT_APPROVED_IN_ADVANCE:
            lead = _lead_days(case)
            holds = lead is None or lead < rulebook.lead_times.approval_days
        case Condition.AUDIENCE_NOT_PROSPECTS:
            holds = case.audience is not Audience.PROSPECTS
        case Condition.RESERVED_TITLE:
            return None if not case.title else rulebook.reserved_name_in(case.title)
        case Condition.VENDOR_EVENT_WITHOUT_VENDOR_SPEAKER:
            holds = case.claims_vendor_event and not case.vendor_speaker
        case Condition.COMPETITORS:
            holds = case.competitors
        case Condition.PAID_EVENT:
            holds = case.paid_event
        case Condition.BARTER_WITHOUT_DOCUMENTS:
            holds = case.barter_without_documents
        case Condition.VENDOR_BRANDING:
            holds = case.vendor_branding
        case Condition.VENDOR_AT_EXHIBITION:
            holds = case.vendor_at_exhibition
        case Condition.COMPETING_PRODUCTS_ON_STAND:
            holds = case.competing_products_on_stand
        case Condition.AT_VENDOR_EVENT:
            holds = case.at_vendor_event
    return "" if holds else None


def _exclusions(rulebook: Rulebook, case: Case, findings: list[Finding]) -> set[Support]:
    removed: set[Support] = set()
    rule: Exclusion
    for rule in rulebook.exclusions_for(case.kind):
        name = _condition_holds(rulebook, case, rule.when)
        if name is None:
            continue
        removed.update(rule.removes)
        effect = Effect(rule.when.value)
        words = {"removed": _or_list(rule.removes)}
        codes = ",".join(r.value for r in rule.removes)
        if name:
            findings.append(finding(rule.section, effect, "", words, removes=codes, name=name))
        else:
            findings.append(finding(rule.section, effect, "", words, removes=codes))
    return removed


_Bucket = TypeVar("_Bucket", PointsBucket, CompensationBucket)


def _bucket(buckets: tuple[_Bucket, ...], listeners: int) -> _Bucket | None:
    found = None
    for bucket in buckets:
        if listeners < bucket.from_:
            break
        found = bucket
    return found


def _points(row: Row, case: Case, findings: list[Finding]) -> Range | None:
    activity = row.label
    scale = row.points_by_listeners
    if scale is not None:
        individual = next((b for b in scale if isinstance(b.points, str)), None)
        listeners = case.listeners
        if listeners is None:
            findings.append(finding(row.section, Effect.NEEDS_REPORT, activity=activity))
            if individual is not None:
                findings.append(
                    finding(
                        row.section,
                        Effect.POINTS_SET_BY_MANAGER,
                        activity=activity,
                        needed=individual.from_,
                    )
                )
                return None
            return Range(0, max(b.points for b in scale if isinstance(b.points, int)))
        bucket = _bucket(scale, listeners)
        if bucket is None or bucket.points == 0:
            needed = next((b.from_ for b in scale if b.points != 0), None)
            if needed is None:
                findings.append(finding(row.section, Effect.NO_POINTS, activity=activity))
            else:
                findings.append(
                    finding(
                        row.section,
                        Effect.NO_POINTS,
                        "listeners",
                        activity=activity,
                        needed=needed,
                        listeners=listeners,
                    )
                )
            return ZERO
        if isinstance(bucket.points, str):
            findings.append(
                finding(
                    row.section,
                    Effect.POINTS_SET_BY_MANAGER,
                    activity=activity,
                    needed=bucket.from_,
                )
            )
            return None
        return Range(bucket.points, bucket.points)
    if isinstance(row.points, PointsRange):
        if row.points.min < row.points.max:
            findings.append(
                finding(
                    row.section,
                    Effect.POINTS_MANAGER_PICKS,
                    activity=activity,
                    min=row.points.min,
                    max=row.points.max,
                )
            )
        return Range(row.points.min, row.points.max)
    if row.points == "individual":
        findings.append(
            finding(row.section, Effect.POINTS_SET_BY_MANAGER, "always", activity=activity)
        )
        return None
    findings.append(finding(row.section, Effect.NO_POINTS, activity=activity))
    return ZERO


def _base(row: Row, case: Case, findings: list[Finding]) -> int | None:
    """The compensable costs in kopecks: agreed, and the documented actual ones when lower."""
    agreed = case.agreed_costs
    if row.base == "agreed_costs":
        if agreed is None:
            return None
        base = agreed
    else:
        if row.base == "stand":
            parts = [v for v in (case.stand_rent, case.registration_fee) if v is not None]
            declared = sum(parts) if parts else None
        else:
            declared = case.printing_costs
        known = [v for v in (declared, agreed) if v is not None]
        if not known:
            return None
        base = min(known)
    actual = case.actual_costs
    if actual is not None and actual < base:
        findings.append(finding(row.section, Effect.ACTUAL_COSTS_BELOW_AGREED))
        base = actual
    return base


def _share(base: int, percent: int, cap: int | None) -> int:
    amount = base * percent // 100
    return amount if cap is None else min(amount, cap)


def _rate(row: Row, case: Case, findings: list[Finding], percent: int, cap: int | None) -> Range:
    base = _base(row, case, findings)
    if base is None:
        findings.append(finding(row.section, Effect.NO_COST_ESTIMATE))
        return ZERO
    amount = _share(base, percent, cap)
    if cap is not None and base * percent // 100 > cap:
        findings.append(
            finding(
                row.section,
                Effect.COMPENSATION_CAPPED,
                percent=percent,
                cap=str(kopecks_to_rubles(cap)),
            )
        )
    return Range(amount, amount)


def _compensation(row: Row, case: Case, findings: list[Finding]) -> Range | None:
    activity = row.label
    scale = row.compensation_by_listeners
    if scale is not None:
        listeners = case.listeners
        if listeners is None:
            if any(isinstance(b.percent, str) for b in scale):
                findings.append(
                    finding(row.section, Effect.COMPENSATION_AGREED_INDIVIDUALLY, activity=activity)
                )
                return None
            paying = [(b.percent, b.cap) for b in scale if isinstance(b.percent, int) and b.percent]
            if not paying:
                findings.append(finding(row.section, Effect.NO_COMPENSATION, activity=activity))
                return ZERO
            base = _base(row, case, findings)
            if base is None:
                findings.append(finding(row.section, Effect.NO_COST_ESTIMATE))
                return ZERO
            top = max(_share(base, percent, cap) for percent, cap in paying)
            return Range(0, top)
        bucket = _bucket(scale, listeners)
        if bucket is None or bucket.percent == 0:
            needed = next((b.from_ for b in scale if b.percent != 0), None)
            if needed is None:
                findings.append(finding(row.section, Effect.NO_COMPENSATION, activity=activity))
            else:
                findings.append(
                    finding(
                        row.section,
                        Effect.NO_COMPENSATION,
                        "listeners",
                        activity=activity,
                        needed=needed,
                        listeners=listeners,
                    )
                )
            return ZERO
        if isinstance(bucket.percent, str):
            findings.append(
                finding(row.section, Effect.COMPENSATION_AGREED_INDIVIDUALLY, activity=activity)
            )
            return None
        return _rate(row, case, findings, bucket.percent, bucket.cap)
    if isinstance(row.compensation, Rate):
        return _rate(row, case, findings, row.compensation.percent, row.compensation.cap)
    if row.compensation == "individual":
        findings.append(
            finding(row.section, Effect.COMPENSATION_AGREED_INDIVIDUALLY, activity=activity)
        )
        return None
    findings.append(finding(row.section, Effect.NO_COMPENSATION, activity=activity))
    return ZERO


def _article(rulebook: Rulebook, case: Case, points: Range, findings: list[Finding]) -> Range:
    rules = rulebook.article
    failed = len(findings)
    if case.article_length is not None and case.article_length <= rules.length_over:
        findings.append(finding(rules.section, Effect.ARTICLE_TOO_SHORT, over=rules.length_over))
    share = case.vendor_share_percent
    if share is not None and share <= rules.vendor_share_over:
        findings.append(
            finding(
                rules.section, Effect.ARTICLE_VENDOR_SHARE_TOO_LOW, over=rules.vendor_share_over
            )
        )
    if case.original is False:
        findings.append(finding(rules.section, Effect.ARTICLE_NOT_ORIGINAL))
    reach_known = case.circulation is not None or case.daily_views is not None
    if reach_known and not (
        (case.circulation or 0) >= rules.min_circulation
        or (case.daily_views or 0) >= rules.min_daily_views
    ):
        findings.append(
            finding(
                rules.section,
                Effect.ARTICLE_OUTLET_TOO_SMALL,
                circulation=rules.min_circulation,
                daily_views=rules.min_daily_views,
            )
        )
    if len(findings) > failed:
        return ZERO
    if case.article_length is None or share is None or case.original is None or not reach_known:
        findings.append(finding(rules.section, Effect.NEEDS_REPORT, "article"))
    return points


def _reductions(
    rulebook: Rulebook,
    case: Case,
    points: Range | None,
    compensation: Range | None,
    findings: list[Finding],
) -> tuple[Range | None, Range | None]:
    modifiers = rulebook.modifiers
    stand = modifiers.other_vendors_on_stand
    vendors = case.other_vendors_on_stand
    if compensation and compensation.max and vendors and case.kind in stand.kinds:
        keep = max(0, 100 - stand.percent_per_vendor * vendors)
        compensation = Range(compensation.min * keep // 100, compensation.max * keep // 100)
        findings.append(
            finding(
                stand.section,
                Effect.COMPENSATION_REDUCED_20PCT_PER_VENDOR,
                vendors=vendors,
                percent=stand.percent_per_vendor,
            )
        )
    speaker = modifiers.vendor_speaker
    if (
        points
        and points.max
        and speaker.points_reduction
        and (case.vendor_speaker_did_all_talks or case.other_products_in_program)
        and case.kind in speaker.kinds
    ):
        points = Range(max(0, points.min - speaker.points_reduction), points.max)
        findings.append(
            finding(
                speaker.section, Effect.POINTS_MAY_REDUCE_20, reduction=speaker.points_reduction
            )
        )
    third = modifiers.third_party
    if (
        compensation
        and compensation.max
        and case.third_party_companies > third.companies_over
        and case.kind in third.kinds
    ):
        speakers = case.third_party_speakers
        if speakers is None:
            speakers = case.third_party_companies  # one talk per company unless told otherwise
        if speakers and third.percent_per_speaker:
            keep = max(0, 100 - third.percent_per_speaker * speakers)
            compensation = Range(compensation.min * keep // 100, compensation.max)
            findings.append(
                finding(
                    third.section,
                    Effect.COMPENSATION_MAY_REDUCE_10PCT_PER_SPEAKER,
                    over=third.companies_over,
                    percent=third.percent_per_speaker,
                    speakers=speakers,
                )
            )
    return points, compensation


def _program(
    rulebook: Rulebook, case: Case, points: Range | None, findings: list[Finding]
) -> Program | None:
    section = rulebook.programs.section
    earns = points is None or points.max > 0
    if case.topic is Topic.MIXED:
        program = case.program
        if program is None and earns:
            findings.append(finding(section, Effect.PROGRAM_CHOICE_NEEDED))
    else:
        program = rulebook.programs.by_topic[case.topic]
        if case.program is not None and case.program is not program:
            findings.append(finding(section, Effect.PROGRAM_IGNORED, program=program.value))
    return program if earns else None


def _support(
    rulebook: Rulebook,
    case: Case,
    row: Row,
    removed: set[Support],
    findings: list[Finding],
) -> tuple[bool, bool]:
    lead = _lead_days(case)
    section = rulebook.lead_times.section
    info = False
    if case.info_support:
        needed = rulebook.lead_times.info_support_days
        if not row.info_support:
            findings.append(
                finding(row.section, Effect.INFO_SUPPORT_NOT_OFFERED, activity=row.label)
            )
        elif Support.INFO_SUPPORT in removed:
            pass  # the exclusion's finding says why
        elif lead is None or lead < needed:
            findings.append(finding(section, Effect.INFO_SUPPORT_TOO_LATE, needed=needed))
        else:
            info = True
            if (
                case.kind in rulebook.info_support.pause_kinds
                and case.event_date.month in rulebook.federal_program.months
            ):
                findings.append(
                    finding(rulebook.info_support.section, Effect.INFO_SUPPORT_MAY_PAUSE)
                )
    promo = False
    if case.promo_materials:
        needed = rulebook.lead_times.promo_materials_days
        if not row.promo_materials:
            findings.append(
                finding(row.section, Effect.PROMO_MATERIALS_NOT_OFFERED, activity=row.label)
            )
        elif Support.PROMO_MATERIALS in removed:
            pass
        elif lead is None or lead < needed:
            findings.append(finding(section, Effect.PROMO_MATERIALS_TOO_LATE, needed=needed))
        else:
            promo = True
    return info, promo


def assess(rulebook: Rulebook, case: Case) -> Assessment:
    row = rulebook.row_for(case.kind, case.topic)
    findings: list[Finding] = []
    removed = _exclusions(rulebook, case, findings)
    points = _points(row, case, findings)
    compensation = _compensation(row, case, findings)
    if case.kind is Kind.ARTICLE and points is not None:
        points = _article(rulebook, case, points, findings)
    if Support.POINTS in removed:
        points = ZERO
    if Support.COMPENSATION in removed:
        compensation = ZERO
    points, compensation = _reductions(rulebook, case, points, compensation, findings)
    program = _program(rulebook, case, points, findings)
    info, promo = _support(rulebook, case, row, removed, findings)
    if case.kind is Kind.FEDERAL_PROGRAM and case.event_date.month not in (
        months := rulebook.federal_program.months
    ):
        findings.append(
            finding(
                rulebook.federal_program.section,
                Effect.OUTSIDE_FEDERAL_PROGRAM_MONTHS,
                months=", ".join(str(m) for m in months),
            )
        )
    if case.printing_costs is not None and case.kind is not Kind.PROMO_MATERIALS:
        printing = rulebook.row_for(Kind.PROMO_MATERIALS, case.topic)
        findings.append(finding(printing.section, Effect.PRINTING_COSTS_SEPARATE))
    due = report_due(rulebook, case.event_date)
    credit = credit_due(rulebook, case.report_accepted_on or due)
    return Assessment(
        rulebook_name=rulebook.name,
        rulebook_effective_from=rulebook.effective_from,
        row=row.id,
        points=points,
        compensation=compensation,
        program=program,
        info_support=info,
        promo_materials=promo,
        report_due=due,
        credit_due=credit,
        expires_on=expires_on(rulebook, credit),
        findings=tuple(findings),
    )
