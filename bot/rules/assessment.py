"""What a case earns: points, compensation, program, support still possible, dates, findings.

Ranges express the manager's discretion: `min` has every discretionary reduction applied, `max`
none; a range the manager picks from (an exhibition's 50 to 70) is that range. None means the
manager sets the figure individually. When points depend on a report that is not there yet
(no `listeners`), the range covers the whole scale and a `needs_report` finding says so.
"""

from dataclasses import dataclass
from datetime import date

from bot.rules.announcement_limits import may_pause
from bot.rules.articles import article_points
from bot.rules.case import Case
from bot.rules.deadlines import credit_due, expires_on, report_due
from bot.rules.effects import Effect, Finding, finding
from bot.rules.exclusions import apply_exclusions, lead_days
from bot.rules.money import kopecks_to_rubles
from bot.rules.ranges import ZERO, Range
from bot.rules.reductions import apply_reductions
from bot.rules.rulebook import Rulebook
from bot.rules.rulebook_schema import Row
from bot.rules.table import table_compensation, table_points
from bot.rules.vocabulary import Kind, Program, Support, Topic


@dataclass(frozen=True, slots=True)
class Assessment:
    """The answer for one case; `points`/`compensation` are None when the manager sets them."""

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
    lead = lead_days(case)
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
            if may_pause(rulebook, case.kind, case.event_date):
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
    removed = apply_exclusions(rulebook, case, findings)
    points = table_points(row, case, findings)
    compensation = table_compensation(row, case, findings)
    if case.kind is Kind.ARTICLE and points is not None:
        points = article_points(rulebook, case, points, findings)
    if Support.POINTS in removed:
        points = ZERO
    if Support.COMPENSATION in removed:
        compensation = ZERO
    points, compensation = apply_reductions(rulebook, case, points, compensation, findings)
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
