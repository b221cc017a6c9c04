"""Reports: accepted once, credited once — whatever is tapped twice or replayed."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.forms.engine import Draft
from bot.services import applications, decisions, reports
from bot.services.decisions import Action
from bot.services.reports import Review, ReviewOutcome
from bot.storage.database import Database
from tests.services.test_decisions import SETTINGS
from tests.services.test_partners_and_applications import NOW, RULEBOOK, person, webinar


async def sent_webinar_report(db: Database) -> int:
    await person(db, 1, "P-1")
    row, _ = await applications.submit(db, RULEBOOK, telegram_id=1, draft=webinar(), now=NOW)
    await decisions.decide(db, SETTINGS, RULEBOOK, application_id=row.id, version=1, manager_id=10,
                           action=Action.APPROVE, now=NOW)
    later = NOW + timedelta(days=28)
    draft = await reports.open_report(db, telegram_id=1, application_id=row.id, now=later)
    draft = Draft(form=draft.form, answers={**draft.answers, "registrations": 70,
                                            "listeners": 45, "link": "https://a.ru",
                                            "feedback": "Прошло хорошо, много вопросов"})
    sent = await reports.send(db, RULEBOOK, telegram_id=1, draft=draft, now=later)
    return sent.report.id


async def test_many_accept_taps_credit_the_ledger_once(db: Database) -> None:
    report_id = await sent_webinar_report(db)
    results = await asyncio.gather(*(
        reports.review(db, SETTINGS, RULEBOOK, report_id=report_id, version=1, manager_id=10,
                       action=Review.ACCEPT, now=NOW + timedelta(days=30))
        for _ in range(20)
    ))
    assert [r.outcome for r in results].count(ReviewOutcome.DONE) == 1
    rows = await db.fetch_all("SELECT account, amount FROM ledger")
    assert [tuple(r) for r in rows] == [("points", 30)]  # a webinar with 45 listeners
    accepted = results[0].report
    assert accepted is not None
    assert await reports.credit(db, RULEBOOK, accepted, NOW) is False  # a replay credits nothing


async def test_a_report_of_another_partner_cannot_be_opened(db: Database) -> None:
    report_id = await sent_webinar_report(db)
    await person(db, 2, "P-2", company="Other")
    row = await db.fetch_one("SELECT application_id FROM reports WHERE id = ?", (report_id,))
    assert row is not None
    with pytest.raises(applications.NotAllowed):
        await reports.open_report(db, telegram_id=2, application_id=int(row[0]), now=NOW)
