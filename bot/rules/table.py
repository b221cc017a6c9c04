"""What the summary table (§1) gives a case: its points and its compensation, before exclusions
and reductions. Money in kopecks."""

from typing import TypeVar

from bot.rules.case import Case
from bot.rules.effects import Effect, Finding, finding
from bot.rules.money import kopecks_to_rubles
from bot.rules.ranges import ZERO, Range
from bot.rules.rulebook_schema import CompensationBucket, PointsBucket, PointsRange, Rate, Row

_Bucket = TypeVar("_Bucket", PointsBucket, CompensationBucket)


def _bucket(buckets: tuple[_Bucket, ...], listeners: int) -> _Bucket | None:
    found = None
    for bucket in buckets:
        if listeners < bucket.from_:
            break
        found = bucket
    return found


def table_points(row: Row, case: Case, findings: list[Finding]) -> Range | None:
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


def table_compensation(row: Row, case: Case, findings: list[Finding]) -> Range | None:
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
