"""How long /stats takes for a year of a large program, and its chart.

    python bench/stats_bench.py [--partners 10000] [--applications 200000] [--runs 5]
                                [--helpers 10]

Fills a temporary SQLite database (the real migrations) with --partners partners and
--applications applications over a year, with decisions, reports for those held and ledger
credits, spends and expiries for a share of them (the generator of tests/services/test_stats.py,
executemany), then times the year's `stats.collect` (p50 of --runs runs) and the chart
separately. Then through the real bot and the local Bot API server (127.0.0.1): a manager's
/stats for the year — the time until its text and until its chart reach the manager — while
--helpers partners send /help over and over, each waiting for the answer: their p95 is what
a year's /stats costs everyone else. Prints the figures and the machine. Goals (issue 22): the
stats call under 1 second; through the bot, the text ≤ 500 ms, the chart ≤ 800 ms, others'
/help p95 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import chart_worker  # noqa: E402 - after the path
from bot.rules import load_rulebook  # noqa: E402
from bot.services import stats  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from tests.services.test_stats import TODAY, YEAR, populate  # noqa: E402

if TYPE_CHECKING:
    from bot.localapi import LocalBotApi
    from bot.localapi.models import TgUser

GOAL_SECONDS = 1.0
TICK = 0.01
TOKEN = "123456:STATS-BENCH"
MANAGER = 9001
FIRST_AUTHOR = 1_000_001  # the generator's users (populate): partners' authors
MSK = ZoneInfo("Europe/Moscow")
READING = 0.5  # seconds a partner takes to read /help's answer before asking again


@dataclass
class Through:
    """A manager's /stats through the bot while others ask for /help."""

    text_ms: float
    chart_ms: float
    helps_ms: list[float]


async def ask_help(api: LocalBotApi, person: TgUser, until: asyncio.Event,
                   waits: list[float]) -> None:
    """/help, the answer read, /help again…: a person's pace, not a flood."""
    while not until.is_set():
        started = time.perf_counter()
        await api.send_text(person, "/help")
        await api.next_message(person.id, timeout=30)
        waits.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(READING)


async def through_the_bot(database: Path, helpers: int) -> Through:
    """The year's /stats asked in a chat while `helpers` partners send /help. The bot and the
    local server are imported here, after the charts' RSS figures above (this process holds
    them too, so its RSS afterwards is no longer the bot's alone)."""
    from bot.app import build_application, polling
    from bot.clock import Clock
    from bot.config import load_settings
    from bot.localapi import LocalBotApi

    api = LocalBotApi(token=TOKEN, bot_username="partnerdesk_stats_bench_bot")
    await api.start()
    try:
        settings = load_settings(telegram_bot_token=TOKEN, bot_api_url=api.base_url,
                                 database=database, data_dir=database.parent / "data",
                                 managers=f"specialist={MANAGER}")
        noon = datetime.combine(TODAY, clock_time(12), MSK)
        app = build_application(settings, clock=Clock(MSK, offset=noon - datetime.now(UTC)))
        async with polling(app, poll_timeout=1):
            # A bot that has been up a little while: its chart worker (started with it, the
            # shipped PARTNERDESK_CHARTS_AT_START) has loaded matplotlib.
            await asyncio.sleep(8)
            manager = api.user(MANAGER, "Мария", language_code="ru")
            people = [api.user(FIRST_AUTHOR + i, f"U{i}", language_code="ru")
                      for i in range(helpers)]
            for person in people:  # warm-up: each one's first /help, not counted
                await api.send_text(person, "/help")
                await api.next_message(person.id, timeout=30)
            done, waits = asyncio.Event(), list[float]()
            asking = [asyncio.ensure_future(ask_help(api, p, done, waits)) for p in people]
            await asyncio.sleep(0.5)  # /help at its usual pace first
            waits.clear()
            started = time.perf_counter()
            await api.send_text(manager, f"/stats {YEAR.start} {YEAR.end}")
            await api.next_message(manager.id, timeout=60)
            text_ms = (time.perf_counter() - started) * 1000
            chart = await api.next_message(manager.id, timeout=60)
            chart_ms = (time.perf_counter() - started) * 1000
            assert chart.kind == "photo", chart
            done.set()
            await asyncio.gather(*asking)
    finally:
        chart_worker.stop()
        await api.stop()
    return Through(text_ms, chart_ms, waits)


async def loop_lag(lags: list[float]) -> None:
    """How late a 10 ms timer fires, in ms, over and over: the event loop's stalls."""
    while True:
        started = time.perf_counter()
        await asyncio.sleep(TICK)
        lags.append((time.perf_counter() - started - TICK) * 1000)


def quantile(values: list[float], percent: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def vm_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} CPUs; Python {platform.python_version()},"
            f" SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}")


async def run(args: argparse.Namespace) -> int:
    rulebook = load_rulebook(None)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        db = await Database.open(path)
        try:
            await db.migrate()
            started = time.perf_counter()
            with sqlite3.connect(path) as conn:
                populate(conn, partners=args.partners, applications=args.applications)
                counts = {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                          for table in ("partners", "applications", "decisions", "reports",
                                        "ledger")}
            filled = time.perf_counter() - started
            print(f"generated in {filled:.1f} s: "
                  + ", ".join(f"{name} {count:,}" for name, count in counts.items()))

            timings: list[float] = []
            lags: list[float] = []
            found = None
            for _ in range(args.runs):
                started = time.perf_counter()
                ticking = asyncio.ensure_future(loop_lag(lags))
                found = await stats.collect(db, rulebook, YEAR, TODAY)
                timings.append(time.perf_counter() - started)
                ticking.cancel()
            assert found is not None
            chart_timings: list[float] = []
            png = b""
            labels = ("01.07.2025 - 30.06.2026", "Events", "Listeners", "Compensation, rub")
            rss_before = vm_rss_mb()
            for _ in range(max(2, args.runs // 2)):  # the first starts the worker
                started = time.perf_counter()
                png = await chart_worker.render(found.monthly, labels)
                chart_timings.append(time.perf_counter() - started)
            rss_after = vm_rss_mb()
        finally:
            chart_worker.stop()
            await db.close()
        through = await through_the_bot(path, args.helpers)

    p50 = statistics.median(timings)
    print(f"year stats ({YEAR.start} - {YEAR.end}): p50 {p50 * 1000:.0f} ms"
          f" (min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f}, {args.runs} runs)")
    print(f"event loop during the year's stats: lag p95 {quantile(lags, 95):.1f} ms,"
          f" max {max(lags, default=0):.1f} ms (what another person's /help would wait for)")
    print(f"chart (worker process): first {chart_timings[0] * 1000:.0f} ms (starts the worker),"
          f" then p50 {statistics.median(chart_timings[1:]) * 1000:.0f} ms,"
          f" {len(png):,} bytes PNG; bot-side VmRSS {rss_before:.1f} MB before the charts,"
          f" {rss_after:.1f} MB after")
    helps = through.helps_ms
    print(f"through the bot: the year's /stats text in {through.text_ms:.0f} ms, its chart in"
          f" {through.chart_ms:.0f} ms (its worker started with the bot);"
          f" {args.helpers} partners' /help meanwhile: {len(helps)} answers, p50"
          f" {quantile(helps, 50):.0f} ms, p95 {quantile(helps, 95):.0f} ms,"
          f" max {max(helps, default=0):.0f} ms")
    for name, value, goal in (("text", through.text_ms, 500), ("chart", through.chart_ms, 800),
                              ("others' /help p95", quantile(helps, 95), 100)):
        print(f"  {'OK' if value <= goal else 'SLOW'}: {name} ≤ {goal} ms")
    print(f"figures: applications {found.applications_total:,}, events held"
          f" {found.events_held:,}, registrations {found.registrations:,}, listeners"
          f" {found.listeners:,}, points {found.points}, compensation"
          f" {found.compensation / 100:,.0f} rub, bonus spent {found.bonus_spent / 100:,.0f},"
          f" expired {found.bonus_expired / 100:,.0f}, median decision"
          f" {found.median_decision_hours or 0:.1f} h, median report"
          f" {found.median_report_days or 0:.1f} d, overdue {found.overdue_reports:,},"
          f" low attendance {found.low_attendance_count:,}, suspended {found.suspended_count:,}")
    print(f"machine: {machine()}")
    verdict = "OK" if p50 < GOAL_SECONDS else "SLOW"
    print(f"{verdict}: goal under {GOAL_SECONDS:.0f} s")
    return 0 if p50 < GOAL_SECONDS else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--applications", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--helpers", type=int, default=10,
                        help="partners sending /help during the year's /stats")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
