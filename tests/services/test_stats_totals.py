"""The running totals behind the program's /stats (migration 0015) always equal what the rows
say: after every kind of change the bot makes to applications, decisions, reports and the
ledger, and on a database that had its rows before the migration came."""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.rules import Rulebook, load_rulebook
from bot.services import stats
from bot.services.stats import Period
from bot.storage.database import Database, available_migrations, split_statements
from tests.services.test_stats import KINDS, STATUSES, TODAY, YEAR, _stamp, populate

PERIODS = (YEAR, Period(date(2026, 3, 1), date(2026, 3, 31)),
           Period(date(2025, 11, 5), date(2026, 2, 17)),
           Period(date(2026, 6, 1), date(2026, 12, 31)))


@pytest.fixture(scope="module")
def rulebook() -> Rulebook:
    return load_rulebook(None)


def medians(path: Path, period: Period) -> tuple[float | None, float | None]:
    """Hours to a decision and days to a report, from the stamps themselves."""
    start, after = period.start.isoformat(), period.after_end.isoformat()
    with sqlite3.connect(path) as conn:
        waits = [hours for (hours,) in conn.execute(
            "SELECT (julianday(d.decided_at) - julianday(a.submitted_at)) * 24 FROM decisions AS d"
            " JOIN applications AS a ON a.id = d.application_id"
            " WHERE d.decided_at >= ? AND d.decided_at < ?"
            " AND julianday(d.decided_at) >= julianday(a.submitted_at)", (start, after))]
        lags = [days for (days,) in conn.execute(
            "SELECT julianday(substr(r.submitted_at, 1, 10)) - julianday(a.event_date)"
            " FROM reports AS r JOIN applications AS a ON a.id = r.application_id"
            " WHERE r.submitted_at >= ? AND r.submitted_at < ?", (start, after))]
    return (statistics.median(waits) if waits else None,
            statistics.median(lags) if lags else None)


async def assert_totals_match_rows(db: Database, rulebook: Rulebook) -> None:
    for period in PERIODS:
        totals = await stats.collect(db, rulebook, period, TODAY)
        rows = await stats.collect_from_rows(db, rulebook, period, TODAY)
        assert totals == rows, period
        decision, report = medians(db.path, period)
        assert totals.median_decision_hours == pytest.approx(decision)
        assert totals.median_report_days == pytest.approx(report)


def change_at_random(conn: sqlite3.Connection, rng: random.Random, steps: int) -> None:
    """What the bot does to the rows, at random: decisions, resubmissions (a new submission
    stamp, event date and status), reports sent, resent, decided and removed, ledger rows,
    applications removed."""
    statuses = [name for name, _ in STATUSES]
    last_app = conn.execute("SELECT MAX(id) FROM applications").fetchone()[0]
    for _ in range(steps):
        app = rng.randrange(1, last_app + 1)
        action = rng.randrange(8)
        day = date(2025, 7, 1) + timedelta(days=rng.randrange(400))
        if action == 0:
            conn.execute("UPDATE applications SET status = ? WHERE id = ?",
                         (rng.choice(statuses), app))
        elif action == 1:
            conn.execute("UPDATE applications SET status = 'pending', submitted_at = ?,"
                         " event_date = ?, kind = ? WHERE id = ?",
                         (_stamp(day, rng), (day + timedelta(days=20)).isoformat(),
                          rng.choice(KINDS), app))
        elif action == 2:
            version = conn.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM decisions"
                                   " WHERE application_id = ?", (app,)).fetchone()[0]
            conn.execute(
                "INSERT INTO decisions (application_id, version, action, manager_id, assessment,"
                " rulebook, decided_at) VALUES (?, ?, 'approved', 9001, '{}', 'test', ?)",
                (app, version, _stamp(day, rng)))
            conn.execute("UPDATE applications SET status = 'approved' WHERE id = ?", (app,))
        elif action == 3:  # sent, or sent again after more was requested
            partner = conn.execute("SELECT partner_id FROM applications WHERE id = ?",
                                   (app,)).fetchone()
            if partner is None:
                continue
            registrations = rng.randrange(0, 90)
            answers = json.dumps({"registrations": registrations,
                                  "listeners": rng.randrange(0, registrations + 1)})
            conn.execute(
                "INSERT INTO reports (application_id, partner_id, author_id, status, answers,"
                " assessment, late, submitted_at) VALUES (?, ?, 1, 'sent', ?, '{}', 0, ?)"
                " ON CONFLICT (application_id) DO UPDATE SET status = 'sent',"
                " answers = excluded.answers, submitted_at = excluded.submitted_at",
                (app, partner[0], answers, _stamp(day, rng)))
        elif action == 4:
            conn.execute("UPDATE reports SET status = ? WHERE application_id = ?",
                         (rng.choice(("accepted", "rejected", "more_requested", "sent")), app))
        elif action == 5:
            conn.execute("DELETE FROM reports WHERE application_id = ?", (app,))
        elif action == 6:
            key = f"random:{rng.random()}"
            account = rng.choice(("points", "bonus"))
            conn.execute(
                "INSERT INTO ledger (key, partner_id, account, program, kind, amount,"
                " credited_on, expires_on, created_at)"
                " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)",
                (key, account, "bitrix24" if account == "points" else None,
                 rng.choice(("credit", "correction")), rng.randrange(1, 50) * 100,
                 day.isoformat(), (day + timedelta(days=364)).isoformat(), _stamp(day, rng)))
        else:
            conn.execute("DELETE FROM decisions WHERE application_id = ?", (app,))
            conn.execute("DELETE FROM reports WHERE application_id = ?", (app,))
            conn.execute("DELETE FROM applications WHERE id = ?", (app,))
    conn.commit()


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_totals_follow_every_change(db: Database, tmp_path: Path, rulebook: Rulebook,
                                              seed: int) -> None:
    with sqlite3.connect(tmp_path / "pd.sqlite3") as conn:
        populate(conn, partners=60, applications=800, seed=seed)
    await assert_totals_match_rows(db, rulebook)
    before = await stats.collect(db, rulebook, YEAR, TODAY)

    with sqlite3.connect(tmp_path / "pd.sqlite3") as conn:
        change_at_random(conn, random.Random(seed), steps=600)
    after = await stats.collect(db, rulebook, YEAR, TODAY)
    assert after != before  # the changes reached the figures…
    await assert_totals_match_rows(db, rulebook)  # …and the totals kept up with them


async def test_a_database_from_before_the_totals_gets_them_when_migrated(
        tmp_path: Path, rulebook: Rulebook) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        for number, _name, sql in available_migrations():
            if number >= 15:
                break
            for statement in split_statements(sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
        populate(conn, partners=60, applications=800)
    db = await Database.open(path)
    try:
        assert "0015_stats_totals.sql" in await db.migrate()
        found = await stats.collect(db, rulebook, YEAR, TODAY)
        assert found.applications_total > 500 and found.median_decision_hours is not None
        await assert_totals_match_rows(db, rulebook)
    finally:
        await db.close()
