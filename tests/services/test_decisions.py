"""Decisions: the role is re-checked, a figure stays within the rules, and one tap decides once."""

from __future__ import annotations

import asyncio

from bot.config import Role, Settings
from bot.services import applications, decisions
from bot.services.decisions import Action, Outcome
from bot.storage.database import Database
from tests.services.test_partners_and_applications import NOW, RULEBOOK, person, webinar

SETTINGS = Settings(managers={Role.SPECIALIST: (10,), Role.HEAD: (20,), Role.PR: (30,)})


async def submitted(db: Database) -> int:
    await person(db, 1, "P-1")
    row, _ = await applications.submit(db, RULEBOOK, telegram_id=1, draft=webinar(), now=NOW)
    return row.id


async def test_a_partner_or_another_role_cannot_decide(db: Database) -> None:
    app_id = await submitted(db)
    for intruder in (1, 30):  # the partner itself; the PR manager for a webinar
        result = await decisions.decide(db, SETTINGS, RULEBOOK, application_id=app_id, version=1,
                                        manager_id=intruder, action=Action.APPROVE, now=NOW)
        assert result.outcome is Outcome.NOT_ALLOWED
    assert (await applications.visible(db, 1, app_id)).status == "pending"
    logged = await db.fetch_all("SELECT actor_id FROM audit_log WHERE action ="
                                " 'activity.forbidden'")
    assert [r[0] for r in logged] == [1, 30]


async def test_the_head_decides_anything(db: Database) -> None:
    app_id = await submitted(db)
    result = await decisions.decide(db, SETTINGS, RULEBOOK, application_id=app_id, version=1,
                                    manager_id=20, action=Action.REJECT, reason="late", now=NOW)
    assert result.outcome is Outcome.DONE


async def test_a_hundred_concurrent_approvals_make_one_decision(db: Database) -> None:
    app_id = await submitted(db)
    results = await asyncio.gather(*(
        decisions.decide(db, SETTINGS, RULEBOOK, application_id=app_id, version=1,
                         manager_id=10 if i % 2 else 20, action=Action.APPROVE, now=NOW)
        for i in range(100)
    ))
    assert [r.outcome for r in results].count(Outcome.DONE) == 1
    assert {r.outcome for r in results} == {Outcome.DONE, Outcome.ALREADY}
    rows = await db.fetch_all("SELECT COUNT(*) FROM decisions")
    assert rows[0][0] == 1


async def test_a_button_of_an_old_version_decides_nothing(db: Database) -> None:
    app_id = await submitted(db)
    result = await decisions.decide(db, SETTINGS, RULEBOOK, application_id=app_id, version=2,
                                    manager_id=10, action=Action.APPROVE, now=NOW)
    assert result.outcome is Outcome.ALREADY


async def test_a_picked_figure_outside_the_range_is_refused() -> None:
    assessment = {"points": {"min": 50, "max": 70}, "compensation": {"min": 0, "max": 30000}}
    assert decisions.points_range(assessment) == (50, 70)
    assert decisions.compensation_range(assessment) == (0, 3_000_000)
    assert decisions.fixed_figures({"points": {"min": 30, "max": 30},
                                    "compensation": {"min": 0, "max": 0}}) == (30, 0)


async def test_points_out_of_range_leave_the_application_pending(db: Database) -> None:
    app_id = await submitted(db)
    # a webinar's points are fixed (30): any other figure is outside what the rules allow
    result = await decisions.decide(db, SETTINGS, RULEBOOK, application_id=app_id, version=1,
                                    manager_id=10, action=Action.APPROVE, points=99, now=NOW)
    assert result.outcome is Outcome.OUT_OF_RANGE
    assert (await applications.visible(db, 1, app_id)).status == "pending"
