"""How long /balance's service call takes with a big ledger.

    python bench/balance_bench.py [--runs N] [--partners N] [--rows N]

Builds a fresh SQLite database (WAL, as the bot runs it) with 10,000 partners, each with a few
lots, and one partner with 10,000 ledger rows written through the services over three years:
credits of points and bonus money, the head's corrections, and expiry runs. Then times
`bot.services.ledger.balance` for that partner (p50/p95 over many runs; the goal is p95 under
50 ms) and, for comparison, `ranking` (every partner) and a /bonus `quote`. Prints the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.rules import Program, Rulebook, expires_on, load_rulebook
from bot.services import ledger
from bot.services.ledger import Account, CorrectionRefused
from bot.storage import ledger as ledger_repo
from bot.storage import partners
from bot.storage.database import Database
from bot.storage.ledger import NewRow

GOAL_MS = 50.0
TODAY = date(2026, 11, 23)
MOSCOW = ZoneInfo("Europe/Moscow")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=MOSCOW).replace(hour=12)


async def add_partners(db: Database, count: int) -> list[int]:
    async with db.transaction() as conn:
        return [await partners.insert(conn, code=f"P-{n:05d}", company=f"Company {n}",
                                      city="Kazan", status="gold", now=at(date(2023, 1, 1)))
                for n in range(count)]


async def add_small_ledgers(db: Database, rulebook: Rulebook, ids: list[int],
                            rng: random.Random) -> int:
    """A few credits for every partner, straight through the repository in one transaction."""
    written = 0
    async with db.transaction() as conn:
        for partner_id in ids:
            for lot in range(rng.randint(1, 5)):
                credited_on = TODAY - timedelta(days=rng.randrange(700))
                account = rng.choice(list(Account))
                program = rng.choice(list(Program)) if account is Account.POINTS else None
                amount = rng.choice([20, 30, 40, 60, 70]) if program else rng.randrange(
                    100_000, 4_000_000)
                await ledger_repo.insert(conn, NewRow(
                    key=f"seed:{partner_id}:{lot}", partner_id=partner_id, account=account,
                    program=program, kind="credit", amount=amount, credited_on=credited_on,
                    expires_on=expires_on(rulebook, credited_on)), now=at(credited_on))
                written += 1
    return written


async def grow_big_ledger(db: Database, rulebook: Rulebook, partner_id: int, rows: int,
                          rng: random.Random) -> None:
    """Three years of one busy partner through the services, its `rows` rows spread evenly:
    accepted reports, a correction now and then, the monthly expiry run."""
    start, days, report = TODAY - timedelta(days=3 * 365), 3 * 365, 0
    for n in range(days + 1):
        day = start + timedelta(days=n)
        while await count_rows(db, partner_id) < rows * (n + 1) // (days + 1):
            report += 1
            await ledger.credit_report(
                db, rulebook, report_id=report, partner_id=partner_id,
                program=rng.choice(list(Program)), points=rng.choice([0, 20, 30, 40, 60]),
                compensation=rng.choice([0, rng.randrange(100_000, 4_000_000)]),
                credited_on=day, by=1, now=at(day))
            if rng.random() < 0.2:
                await take_back(db, rulebook, partner_id, day, rng)
        if day.day == 1:
            await ledger.expire_due(db, rulebook, day, at(day))


async def take_back(db: Database, rulebook: Rulebook, partner_id: int, day: date,
                    rng: random.Random) -> None:
    """A negative correction by the head, from the oldest lots."""
    account = rng.choice(list(Account))
    points = account is Account.POINTS
    with contextlib.suppress(CorrectionRefused):  # more than is left: skipped
        await ledger.correct(
            db, rulebook, partner_id=partner_id, account=account,
            amount=-rng.randrange(1, 50) if points else -rng.randrange(100, 2_000_000),
            program=rng.choice(list(Program)) if points else None,
            reason="bench", by=2, now=at(day))


async def count_rows(db: Database, partner_id: int, counting_on: date | None = None) -> int:
    sql = "SELECT count(*) FROM ledger WHERE partner_id = ?"
    params: tuple[object, ...] = (partner_id,)
    if counting_on is not None:
        sql += " AND expires_on >= ? AND credited_on <= ?"
        params += (counting_on.isoformat(), counting_on.isoformat())
    row = await db.fetch_one(sql, params)
    return int(row[0]) if row else 0


async def query_plan(db: Database, partner_id: int) -> list[str]:
    """How SQLite reads a balance: one partner's rows from the covering index alone."""
    params = {"partner": partner_id, "day": TODAY.isoformat(), "soon": TODAY.isoformat()}
    plan = []
    for sql in (f"SELECT sum(amount) FROM ledger WHERE partner_id = :partner"
                f" AND {ledger_repo._COUNTS} GROUP BY account, program",
                ledger_repo._LOTS.format(where="partner_id = :partner"
                                               " AND (account = 'bonus' OR expires_on < :soon)")):
        async with db.conn.execute("EXPLAIN QUERY PLAN " + sql, params) as cursor:
            plan.append(", ".join(str(row[3]) for row in await cursor.fetchall()))
    return plan


async def timings(call: Callable[[], Awaitable[object]], runs: int) -> list[float]:
    for _ in range(min(20, runs)):  # warm the page cache and the statement cache
        await call()
    spent = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def p(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def report_line(name: str, spent: list[float]) -> str:
    return (f"{name}: p50 {p(spent, 50):.2f} ms, p95 {p(spent, 95):.2f} ms,"
            f" max {max(spent):.2f} ms over {len(spent)} runs")


async def run(args: argparse.Namespace) -> int:
    rng = random.Random(2016)
    rulebook = load_rulebook()
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "bench.sqlite3")
        try:
            await db.migrate()
            started = time.perf_counter()
            ids = await add_partners(db, args.partners)
            small = await add_small_ledgers(db, rulebook, ids[1:], rng)
            big = ids[0]
            await grow_big_ledger(db, rulebook, big, args.rows, rng)
            built = time.perf_counter() - started
            big_rows = await count_rows(db, big)
            counting = await count_rows(db, big, counting_on=TODAY)
            held = await ledger.balance(db, rulebook, big, TODAY)
            plan = await query_plan(db, big)

            balance_ms = await timings(lambda: ledger.balance(db, rulebook, big, TODAY), args.runs)
            ranking_ms = await timings(lambda: ledger.ranking(db, rulebook, TODAY),
                                       max(10, args.runs // 20))
            lines = [ledger.order_line(f"Licence {n}", 10_000_000) for n in range(5)]
            quote_ms = await timings(lambda: ledger.quote(db, rulebook, big, lines, TODAY),
                                     args.runs)
        finally:
            await db.close()

    print(f"platform: {platform.platform()}")
    print(f"cpu: {cpu_model()}")
    print(f"python: {platform.python_implementation()} {platform.python_version()},"
          f" sqlite {sqlite3.sqlite_version}")
    print(f"data: {args.partners:,} partners with {small:,} lots among them, and one with"
          f" {big_rows:,} ledger rows ({len(held.bonus_lots)} bonus lots and"
          f" {held.points_total} points counting today, {counting:,} of its rows); built in"
          f" {built:.1f} s")
    print("query plans: " + " | ".join(plan))
    print(report_line("balance (the /balance service call)", balance_ms)
          + f" — goal p95 < {GOAL_MS:.0f} ms")
    print(report_line("ranking (every partner, /rating)", ranking_ms))
    print(report_line("quote (/bonus, 5 licence lines)", quote_ms))
    return 0 if p(balance_ms, 95) < GOAL_MS else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500, help="timed calls of balance()")
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=10_000, help="ledger rows of the big partner")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
