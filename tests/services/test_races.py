"""Races: many taps at once decide once and credit once — on one connection and across two.

Two `Database` objects opened on the same file are two SQLite connections, each with its own
thread (aiosqlite) and its own write lock: they really run at the same time, and only
`BEGIN IMMEDIATE` plus the busy timeout keep them apart.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.forms.engine import Draft
from bot.services import applications, decisions, reports
from bot.services.decisions import Action, Outcome
from bot.services.reports import Review, ReviewOutcome
from bot.storage.database import Database
from tests.services.test_decisions import SETTINGS, submitted
from tests.services.test_partners_and_applications import NOW, RULEBOOK, person, webinar

APPROVALS = 1000
REPORT_ROUNDS = 10


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[tuple[Database, Database]]:
    """Two connections to one migrated database file."""
    first = await Database.open(tmp_path / "race.sqlite3")
    await first.migrate()
    second = await Database.open(tmp_path / "race.sqlite3")
    try:
        yield first, second
    finally:
        await second.close()
        await first.close()


async def approve(db: Database, app_id: int, manager: int) -> Outcome:
    result = await decisions.decide(db, SETTINGS, RULEBOOK, application_id=app_id, version=1,
                                    manager_id=manager, action=Action.APPROVE, now=NOW)
    return result.outcome


async def sent_report(db: Database, telegram_id: int) -> int:
    """A new partner's webinar, approved, reported with 45 listeners; returns the report id."""
    await person(db, telegram_id, f"P-{telegram_id}")
    row, _ = await applications.submit(db, RULEBOOK, telegram_id=telegram_id, draft=webinar(),
                                       now=NOW)
    assert await approve(db, row.id, 10) is Outcome.DONE
    later = NOW + timedelta(days=28)
    draft = await reports.open_report(db, telegram_id=telegram_id, application_id=row.id,
                                      now=later)
    draft = Draft(form=draft.form, answers={**draft.answers, "registrations": 70,
                                            "listeners": 45, "link": "https://a.ru",
                                            "feedback": "Прошло хорошо, много вопросов"})
    sent = await reports.send(db, RULEBOOK, telegram_id=telegram_id, draft=draft, now=later)
    return sent.report.id


async def count(db: Database, sql: str) -> int:
    row = await db.fetch_one(sql)
    assert row is not None
    return int(row[0])


async def test_a_thousand_concurrent_approvals_on_one_connection_make_one_decision(
    db: Database,
) -> None:
    app_id = await submitted(db)
    outcomes = await asyncio.gather(*(approve(db, app_id, 10 if i % 2 else 20)
                                      for i in range(APPROVALS)))
    assert outcomes.count(Outcome.DONE) == 1
    assert outcomes.count(Outcome.ALREADY) == APPROVALS - 1
    assert await count(db, "SELECT COUNT(*) FROM decisions") == 1
    assert await count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'activity.approved'") == 1
    assert await count(db, "SELECT COUNT(*) FROM applications WHERE status = 'approved'") == 1


async def test_a_thousand_approvals_across_two_connections_make_one_decision(
    two: tuple[Database, Database],
) -> None:
    first, second = two
    app_id = await submitted(first)
    outcomes = await asyncio.gather(*(
        approve(first if i % 2 else second, app_id, 10 if i % 3 else 20)
        for i in range(APPROVALS)
    ))
    assert outcomes.count(Outcome.DONE) == 1
    assert outcomes.count(Outcome.ALREADY) == APPROVALS - 1
    for db in two:  # both connections see the one decision
        assert await count(db, "SELECT COUNT(*) FROM decisions") == 1
        assert await count(
            db, "SELECT COUNT(*) FROM audit_log WHERE action = 'activity.approved'") == 1
    check = await first.fetch_one("PRAGMA integrity_check")
    assert check is not None and check[0] == "ok"


async def test_two_managers_on_two_connections_accept_a_report_once_and_credit_it_once(
    two: tuple[Database, Database],
) -> None:
    first, second = two
    later = NOW + timedelta(days=30)
    report_ids = []
    for n in range(REPORT_ROUNDS):  # several rounds: the winner varies with the scheduling
        report_id = await sent_report(first, 100 + n)
        report_ids.append(report_id)
        specialist, head = await asyncio.gather(
            reports.review(first, SETTINGS, RULEBOOK, report_id=report_id, version=1,
                           manager_id=10, action=Review.ACCEPT, now=later),
            reports.review(second, SETTINGS, RULEBOOK, report_id=report_id, version=1,
                           manager_id=20, action=Review.ACCEPT, now=later),
        )
        assert sorted([specialist.outcome, head.outcome]) == sorted(
            [ReviewOutcome.DONE, ReviewOutcome.ALREADY])
        rows = await second.fetch_all(
            "SELECT account, amount FROM ledger WHERE report_id = ?", (report_id,))
        assert [tuple(r) for r in rows] == [("points", 30)]
        decided = await first.fetch_all(
            "SELECT status, decided_by FROM reports WHERE id = ?", (report_id,))
        winner = 10 if specialist.outcome is ReviewOutcome.DONE else 20
        assert [tuple(r) for r in decided] == [("accepted", winner)]
    assert await count(first, "SELECT COUNT(*) FROM ledger") == REPORT_ROUNDS
    assert await count(first, "SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.credited'"
                       ) == REPORT_ROUNDS
    assert await count(first, "SELECT COUNT(*) FROM audit_log WHERE action = 'report.accepted'"
                       ) == REPORT_ROUNDS
    assert len(set(report_ids)) == REPORT_ROUNDS
