"""Applications: drafts saved at every step, pricing by the rules, submission, withdrawal."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import aiosqlite

from bot.config import Role, Settings
from bot.forms import engine
from bot.forms.application import APPLICATION, CONDITIONS, NOT_REPEATED, REMEMBERED, kind_of
from bot.forms.costs import compensable_total
from bot.forms.engine import Draft
from bot.rules import Assessment, Case, Rulebook, assess
from bot.services import outbox
from bot.services.outbox import Subject
from bot.services.routing import role_for
from bot.storage import applications, audit, drafts, partners, reminders
from bot.storage.applications import ApplicationRow
from bot.storage.database import Database

APPLY_FORM = "apply"
OPEN_STATUSES = ("pending", "changes_requested")


def _rubles(kopecks: int | None) -> Decimal | None:
    return None if kopecks is None else Decimal(kopecks) / 100


def wants_info_support(answers: dict[str, Any]) -> bool:
    return answers.get("support") in ("both", "info")


def case_from_answers(
    answers: dict[str, Any], applied_on: date | None, listeners: int | None = None,
    actual_costs: int | None = None,
) -> Case:
    """The rules' view of an application (the CASE contract) from the form's answers.

    `listeners` are the actual ones from a report (before it, a quote uses the planned number);
    `actual_costs` the documented compensable kopecks from the report.
    """
    conditions = set(answers.get("conditions") or ())
    costs = answers.get("costs")
    data: dict[str, Any] = {
        "kind": kind_of(answers),
        "topic": answers.get("topic"),
        "program": answers.get("program"),
        "audience": answers.get("audience"),
        "title": answers.get("title") or answers.get("event_name"),
        "event_date": answers["event_date"],
        "applied_on": applied_on.isoformat() if applied_on else None,
        "listeners": listeners,
        "info_support": wants_info_support(answers),
        "promo_materials": answers.get("support") in ("both", "promo"),
        "agreed_costs": _rubles(compensable_total(costs)) if costs else None,
        "actual_costs": _rubles(actual_costs),
        "stand_rent": _rubles(answers.get("stand_rent")),
        "registration_fee": _rubles(answers.get("registration_fee")),
        "other_vendors_on_stand": answers.get("other_vendors_on_stand"),
        "competing_products_on_stand": answers.get("competing_products_on_stand"),
        "competitors": answers.get("competitors"),
        "printing_costs": _rubles(answers.get("printing_costs")),
        "article_length": answers.get("article_length"),
        "circulation": answers.get("reach"),
        "original": answers.get("original"),
    }
    for condition in CONDITIONS:
        if condition == "third_party_companies":
            # The form asks only whether more than two non-partner companies take part (§2.2);
            # three is the least that makes it so, one speaker each.
            data["third_party_companies"] = 3 if condition in conditions else 0
        else:
            data[condition] = condition in conditions
    return Case.model_validate(data)


def rulebook_label(assessment: Assessment) -> str:
    return f"{assessment.rulebook_name} ({assessment.rulebook_effective_from})"


def price(rulebook: Rulebook, answers: dict[str, Any], today: date) -> Assessment:
    """What the application is expected to earn if approved today and the planned listeners
    come (the quote a partner sees before spending money)."""
    planned = answers.get("planned_listeners")
    return assess(rulebook, case_from_answers(answers, applied_on=today, listeners=planned))


async def load_draft(db: Database, telegram_id: int, form: str) -> Draft | None:
    data = await drafts.load(db, telegram_id, form)
    return Draft.from_json(data) if data else None


async def save_draft(db: Database, telegram_id: int, draft: Draft, now: datetime) -> None:
    await drafts.save_alone(db, telegram_id, draft.form, draft.to_json(), now)


async def discard_draft(db: Database, telegram_id: int, form: str) -> None:
    async with db.transaction() as conn:
        await drafts.delete(conn, telegram_id, form)


class NotAllowed(Exception):
    """The person may not do this (not an active employee, or not their partner's)."""


async def submit(
    db: Database, rulebook: Rulebook, *, telegram_id: int, draft: Draft, now: datetime,
    settings: Settings | None = None,
) -> tuple[ApplicationRow, Assessment]:
    """Store the application as waiting for a decision and drop the draft, in one transaction;
    with `settings`, its cards to whoever decides go to the outbox in the same one."""
    assessment = price(rulebook, draft.answers, now.date())
    answers = APPLICATION.submitted(draft.answers)

    async def work(conn: aiosqlite.Connection) -> ApplicationRow:
        member = await partners.member(conn, telegram_id)
        if member is None or member.state != "active":
            raise NotAllowed
        application_id = await applications.insert(
            conn, partner_id=member.partner_id, author_id=telegram_id,
            kind=kind_of(answers), title=str(answers.get("title") or answers.get("event_name")),
            event_date=answers["event_date"], answers=answers,
            assessment=assessment.to_json_dict(),
            rulebook=rulebook_label(assessment), role=role_for(kind_of(answers)).value,
            now=now,
        )
        await audit.record(conn, at=now, actor_id=telegram_id, action="activity.submitted",
                           subject=f"application:{application_id}",
                           details={"after": "pending", "assessment": assessment.to_json_dict()})
        await drafts.delete(conn, telegram_id, draft.form)
        row = await applications.get(conn, application_id)
        assert row is not None
        if settings is not None:
            await outbox.cards(conn, settings, Subject.APPLICATION, row.id, row.version,
                               to=outbox.deciders(settings, Role(row.role)), now=now)
            await outbox.confirm_sent(conn, settings, Subject.APPLICATION, row.id, row.version,
                                      to=telegram_id, role=Role(row.role), now=now,
                                      summary=draft.prompt_id, id=row.id)
        return row

    return await db.atomically(work), assessment


async def of_member(db: Database, telegram_id: int) -> list[ApplicationRow]:
    """Every application of the person's partner (all employees see them), newest event first."""
    member = await partners.member(db.conn, telegram_id)
    if member is None or member.state != "active":
        raise NotAllowed
    return await applications.of_partner(db.conn, member.partner_id)


async def visible(db: Database, telegram_id: int, application_id: int) -> ApplicationRow:
    """One application, only if it belongs to the person's own partner."""
    member = await partners.member(db.conn, telegram_id)
    row = await applications.get(db.conn, application_id)
    if member is None or member.state != "active" or row is None or (
        row.partner_id != member.partner_id
    ):
        raise NotAllowed
    return row


async def previous_answers(db: Database, telegram_id: int, kind: str) -> dict[str, Any]:
    """What the person's company answered last time to the questions it answers the same way
    every time (its newest application of this kind, by any employee); empty if none."""
    async def read(conn: aiosqlite.Connection) -> ApplicationRow | None:
        member = await partners.member(conn, telegram_id)
        if member is None or member.state != "active":
            return None
        return await applications.newest_of_kind(conn, member.partner_id, kind)

    row = await db.read_at_once(read)
    if row is None:
        return {}
    return {key: row.answers[key] for key in REMEMBERED if row.answers.get(key) is not None}


async def repeat(db: Database, *, telegram_id: int, application_id: int,
                 now: datetime) -> Draft:
    """🔁 Repeat: a new draft with the application's answers copied, asking only the date (and
    what the rules need anew once it is known). Only the company's own application."""
    row = await visible(db, telegram_id, application_id)
    copied = {k: v for k, v in APPLICATION.submitted(row.answers).items() if k not in NOT_REPEATED}
    answers: dict[str, Any] = {**copied, "same_as_before": "same", engine.PREVIOUS: copied}
    engine.mark_filled(answers, [*copied, "same_as_before"])
    draft = engine.start(APPLICATION, answers)
    await save_draft(db, telegram_id, draft, now)
    return draft


class Withdrawn(enum.StrEnum):
    DONE = "done"
    TOO_LATE = "too_late"  # a decision came first


async def withdraw(db: Database, *, telegram_id: int, application_id: int,
                   now: datetime) -> Withdrawn:
    await visible(db, telegram_id, application_id)
    async with db.transaction() as conn:
        changed = await applications.set_status(
            conn, application_id, expected=OPEN_STATUSES, status="withdrawn", now=now
        )
        if not changed:
            return Withdrawn.TOO_LATE
        await reminders.cancel_planned(conn, application_id, note="withdrawn", now=now)
        await audit.record(conn, at=now, actor_id=telegram_id, action="activity.withdrawn",
                           subject=f"application:{application_id}",
                           details={"after": "withdrawn"})
    return Withdrawn.DONE
