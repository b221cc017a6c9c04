"""Reports after events: open the form, send it, and the manager's review with the credit."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import aiosqlite

from bot.config import Role, Settings
from bot.forms.costs import compensable_total
from bot.forms.engine import SUMMARY, Draft
from bot.forms.report import REPORT
from bot.rules import Assessment, Rulebook, assess, report_due
from bot.services import ledger, outbox
from bot.services.applications import NotAllowed, case_from_answers
from bot.services.decisions import compensation_range, fixed_figures, points_range, settle
from bot.services.outbox import Subject
from bot.services.routing import may_decide
from bot.storage import applications, audit, copartners, drafts, partners, reports
from bot.storage import decisions as decisions_repo
from bot.storage.applications import ApplicationRow
from bot.storage.database import Database
from bot.storage.reports import ReportRow

log = logging.getLogger(__name__)
REPORTABLE = ("approved", "report_due")


async def reportable(db: Database, telegram_id: int, today: date) -> list[ApplicationRow]:
    """The person's partner's approved activities whose day has come, nearest first."""
    async def read(conn: aiosqlite.Connection) -> list[ApplicationRow]:
        member = await partners.member(conn, telegram_id)
        if member is None or member.state != "active":
            raise NotAllowed
        return await applications.of_partner(conn, member.partner_id)

    rows = await db.read_at_once(read)
    return [r for r in rows if r.status in REPORTABLE and date.fromisoformat(r.event_date) <= today]


async def open_report(db: Database, *, telegram_id: int, application_id: int,
                      now: datetime) -> Draft:
    """The report draft for an approved activity of the person's own partner (resumed if one
    is in progress, or the last report's answers when the manager asked for more)."""

    async def work(conn: aiosqlite.Connection) -> Draft:
        member = await partners.member(conn, telegram_id)
        row = await applications.get(conn, application_id)
        if member is None or member.state != "active" or row is None or (
            row.partner_id != member.partner_id
        ):
            raise NotAllowed
        existing = await reports.of_application(conn, application_id)
        if row.status not in REPORTABLE and not (existing and existing.status == "more_requested"):
            raise NotAllowed
        saved = await drafts.load_in(conn, telegram_id, REPORT.name)
        if saved is not None and saved.get("answers", {}).get("application_id") == application_id:
            return Draft.from_json(saved)
        if existing is not None:
            draft = Draft(form=REPORT.name, answers=dict(existing.answers), current=SUMMARY)
        else:
            costs = row.answers.get("costs") or []
            listed = await copartners.of_application(conn, application_id)
            draft = Draft(form=REPORT.name, answers={
                "application_id": application_id, "kind": row.kind,
                "costs_agreed": compensable_total(costs) > 0 or bool(row.answers.get("stand_rent")),
                "copartners": [{"id": c.id, "name": c.name} for c in listed],
                "planned_costs": costs,  # offered as the actual costs with one tap
            })
            REPORT.fill_defaults(draft.answers)
            draft.current = REPORT.next_key(draft.answers)
        await drafts.save(conn, telegram_id, REPORT.name, draft.to_json(), now,
                          application_id=application_id)
        return draft

    return await db.atomically(work)


# RULEBOOK §7 "one figure, picked once": in a report's assessment, the points picked at approval
# and the rules' range they were picked from (for a deliberate change at acceptance).
PICKED_POINTS, RULES_POINTS = "points_picked", "points_by_rules"
_PICK_FINDINGS = ("points_manager_picks", "points_set_by_manager")


def with_picked_points(assessment: dict[str, Any], picked: int | None) -> dict[str, Any]:
    """The assessment with the figure the manager picked at approval where the rules still
    leave one to pick (a report that changed nothing of it); the range is no longer shown."""
    rules = assessment.get("points")
    if picked is None or points_range(assessment) is None or (
        rules is not None and not rules["min"] <= picked <= rules["max"]
    ):
        return assessment
    findings = [f for f in assessment.get("findings") or () if f["effect"] not in _PICK_FINDINGS]
    return {**assessment, "points": {"min": picked, "max": picked}, "findings": findings,
            PICKED_POINTS: picked, RULES_POINTS: rules}


def rules_points(assessment: dict[str, Any]) -> dict[str, Any]:
    """The assessment with the rules' points again, to change a figure picked at approval."""
    if PICKED_POINTS not in assessment:
        return assessment
    return {**assessment, "points": assessment[RULES_POINTS]}


async def expected(conn: aiosqlite.Connection, rulebook: Rulebook, row: ApplicationRow,
                   report: dict[str, Any]) -> dict[str, Any]:
    """What the report earns, as the partner and the reviewing manager see it."""
    approval = await decisions_repo.latest(conn, row.id)
    picked = approval.points if approval is not None and approval.action == "approved" else None
    found = final_assessment(rulebook, row, report).to_json_dict()
    if _documented_costs(report) is not None:
        found["basis"] = "documented"  # RULEBOOK §7: counted on the documented actual costs
    return with_picked_points(found, picked)


async def expected_for(db: Database, rulebook: Rulebook,
                       report: dict[str, Any]) -> dict[str, Any]:
    """`expected` for the report's own activity, read in one trip."""
    async def read(conn: aiosqlite.Connection) -> dict[str, Any]:
        row = await applications.get(conn, int(report["application_id"]))
        assert row is not None
        return await expected(conn, rulebook, row, report)

    return await db.read_at_once(read)


def final_assessment(rulebook: Rulebook, row: ApplicationRow,
                     report: dict[str, Any]) -> Assessment:
    """What the activity earns now: the actual listeners and documented costs."""
    case = case_from_answers(
        row.answers, applied_on=datetime.fromisoformat(row.submitted_at).date(),
        listeners=report.get("listeners"), actual_costs=_documented_costs(report),
    )
    return assess(rulebook, case)


def _documented_costs(report: dict[str, Any]) -> int | None:
    """Kopecks: the compensable lines, or an exhibition's rent plus fee."""
    if report.get("actual_stand_rent") is not None:
        return int(report["actual_stand_rent"]) + int(report.get("actual_registration_fee") or 0)
    actual = report.get("actual_costs")
    return compensable_total(actual) if actual else None


@dataclass(frozen=True, slots=True)
class Sent:
    report: ReportRow
    application: ApplicationRow


async def send(db: Database, rulebook: Rulebook, *, telegram_id: int, draft: Draft,
               now: datetime, settings: Settings | None = None) -> Sent:
    """Store the report for review; with `settings`, its cards to whoever decides the activity
    go to the outbox in the same transaction."""
    application_id = int(draft.answers["application_id"])
    answers = REPORT.submitted(draft.answers)  # without the form's own bookkeeping

    async def work(conn: aiosqlite.Connection) -> Sent:
        member = await partners.member(conn, telegram_id)
        row = await applications.get(conn, application_id)
        if member is None or row is None or row.partner_id != member.partner_id:
            raise NotAllowed
        existing = await reports.of_application(conn, application_id)
        if existing is not None and existing.status != "more_requested":
            raise NotAllowed
        if existing is None and row.status not in REPORTABLE:
            raise NotAllowed
        assessment = await expected(conn, rulebook, row, answers)
        late = now.date() > report_due(rulebook, date.fromisoformat(row.event_date))
        report_id = await reports.save_sent(
            conn, application_id=application_id, partner_id=row.partner_id,
            author_id=telegram_id, answers=answers, assessment=assessment,
            late=late, now=now,
        )
        await applications.set_status(conn, application_id, expected=REPORTABLE,
                                      status="report_sent", now=now)
        for item in answers.get("brought") or ():  # the figure each co-partner brought
            await copartners.set_brought(conn, int(item["id"]), int(item["brought"]),
                                         application_id=application_id)
        await audit.record(conn, at=now, actor_id=telegram_id, action="report.sent",
                           subject=f"application:{application_id}",
                           details={"report": report_id, "late": late,
                                    "assessment": assessment})
        await drafts.delete(conn, telegram_id, REPORT.name)
        report = await reports.get(conn, report_id)
        updated = await applications.get(conn, application_id)
        assert report is not None and updated is not None
        if settings is not None:
            await outbox.cards(conn, settings, Subject.REPORT, report.id, report.version,
                               to=outbox.deciders(settings, Role(updated.role)), now=now)
            await outbox.confirm_sent(conn, settings, Subject.REPORT, report.id, report.version,
                                      to=telegram_id, role=Role(updated.role), now=now,
                                      summary=draft.prompt_id,
                                      id=application_id)
        return Sent(report, updated)

    return await db.atomically(work)


async def waiting(db: Database, roles: tuple[str, ...] | None
                  ) -> list[tuple[ReportRow, ApplicationRow]]:
    """Reports waiting for these roles' review (None: every role), oldest first, each with
    its activity."""
    found = []
    for report in await reports.waiting(db.conn, roles):
        row = await applications.get(db.conn, report.application_id)
        if row is not None:
            found.append((report, row))
    return found


async def of_application(db: Database, application_id: int) -> ReportRow | None:
    """The report on an activity, if there is one."""
    return await reports.of_application(db.conn, application_id)


async def under_review(db: Database, report_id: int) -> tuple[ReportRow, ApplicationRow] | None:
    """A report with the activity it reports on (whose role reviews it)."""
    report = await reports.get(db.conn, report_id)
    row = await applications.get(db.conn, report.application_id) if report else None
    return None if report is None or row is None else (report, row)


class Review(enum.StrEnum):
    ACCEPT = "accepted"
    REJECT = "rejected"
    MORE = "more_requested"


class ReviewOutcome(enum.StrEnum):
    DONE = "done"
    ALREADY = "already"
    NOT_ALLOWED = "not_allowed"
    OUT_OF_RANGE = "out_of_range"


@dataclass(frozen=True, slots=True)
class Reviewed:
    outcome: ReviewOutcome
    report: ReportRow | None = None
    application: ApplicationRow | None = None


async def review(
    db: Database, settings: Settings, rulebook: Rulebook, *, report_id: int, version: int,
    manager_id: int, action: Review, now: datetime, reason: str | None = None,
    points: int | None = None, compensation: int | None = None, change_points: bool = False,
) -> Reviewed:
    """Accept, reject or ask for more — once per version; the presser must hold the role.
    `change_points`: accepted with other points than those picked at approval (RULEBOOK §7).
    An accepted report is credited to the ledger once (idempotent by the report's id), and a
    tap on an accepted report credits it if a crash came between acceptance and credit."""
    reviewed = await _decide_review(
        db, settings, report_id=report_id, version=version, manager_id=manager_id,
        action=action, now=now, reason=reason, points=points, compensation=compensation,
        change_points=change_points,
    )
    if reviewed.report is not None and reviewed.report.status == Review.ACCEPT.value and (
        reviewed.outcome in (ReviewOutcome.DONE, ReviewOutcome.ALREADY)
    ):
        await credit(db, rulebook, reviewed.report, now)
    return reviewed


async def credit(db: Database, rulebook: Rulebook, report: ReportRow, now: datetime) -> bool:
    return await ledger.credit_report(
        db, rulebook, report_id=report.id, partner_id=report.partner_id,
        # Kinds without a topic (exhibitions, articles, other) credit the Site Management program.
        program=report.assessment.get("program") or "site_management", points=report.points or 0,
        compensation=report.compensation or 0,
        credited_on=now.date(), by=report.decided_by, now=now,
    )


async def _decide_review(
    db: Database, settings: Settings, *, report_id: int, version: int, manager_id: int,
    action: Review, now: datetime, reason: str | None, points: int | None,
    compensation: int | None, change_points: bool,
) -> Reviewed:
    async with db.transaction() as conn:
        report = await reports.get(conn, report_id)
        if report is None:
            return Reviewed(ReviewOutcome.NOT_ALLOWED)
        row = await applications.get(conn, report.application_id)
        assert row is not None
        if not may_decide(settings, manager_id, row.role):
            await audit.record(conn, at=now, actor_id=manager_id, action="report.forbidden",
                               subject=f"application:{row.id}", details={"report": report_id})
            return Reviewed(ReviewOutcome.NOT_ALLOWED, report, row)
        if report.version != version or report.status != "sent":
            return Reviewed(ReviewOutcome.ALREADY, report, row)
        picked = report.assessment.get(PICKED_POINTS)
        if action is Review.ACCEPT:
            figures = rules_points(report.assessment) if change_points else report.assessment
            fixed_points, fixed_money = fixed_figures(figures)
            points_ok, points = settle(points, points_range(figures), fixed_points)
            money_ok, compensation = settle(compensation, compensation_range(figures),
                                            fixed_money)
            if not (points_ok and money_ok):
                return Reviewed(ReviewOutcome.OUT_OF_RANGE, report, row)
        if not await reports.decide(conn, report_id, version=version, status=action.value,
                                    by=manager_id, reason=reason, points=points,
                                    compensation=compensation, now=now):
            return Reviewed(ReviewOutcome.ALREADY, report, row)
        status = {Review.ACCEPT: "credited", Review.REJECT: "rejected",
                  Review.MORE: "report_due"}[action]
        await applications.set_status(conn, row.id, expected=("report_sent",), status=status,
                                      now=now)
        await audit.record(conn, at=now, actor_id=manager_id, action=f"report.{action.value}",
                           subject=f"application:{row.id}",
                           details={"report": report_id, "version": version, "reason": reason,
                                    "points": points, "compensation": compensation,
                                    "before": "sent", "after": action.value,
                                    "points_picked_at_approval": picked,
                                    "points_changed": picked is not None and points != picked
                                    and action is Review.ACCEPT})
        decided = await reports.get(conn, report_id)
        updated = await applications.get(conn, row.id)
        await outbox.decided(conn, settings, Subject.REPORT, report.id, version,
                             partner_to=[report.author_id], now=now)
    return Reviewed(ReviewOutcome.DONE, decided, updated)
