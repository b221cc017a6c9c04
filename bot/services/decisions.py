"""Managers' decisions: approve / reject / ask for changes, once and only once, audited."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.config import Role, Settings
from bot.forms.application import APPLICATION
from bot.forms.engine import Draft
from bot.rules import Rulebook
from bot.rules.announcement_limits import may_pause
from bot.services import outbox, reminders
from bot.services.applications import NotAllowed, price, rulebook_label, wants_info_support
from bot.services.outbox import Subject
from bot.services.routing import may_decide
from bot.storage import applications, audit, decisions, drafts, partners
from bot.storage.applications import ApplicationRow
from bot.storage.database import Database
from bot.storage.decisions import DecisionRow

ESCALATE_AFTER_WORKING_DAYS = 2
MAX_INDIVIDUAL_POINTS = 200  # "set by the manager" has no upper bound in the rulebook


class Action(enum.StrEnum):
    APPROVE = "approved"
    REJECT = "rejected"
    CHANGES = "changes_requested"


class Outcome(enum.StrEnum):
    DONE = "done"
    ALREADY = "already"          # decided before (another tap, another manager, an old card)
    NOT_ALLOWED = "not_allowed"  # the presser does not hold the card's role
    NOT_FOUND = "not_found"
    OUT_OF_RANGE = "out_of_range"  # a figure outside what the rules allow


@dataclass(frozen=True, slots=True)
class Result:
    outcome: Outcome
    application: ApplicationRow | None = None
    decision: DecisionRow | None = None


def points_range(assessment: dict[str, Any]) -> tuple[int, int] | None:
    """The points the manager may pick from; None when there is nothing to pick."""
    points = assessment.get("points")
    if points is None:
        return (0, MAX_INDIVIDUAL_POINTS)
    low, high = int(points["min"]), int(points["max"])
    return (low, high) if low < high else None


def compensation_range(assessment: dict[str, Any]) -> tuple[int, int | None] | None:
    """Kopecks the manager may pick from (None as the top: any amount); None: nothing to pick."""
    money = assessment.get("compensation")
    if money is None:
        return (0, None)
    low, high = round(money["min"] * 100), round(money["max"] * 100)
    return (low, high) if low < high else None


def fixed_figures(assessment: dict[str, Any]) -> tuple[int | None, int | None]:
    """Points and kopecks when the rules leave no choice."""
    points = assessment.get("points")
    money = assessment.get("compensation")
    return (
        int(points["min"]) if points is not None and points_range(assessment) is None else None,
        round(money["min"] * 100) if money is not None and compensation_range(assessment) is None
        else None,
    )


def settle(value: int | None, allowed: tuple[int, int | None] | None,
            fixed: int | None) -> tuple[bool, int | None]:
    """(acceptable, the figure to record): the fixed figure where the rules leave no choice,
    else the picked one, which must be given and within the range."""
    if allowed is None:
        return value is None or value == fixed, fixed
    low, high = allowed
    ok = value is not None and low <= value and (high is None or value <= high)
    return ok, value


def may_pause_info(rulebook: Rulebook, row: ApplicationRow) -> bool:
    """The card offers «Approve, pause info support»: the application asked for info support
    for a kind a special program pauses, in its month (RULEBOOK §7)."""
    return (wants_info_support(row.answers)
            and may_pause(rulebook, row.kind, date.fromisoformat(row.event_date)))


async def decide(
    db: Database, settings: Settings, rulebook: Rulebook, *, application_id: int, version: int,
    manager_id: int, action: Action, now: datetime, reason: str | None = None,
    points: int | None = None, compensation: int | None = None,
    pause_info_support: bool = False,
) -> Result:
    """`pause_info_support`: approved with the info support paused (RULEBOOK §7), which only a
    Federal Program month allows for the paused kinds."""
    async with db.transaction() as conn:
        row = await applications.get(conn, application_id)
        if row is None:
            return Result(Outcome.NOT_FOUND)
        if not may_decide(settings, manager_id, row.role):
            await audit.record(conn, at=now, actor_id=manager_id, action="activity.forbidden",
                               subject=f"application:{row.id}", details={"tried": action.value})
            return Result(Outcome.NOT_ALLOWED, row)
        if row.version != version or row.status != "pending":
            return Result(Outcome.ALREADY, row, await decisions.latest(conn, row.id))
        if pause_info_support and not (action is Action.APPROVE and may_pause_info(rulebook, row)):
            return Result(Outcome.NOT_ALLOWED, row)
        if action is Action.APPROVE:
            fixed_points, fixed_money = fixed_figures(row.assessment)
            points_ok, points = settle(points, points_range(row.assessment), fixed_points)
            money_ok, compensation = settle(compensation, compensation_range(row.assessment),
                                             fixed_money)
            if not (points_ok and money_ok):
                return Result(Outcome.OUT_OF_RANGE, row)
        if not await applications.set_status(conn, row.id, expected=("pending",),
                                             status=action.value, now=now):
            return Result(Outcome.ALREADY, row, await decisions.latest(conn, row.id))
        await decisions.insert(
            conn, application_id=row.id, version=row.version, action=action.value,
            manager_id=manager_id, reason=reason, points=points, compensation=compensation,
            assessment=row.assessment, rulebook=row.rulebook, now=now,
            info_support_paused=pause_info_support,
        )
        await audit.record(
            conn, at=now, actor_id=manager_id, action=f"activity.{action.value}",
            subject=f"application:{row.id}",
            details={"before": "pending", "after": action.value, "version": row.version,
                     "reason": reason, "points": points, "compensation": compensation,
                     "assessment": row.assessment, "rulebook": row.rulebook,
                     "info_support_paused": pause_info_support},
        )
        decided = await applications.get(conn, row.id)
        latest = await decisions.latest(conn, row.id)
        if action is Action.APPROVE and decided is not None:
            await reminders.plan(conn, settings, rulebook, decided, now)  # same transaction
        # The card's copies closed and the partner told: outbox rows, in the same transaction.
        await outbox.decided(conn, settings, Subject.APPLICATION, row.id, row.version,
                             partner_to=[row.author_id], now=now)
    return Result(Outcome.DONE, decided, latest)


async def start_changes(db: Database, *, telegram_id: int, application_id: int,
                        now: datetime) -> Draft:
    """Open an application sent back for changes as a draft of the same form, linked to it."""
    async with db.transaction() as conn:
        member = await partners.member(conn, telegram_id)
        row = await applications.get(conn, application_id)
        if member is None or member.state != "active" or row is None or (
            row.partner_id != member.partner_id or row.status != "changes_requested"
        ):
            raise NotAllowed
        draft = Draft(form="apply", answers=dict(row.answers), current="=summary")
        await drafts.save(conn, telegram_id, "apply", draft.to_json(), now,
                          application_id=application_id)
    return draft


async def draft_application(db: Database, telegram_id: int) -> int | None:
    """The application a person's apply-draft is changing, if it is one."""
    row = await db.fetch_one(
        "SELECT application_id FROM drafts WHERE telegram_id = ? AND form = 'apply'",
        (telegram_id,),
    )
    return int(row[0]) if row and row[0] is not None else None


@dataclass(frozen=True, slots=True)
class Resubmitted:
    application: ApplicationRow
    changed: dict[str, tuple[Any, Any]]  # answer key → (before, after)


async def resubmit(db: Database, rulebook: Rulebook, *, telegram_id: int, application_id: int,
                   draft: Draft, now: datetime, settings: Settings | None = None) -> Resubmitted:
    """The changed application is pending again, as its next version; with `settings`, its
    cards (saying what changed) go to the outbox in the same transaction."""
    assessment = price(rulebook, draft.answers, now.date())
    answers = APPLICATION.submitted(draft.answers)
    async with db.transaction() as conn:
        member = await partners.member(conn, telegram_id)
        before = await applications.get(conn, application_id)
        if member is None or before is None or before.partner_id != member.partner_id:
            raise NotAllowed
        changed = {
            key: (before.answers.get(key), answers.get(key))
            for key in sorted(set(before.answers) | set(answers))
            if before.answers.get(key) != answers.get(key)
        }
        ok = await applications.resubmit(
            conn, application_id, title=str(answers.get("title") or answers.get("event_name")),
            event_date=answers["event_date"], answers=answers,
            assessment=assessment.to_json_dict(), rulebook=rulebook_label(assessment), now=now,
        )
        if not ok:
            raise NotAllowed
        await audit.record(conn, at=now, actor_id=telegram_id, action="activity.resubmitted",
                           subject=f"application:{application_id}",
                           details={"before": "changes_requested", "after": "pending",
                                    "changed": sorted(changed)})
        await drafts.delete(conn, telegram_id, draft.form)
        row = await applications.get(conn, application_id)
        assert row is not None
        if settings is not None:
            await outbox.cards(conn, settings, Subject.APPLICATION, row.id, row.version,
                               to=outbox.deciders(settings, Role(row.role)), now=now,
                               note={"key": "cards.changed", "version": row.version,
                                     "fields": sorted(changed),
                                     "was": {k: was for k, (was, _) in changed.items()}})
            await outbox.confirm_sent(conn, settings, Subject.APPLICATION, row.id, row.version,
                                      to=telegram_id, role=Role(row.role), now=now,
                                      summary=draft.prompt_id, id=row.id)
    return Resubmitted(row, changed)


async def stalled(db: Database, rulebook: Rulebook, now: datetime) -> list[ApplicationRow]:
    """Pending longer than the escalation limit in working days and not escalated yet."""
    found = []
    for row in await applications.pending(db.conn, None):
        if row.escalated_at is not None:
            continue
        submitted = datetime.fromisoformat(row.submitted_at).astimezone(now.tzinfo)
        limit_day = rulebook.work_calendar.add_working_days(submitted.date(),
                                                            ESCALATE_AFTER_WORKING_DAYS)
        if now >= datetime.combine(limit_day, submitted.timetz()):
            found.append(row)
    return found


async def escalate(db: Database, settings: Settings, row: ApplicationRow,
                   now: datetime) -> bool:
    """Once: the application's card goes to the head (an outbox row in the same transaction)."""
    async with db.transaction() as conn:
        marked = await applications.mark_escalated(conn, row.id, now)
        if marked:
            await audit.record(conn, at=now, actor_id=None, action="activity.escalated",
                               subject=f"application:{row.id}",
                               details={"to": Role.HEAD.value})
            await outbox.cards(conn, settings, Subject.APPLICATION, row.id, row.version,
                               to=settings.managers.get(Role.HEAD, ()), now=now,
                               why="escalated",
                               note={"key": "cards.escalated",
                                     "days": ESCALATE_AFTER_WORKING_DAYS})
    return marked


async def reassign(db: Database, settings: Settings, *, application_id: int, role: Role,
                   by: int, now: datetime) -> ApplicationRow | None:
    """The head gives a pending application to another role; its card goes to that role's
    members (outbox rows in the same transaction)."""
    async with db.transaction() as conn:
        row = await applications.get(conn, application_id)
        if row is None or row.status != "pending":
            return None
        await applications.set_role(conn, application_id, role.value, now)
        await audit.record(conn, at=now, actor_id=by, action="activity.reassigned",
                           subject=f"application:{application_id}",
                           details={"before": row.role, "after": role.value})
        await outbox.cards(conn, settings, Subject.APPLICATION, row.id, row.version,
                           to=settings.members_of(role), now=now, why=f"to-{role.value}",
                           note={"key": "cards.reassigned_note", "by": by})
        return await applications.get(conn, application_id)


async def history(db: Database, application_id: int) -> list[dict[str, Any]]:
    rows = await db.fetch_all(
        "SELECT at, actor_id, action, details FROM audit_log WHERE subject = ? ORDER BY id",
        (f"application:{application_id}",),
    )
    return [{"at": r[0], "actor_id": r[1], "action": r[2], "details": json.loads(r[3])}
            for r in rows]


async def application(db: Database, application_id: int) -> ApplicationRow | None:
    return await applications.get(db.conn, application_id)


async def latest(db: Database, application_id: int) -> DecisionRow | None:
    """The application's last decision, if any."""
    return await decisions.latest(db.conn, application_id)


async def pending(db: Database, roles: tuple[str, ...] | None) -> list[ApplicationRow]:
    """What waits for these roles' decision (None: every role), oldest first."""
    return await applications.pending(db.conn, roles)


async def await_answer(db: Database, *, chat_id: int, prompt_id: int, user_id: int,
                       purpose: str, data: dict[str, Any], now: datetime) -> None:
    async with db.transaction() as conn:
        await decisions.await_answer(conn, chat_id=chat_id, prompt_id=prompt_id,
                                     user_id=user_id, purpose=purpose, data=data, now=now)


async def forget_awaited(db: Database, *, chat_id: int, prompt_id: int) -> None:
    async with db.transaction() as conn:
        await decisions.forget_awaited(conn, chat_id=chat_id, prompt_id=prompt_id)


async def take_awaited(db: Database, *, chat_id: int, user_id: int,
                       prompt_id: int | None) -> decisions.Awaited | None:
    async with db.transaction() as conn:
        return await decisions.take_awaited(conn, chat_id=chat_id, user_id=user_id,
                                            prompt_id=prompt_id)
