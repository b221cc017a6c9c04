"""/stats figures and /export tables on a generated database, checked against SQL (and plain
Python over its rows) written here independently of bot/services/stats.py."""

from __future__ import annotations

import io
import json
import random
import sqlite3
import statistics
import struct
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from bot.charts import ChartLabels, render_chart
from bot.rules import Rulebook, load_rulebook, low_attendance, report_due
from bot.services import export, stats
from bot.services.stats import Period, PeriodError, parse_period
from bot.storage.database import Database

TODAY = date(2026, 6, 15)
KINDS = ("seminar", "webinar", "business_breakfast", "external_talk", "exhibition", "article")
STATUSES = (("pending", 8), ("changes_requested", 3), ("approved", 10), ("rejected", 6),
            ("withdrawn", 2), ("report_due", 10), ("report_sent", 10), ("credited", 30))
PROGRAMS = ("site_management", "bitrix24")
TZ = "+03:00"


def _stamp(day: date, rng: random.Random) -> str:
    return f"{day.isoformat()}T{rng.randrange(8, 20):02d}:{rng.randrange(60):02d}:00{TZ}"


def populate(conn: sqlite3.Connection, *, partners: int, applications: int, seed: int = 7,
             first_day: date = date(2025, 7, 1), days: int = 365) -> None:
    """Partners (one author each), applications in every status over `days` from `first_day`,
    decisions, reports for those past the event, ledger credits for the credited ones, and
    spends and expiries drawn from a share of the bonus lots. Plain SQL, executemany."""
    rng = random.Random(seed)
    created = "2025-01-01T10:00:00+03:00"
    conn.executemany(
        "INSERT INTO users (telegram_id, first_name, language, created_at, last_seen_at)"
        " VALUES (?, ?, 'ru', ?, ?)",
        [(1_000_000 + i, f"U{i}", created, created) for i in range(1, partners + 1)])
    conn.executemany(
        "INSERT INTO partners (id, code, company, city, status, suspended_at, created_at)"
        " VALUES (?, ?, ?, 'Казань', 'gold', ?, ?)",
        [(i, f"P-{i:05d}", f"Компания {i}", created if i % 37 == 0 else None, created)
         for i in range(1, partners + 1)])
    status_names = [name for name, _ in STATUSES]
    weights = [weight for _, weight in STATUSES]
    apps, decisions, reports, ledger = [], [], [], []
    lot_id = 0
    for app_id in range(1, applications + 1):
        partner = rng.randrange(1, partners + 1)
        kind = rng.choice(KINDS)
        event = first_day + timedelta(days=rng.randrange(days))
        submitted_day = event - timedelta(days=rng.randrange(10, 40))
        status = rng.choices(status_names, weights)[0]
        if status in ("report_due", "report_sent", "credited") and event >= TODAY:
            status = "approved"
        submitted = _stamp(submitted_day, rng)
        answers = {"program": rng.choice(PROGRAMS), "planned_listeners": rng.randrange(5, 80)}
        apps.append((app_id, partner, 1_000_000 + partner, kind, f"Event {app_id}",
                     event.isoformat(), status, json.dumps(answers), submitted, submitted))
        if status not in ("pending", "withdrawn"):
            action = status if status in ("rejected", "changes_requested") else "approved"
            decided = submitted_day + timedelta(days=rng.randrange(0, 4))
            decisions.append((app_id, action, _stamp(decided, rng)))
        if status in ("report_sent", "credited"):
            sent_day = event + timedelta(days=rng.randrange(0, 12))
            registrations = rng.randrange(0, 120)
            listeners = rng.randrange(0, registrations + 1)
            report_status = "accepted" if status == "credited" else "sent"
            points = rng.choice((0, 30, 50, 70)) if status == "credited" else None
            money = rng.randrange(0, 40) * 100_000 if status == "credited" else None
            reports.append((app_id, app_id, partner, 1_000_000 + partner, report_status,
                            json.dumps({"registrations": registrations, "listeners": listeners}),
                            int(sent_day > event + timedelta(days=7)), _stamp(sent_day, rng),
                            points, money))
            if status == "credited":
                credited_on = sent_day + timedelta(days=2)
                expires = credited_on + timedelta(days=364)
                stamp = _stamp(credited_on, rng)
                if points:
                    lot_id += 1
                    ledger.append((lot_id, f"report:{app_id}:points", partner, "points",
                                   answers["program"], "credit", points, None,
                                   credited_on.isoformat(), expires.isoformat(), app_id, stamp))
                if money:
                    lot_id += 1
                    ledger.append((lot_id, f"report:{app_id}:bonus", partner, "bonus", None,
                                   "credit", money, None, credited_on.isoformat(),
                                   expires.isoformat(), app_id, stamp))
                    draw = rng.random()
                    if draw < 0.3:
                        kind_drawn = "spend" if draw < 0.2 else "expiry"
                        drawn_on = credited_on + timedelta(days=rng.randrange(1, 90))
                        taken = -rng.randrange(1, money // 100_000 + 1) * 100_000
                        lot = lot_id
                        lot_id += 1  # the next free id: a draw is a row too
                        ledger.append((lot_id, f"{kind_drawn}:{lot}", partner, "bonus", None,
                                       kind_drawn, taken, lot, credited_on.isoformat(),
                                       expires.isoformat(), None, _stamp(drawn_on, rng)))
    conn.executemany(
        "INSERT INTO applications (id, partner_id, author_id, kind, title, event_date, status,"
        " answers, assessment, rulebook, submitted_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}', 'test', ?, ?)", apps)
    conn.executemany(
        "INSERT INTO decisions (application_id, version, action, manager_id, assessment,"
        " rulebook, decided_at) VALUES (?, 1, ?, 9001, '{}', 'test', ?)", decisions)
    conn.executemany(
        "INSERT INTO reports (id, application_id, partner_id, author_id, status, answers,"
        " assessment, late, submitted_at, points, compensation)"
        " VALUES (?, ?, ?, ?, ?, ?, '{}', ?, ?, ?, ?)", reports)
    conn.executemany(
        "INSERT INTO ledger (id, key, partner_id, account, program, kind, amount, lot_id,"
        " credited_on, expires_on, report_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ledger)
    conn.commit()


@pytest.fixture(scope="module")
def rulebook() -> Rulebook:
    return load_rulebook(None)


@pytest.fixture
async def big(db: Database, tmp_path: Path) -> Database:
    """The service fixture's database, filled with 300 partners and 4,000 applications."""
    with sqlite3.connect(tmp_path / "pd.sqlite3") as conn:
        populate(conn, partners=300, applications=4_000)
    return db


def _sql(path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchall()


YEAR = Period(date(2025, 7, 1), date(2026, 6, 30))


@pytest.mark.parametrize("partner_id", [None, 5])
async def test_the_figures_match_independent_sql(
    big: Database, tmp_path: Path, rulebook: Rulebook, partner_id: int | None,
) -> None:
    path = tmp_path / "pd.sqlite3"
    found = await stats.collect(big, rulebook, YEAR, TODAY, partner_id=partner_id)
    mine = "" if partner_id is None else f" AND partner_id = {partner_id}"
    first, last = YEAR.start.isoformat(), YEAR.end.isoformat()

    expected_apps = {
        (str(kind), str(status)): count for kind, status, count in _sql(
            path, "SELECT kind, status, COUNT(*) FROM applications"
            f" WHERE date(substr(submitted_at, 1, 10)) BETWEEN ? AND ?{mine}"
            " GROUP BY 1, 2", first, last)}
    assert found.applications == expected_apps
    assert found.applications_total > (1_000 if partner_id is None else 1)

    held = _sql(path, "SELECT id FROM applications WHERE status IN"
                " ('approved', 'report_due', 'report_sent', 'credited')"
                f" AND event_date BETWEEN ? AND ?{mine}", first, TODAY.isoformat())
    assert found.events_held == len(held)
    figures = _sql(path, "SELECT answers FROM reports WHERE status <> 'rejected' AND"
                   " application_id IN (SELECT id FROM applications WHERE status IN"
                   " ('approved', 'report_due', 'report_sent', 'credited')"
                   f" AND event_date BETWEEN ? AND ?{mine})", first, TODAY.isoformat())
    answers = [json.loads(str(row[0])) for row in figures]
    assert found.registrations == sum(a["registrations"] for a in answers)
    assert found.listeners == sum(a["listeners"] for a in answers)

    credits = _sql(path, "SELECT account, program, amount FROM ledger WHERE kind = 'credit'"
                   f" AND credited_on BETWEEN ? AND ?{mine}", first, last)
    points: dict[str, int] = defaultdict(int)
    for account, program, amount in credits:
        if account == "points":
            points[str(program)] += int(str(amount))
    assert found.points == dict(points)
    assert found.compensation == sum(int(str(a)) for acc, _, a in credits if acc == "bonus")
    assert found.bonus_issued == found.compensation  # no corrections in this data
    draws = _sql(path, "SELECT kind, -amount FROM ledger WHERE account = 'bonus'"
                 f" AND amount < 0 AND substr(created_at, 1, 10) BETWEEN ? AND ?{mine}",
                 first, last)
    assert found.bonus_spent == sum(int(str(a)) for k, a in draws if k == "spend")
    assert found.bonus_expired == sum(int(str(a)) for k, a in draws if k == "expiry")
    if partner_id is None:
        assert found.bonus_spent > 0 and found.bonus_expired > 0

    a_mine = mine.replace("partner_id", "a.partner_id")
    waits = [float(str(h)) for (h,) in _sql(
        path, "SELECT (julianday(d.decided_at) - julianday(a.submitted_at)) * 24"
        " FROM decisions d, applications a WHERE a.id = d.application_id"
        f" AND substr(d.decided_at, 1, 10) BETWEEN ? AND ?{a_mine}", first, last)]
    # A decision stamped before the (last) submission belongs to an earlier version: left out.
    assert found.median_decision_hours == pytest.approx(
        statistics.median([h for h in waits if h >= 0]))
    lags = [float(str(d)) for (d,) in _sql(
        path, "SELECT julianday(substr(r.submitted_at, 1, 10)) - julianday(a.event_date)"
        " FROM reports r, applications a WHERE a.id = r.application_id"
        f" AND substr(r.submitted_at, 1, 10) BETWEEN ? AND ?{a_mine}", first, last)]
    if lags:
        assert found.median_report_days == pytest.approx(statistics.median(lags))
    late = _sql(path, "SELECT COUNT(*) FROM reports WHERE late = 1"
                f" AND substr(submitted_at, 1, 10) BETWEEN ? AND ?{mine}", first, last)
    assert found.late_reports == late[0][0]

    waiting = _sql(path, "SELECT event_date FROM applications"
                   f" WHERE status IN ('approved', 'report_due'){mine}")
    assert found.overdue_reports == sum(
        1 for (day,) in waiting
        if date.fromisoformat(str(day)) < TODAY
        and report_due(rulebook, date.fromisoformat(str(day))) < TODAY)

    monthly = found.monthly
    assert list(monthly) == YEAR.months() and len(monthly) == 12
    assert sum(events for events, _, _ in monthly.values()) == found.events_held
    assert sum(heard for _, heard, _ in monthly.values()) == found.listeners
    assert sum(money for _, _, money in monthly.values()) == found.compensation

    if partner_id is None:
        history: dict[int, list[int]] = defaultdict(list)
        for partner, heard in _sql(
                path, "SELECT a.partner_id, json_extract(r.answers, '$.listeners')"
                " FROM reports r JOIN applications a ON a.id = r.application_id"
                " WHERE r.status <> 'rejected' AND a.event_date <= ?"
                " ORDER BY a.event_date, a.id", last):
            history[int(str(partner))].append(int(str(heard)))
        low = {p for p, counts in history.items() if low_attendance(rulebook, counts)}
        assert found.low_attendance_count == len(low) > 0
        codes = {f"P-{p:05d}" for p in low}
        assert {line.code for line in found.low_attendance} <= codes
        suspended = _sql(path, "SELECT COUNT(*) FROM partners WHERE suspended_at IS NOT NULL")
        assert found.suspended_count == suspended[0][0] == 300 // 37
        assert len(found.suspended) == min(stats.SHOWN_PARTNERS, found.suspended_count)
    else:
        assert found.low_attendance == () and found.suspended == ()


def test_periods_are_calendar_month_quarter_year_or_two_dates() -> None:
    assert parse_period([], TODAY) == Period(date(2026, 6, 1), date(2026, 6, 30),
                                             stats.PeriodName.MONTH)
    assert parse_period(["quarter"], TODAY).start == date(2026, 4, 1)
    assert parse_period(["quarter"], TODAY).end == date(2026, 6, 30)
    assert parse_period(["year"], TODAY).end == date(2026, 12, 31)
    assert parse_period(["2026-01-01", "2026-03-31"], TODAY) == Period(
        date(2026, 1, 1), date(2026, 3, 31))
    assert parse_period(["month"], date(2026, 12, 31)).end == date(2026, 12, 31)
    for wrong in (["week"], ["2026-03-31", "2026-01-01"], ["2026-13-01", "2026-12-01"]):
        with pytest.raises(PeriodError):
            parse_period(wrong, TODAY)


async def test_an_empty_database_gives_zeros_not_errors(db: Database, rulebook: Rulebook) -> None:
    found = await stats.collect(db, rulebook, YEAR, TODAY)
    assert found.applications_total == 0 and found.events_held == 0
    assert found.median_decision_hours is None and found.turnout is None
    assert found.low_attendance_count == 0 and found.suspended_count == 0


async def test_the_xlsx_has_every_sheet_and_the_period_s_rows(
    big: Database, tmp_path: Path,
) -> None:
    sheets = await export.collect(big, YEAR)
    book = load_workbook(io.BytesIO(export.xlsx_bytes(sheets)), read_only=True)
    assert book.sheetnames == ["partners", "applications", "decisions", "reports", "ledger"]
    in_period = _sql(tmp_path / "pd.sqlite3", "SELECT COUNT(*) FROM applications WHERE"
                     " substr(submitted_at, 1, 10) BETWEEN ? AND ?",
                     YEAR.start.isoformat(), YEAR.end.isoformat())[0][0]
    rows = list(book["applications"].iter_rows(values_only=True))
    assert rows[0][:3] == ("id", "partner_code", "kind")
    assert len(rows) - 1 == in_period
    assert sum(1 for _ in book["partners"].iter_rows()) == 301
    header = next(book["reports"].iter_rows(values_only=True))
    assert "listeners" in header and not any("phone" in str(c) for c in header)

    written = export.write_csv(sheets, tmp_path / "csv")
    assert [p.name for p in written] == [f"{s}.csv" for s in export.SHEETS]
    lines = (tmp_path / "csv" / "applications.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) - 1 == in_period


def test_a_formula_like_title_stays_text_in_the_xlsx() -> None:
    sheet = export.Sheet("applications", ("id", "title"), [(1, "=HYPERLINK(\"x\")\x01")])
    book = load_workbook(io.BytesIO(export.xlsx_bytes([sheet])))
    cell = book["applications"]["B2"]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"x\")"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, chunk = struct.unpack(">I4s", data[8:16])
    assert chunk == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_the_chart_is_a_phone_sized_png(big: Database, rulebook: Rulebook) -> None:
    found = await stats.collect(big, rulebook, YEAR, TODAY)
    png = render_chart(found.monthly, ChartLabels("01.07.2025 – 30.06.2026", "Мероприятия",
                                                  "Слушатели", "Компенсация, руб."))
    width, height = png_size(png)
    assert 900 <= width <= 1200 and 600 <= height <= 900
    assert len(png) > 10_000


def test_the_command_line_writes_xlsx_and_csv(
    big: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli import main

    monkeypatch.setenv("PARTNERDESK_DATABASE", str(tmp_path / "pd.sqlite3"))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    target = tmp_path / "out.xlsx"
    assert main(["export", "--from", "2026-01-01", "--to", "2026-03-31", str(target)]) == 0
    assert "applications" in capsys.readouterr().out
    book = load_workbook(target, read_only=True)
    assert book.sheetnames == list(export.SHEETS)
    book.close()
    folder = tmp_path / "csv"
    assert main(["export", "--from", "2026-01-01", "--to", "2026-03-31", "--format", "csv",
                 str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{s}.csv" for s in export.SHEETS)
    assert main(["export", "--from", "2026-03-31", "--to", "2026-01-01", str(target)]) == 2
