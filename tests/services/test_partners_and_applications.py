"""Services guard who may do what: a partner never reaches another partner's data."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.forms.engine import Draft
from bot.rules import load_rulebook
from bot.services import applications, partners
from bot.services.applications import NotAllowed, Withdrawn
from bot.services.partners import DecideMember, JoinResult
from bot.services.users import see_user
from bot.storage.database import Database

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))
RULEBOOK = load_rulebook()


async def person(db: Database, telegram_id: int, code: str, company: str = "Acme") -> None:
    await see_user(db, telegram_id=telegram_id, first_name="X", username=None, language="en",
                   now=NOW)
    await partners.join(db, telegram_id=telegram_id, now=NOW, answers={
        "partner_code": code, "company": company, "city": "Kazan", "status": "gold",
        "full_name": f"Person {telegram_id}", "phone": "+79990000000",
    })


def webinar() -> Draft:
    return Draft(form="apply", answers={
        "kind": "webinar", "event_date": "2026-12-20", "title": "CRM in an hour",
        "topic": "bitrix24", "audience": "prospects",
        "agenda": [{"title": "Bitrix24", "minutes": 45}],
        "vendor_talks": [0], "conditions": [], "planned_listeners": 40, "channels": ["site"],
        "support": "info",
    })


async def test_a_second_employee_of_a_partner_waits_for_confirmation(db: Database) -> None:
    await person(db, 1, "P-1")
    await see_user(db, telegram_id=2, first_name="Y", username=None, language="en", now=NOW)
    joined = await partners.join(db, telegram_id=2, now=NOW, answers={
        "partner_code": " p-1 ", "full_name": "Y", "phone": None})
    assert joined.result is JoinResult.PENDING
    assert joined.confirmers == [1]


async def test_an_employee_of_another_partner_cannot_confirm(db: Database) -> None:
    await person(db, 1, "P-1")
    await person(db, 3, "P-3", company="Other")
    await see_user(db, telegram_id=2, first_name="Y", username=None, language="en", now=NOW)
    await partners.join(db, telegram_id=2, now=NOW, answers={"partner_code": "P-1",
                                                             "full_name": "Y"})
    decision = await partners.decide_member(db, member_id=2, approve=True, decided_by=3,
                                            by_manager=False, now=NOW)
    assert decision.outcome is DecideMember.NOT_ALLOWED
    member, _ = await partners.membership(db, 2)
    assert member is not None and member.state == "pending"
    forbidden = await db.fetch_all("SELECT actor_id FROM audit_log WHERE action = "
                                   "'member.forbidden'")
    assert [r[0] for r in forbidden] == [3]


async def test_confirming_twice_decides_once(db: Database) -> None:
    await person(db, 1, "P-1")
    await see_user(db, telegram_id=2, first_name="Y", username=None, language="en", now=NOW)
    await partners.join(db, telegram_id=2, now=NOW, answers={"partner_code": "P-1",
                                                             "full_name": "Y"})
    first = await partners.decide_member(db, member_id=2, approve=True, decided_by=1,
                                         by_manager=False, now=NOW)
    second = await partners.decide_member(db, member_id=2, approve=False, decided_by=99,
                                          by_manager=True, now=NOW)
    assert (first.outcome, second.outcome) == (DecideMember.DONE, DecideMember.ALREADY)


async def test_another_partner_cannot_see_or_withdraw_an_application(db: Database) -> None:
    await person(db, 1, "P-1")
    await person(db, 3, "P-3", company="Other")
    row, _ = await applications.submit(db, RULEBOOK, telegram_id=1, draft=webinar(), now=NOW)
    assert [r.id for r in await applications.of_member(db, 1)] == [row.id]
    assert await applications.of_member(db, 3) == []
    with pytest.raises(NotAllowed):
        await applications.visible(db, 3, row.id)
    with pytest.raises(NotAllowed):
        await applications.withdraw(db, telegram_id=3, application_id=row.id, now=NOW)
    assert (await applications.visible(db, 1, row.id)).status == "pending"


async def test_withdrawing_twice_withdraws_once(db: Database) -> None:
    await person(db, 1, "P-1")
    row, _ = await applications.submit(db, RULEBOOK, telegram_id=1, draft=webinar(), now=NOW)
    first = await applications.withdraw(db, telegram_id=1, application_id=row.id, now=NOW)
    second = await applications.withdraw(db, telegram_id=1, application_id=row.id, now=NOW)
    assert (first, second) == (Withdrawn.DONE, Withdrawn.TOO_LATE)


async def test_submitting_stores_the_rules_quote_and_drops_the_draft(db: Database) -> None:
    await person(db, 1, "P-1")
    draft = webinar()
    await applications.save_draft(db, 1, draft, NOW)
    row, assessment = await applications.submit(db, RULEBOOK, telegram_id=1, draft=draft,
                                                 now=NOW)
    assert row.assessment["points"] == {"min": 30, "max": 30}  # a webinar with 40 listeners
    assert row.assessment["program"] == "bitrix24"
    assert assessment.info_support  # 27 days ahead: still possible
    assert await applications.load_draft(db, 1, "apply") is None


async def test_someone_not_confirmed_cannot_submit(db: Database) -> None:
    await person(db, 1, "P-1")
    await see_user(db, telegram_id=2, first_name="Y", username=None, language="en", now=NOW)
    await partners.join(db, telegram_id=2, now=NOW, answers={"partner_code": "P-1",
                                                             "full_name": "Y"})
    with pytest.raises(NotAllowed):
        await applications.submit(db, RULEBOOK, telegram_id=2, draft=webinar(), now=NOW)
