"""How long /stats takes for a year of a large program, and its chart.

    python bench/stats_bench.py [--partners 10000] [--applications 200000] [--runs 5]

Fills a temporary SQLite database (the real migrations) with --partners partners and
--applications applications over a year, with decisions, reports for those held and ledger
credits, spends and expiries for a share of them (the generator of tests/services/test_stats.py,
executemany), then times the year's `stats.collect` (p50 of --runs runs) and the chart
separately, and prints the figures and the machine. Goal: the stats call under 1 second.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import chart_worker  # noqa: E402 - after the path
from bot.rules import load_rulebook  # noqa: E402
from bot.services import stats  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from tests.services.test_stats import TODAY, YEAR, populate  # noqa: E402

GOAL_SECONDS = 1.0
TICK = 0.01


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
        finally:
            chart_worker.stop()
            await db.close()

    p50 = statistics.median(timings)
    print(f"year stats ({YEAR.start} - {YEAR.end}): p50 {p50 * 1000:.0f} ms"
          f" (min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f}, {args.runs} runs)")
    print(f"event loop during the year's stats: lag p95 {quantile(lags, 95):.1f} ms,"
          f" max {max(lags, default=0):.1f} ms (what another person's /help would wait for)")
    print(f"chart (worker process): first {chart_timings[0] * 1000:.0f} ms (starts the worker),"
          f" then p50 {statistics.median(chart_timings[1:]) * 1000:.0f} ms,"
          f" {len(png):,} bytes PNG; bot-side VmRSS {rss_before:.1f} MB before the charts,"
          f" {vm_rss_mb():.1f} MB after")
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
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
