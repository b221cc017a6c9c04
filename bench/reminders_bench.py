"""How fast the reminders dispatcher empties a full outbox, and that it never floods Telegram.

    python bench/reminders_bench.py [--count 10000] [--rate 30] [--batch 100] [--quick]

10,000 reminders (by default) fall due at once for 10,000 different people. The real bot
(`build_application`, its rate limiter at PARTNERDESK_MESSAGES_PER_SECOND = --rate) sends them
through the in-process local Bot API server (127.0.0.1). That server is given Telegram's flood
control for the run: a leaky bucket of --rate messages, refilled at --rate a second; a send
beyond it gets a 429 with retry_after, counted below. The run prints the query plan of the
dispatcher's one query per batch, the SQL statements per batch, messages per second, the
largest number of sends in any one-second window, the 429s, and the machine.

At the default 30/s the run takes about 5½ minutes; `--rate 300` shows the dispatcher's own
ceiling in half a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import telegram

from bot.app import build_application, polling
from bot.clock import Clock
from bot.config import load_settings
from bot.handlers.reminders import dispatch
from bot.localapi import LocalBotApi
from bot.localapi.errors import flood
from bot.localapi.methods.registry import METHODS
from bot.runtime import runtime_of
from bot.storage.reminders import DUE_SQL, utc

TOKEN = "123456:BENCH-TOKEN"
MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 4, 15, 12, 0, tzinfo=MSK)  # a Wednesday noon: no quiet hours
FIRST_USER = 1_000_000
APPLICATIONS = 100


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


class FloodControl:
    """Telegram's overall limit as a leaky bucket, in front of the local server's sendMessage."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.level = 0.0
        self.last = time.monotonic()
        self.floods = 0
        self.sent: list[float] = []

    def install(self) -> None:
        name, handler = METHODS["sendmessage"]

        async def limited(state: Any, params: Any) -> Any:
            now = time.monotonic()
            self.level = max(0.0, self.level - (now - self.last) * self.rate)
            self.last = now
            if self.level + 1 > self.rate:
                self.floods += 1
                raise flood(1)
            self.level += 1
            self.sent.append(now)
            return await handler(state, params)

        METHODS["sendmessage"] = (name, limited)

    def busiest_second(self) -> int:
        best, start = 0, 0
        for end, moment in enumerate(self.sent):
            while moment - self.sent[start] >= 1.0:
                start += 1
            best = max(best, end - start + 1)
        return best


def seed(database: Path, count: int) -> None:
    """Users, partners, approved applications, and `count` reminders due a minute ago."""
    now, due = NOW.isoformat(), utc(NOW.replace(hour=11, minute=59))
    answers = json.dumps({"kind": "seminar", "event_date": "2026-04-30"})
    with sqlite3.connect(database) as db:
        db.executemany(
            "INSERT INTO users (telegram_id, first_name, language, created_at, last_seen_at)"
            " VALUES (?, 'Bench', 'ru', ?, ?)",
            [(FIRST_USER + i, now, now) for i in range(count)])
        db.executemany(
            "INSERT INTO partners (id, code, company, city, status, created_at)"
            " VALUES (?, ?, 'Bench Ltd', 'Kazan', 'gold', ?)",
            [(i + 1, f"B-{i + 1}", now) for i in range(APPLICATIONS)])
        db.executemany(
            "INSERT INTO applications (id, partner_id, author_id, kind, title, event_date, status,"
            " answers, assessment, rulebook, submitted_at, updated_at)"
            " VALUES (?, ?, ?, 'seminar', 'Битрикс24 для бизнеса', '2026-04-30', 'approved',"
            " ?, '{}', 'bench', ?, ?)",
            [(i + 1, i + 1, FIRST_USER + i, answers, now, now) for i in range(APPLICATIONS)])
        db.executemany(
            "INSERT INTO reminders (key, application_id, recipient_id, kind, planned_for, due_at,"
            " created_at, updated_at) VALUES (?, ?, ?, 'weekly', '2026-04-30', ?, ?, ?)",
            [(f"bench:{i}", i % APPLICATIONS + 1, FIRST_USER + i, due, now, now)
             for i in range(count)])


def query_plan(database: Path) -> list[str]:
    with sqlite3.connect(database) as db:
        return [str(row[3]) for row in db.execute(f"EXPLAIN QUERY PLAN {DUE_SQL}",
                                                  (utc(NOW), True, 100))]


def statement_kind(sql: str) -> str | None:
    text = " ".join(sql.split())
    if "FROM reminders AS r" in text:
        return "select due rows (the indexed query)"
    if text.startswith("UPDATE reminders SET state = 'sending'"):
        return "claim (compare-and-set)"
    if text.startswith("UPDATE reminders SET state =") and "sent_at = CASE" in text:
        return "mark one sent"
    return None


async def run(count: int, rate: float, batch: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="reminders-bench-"))
    api = LocalBotApi(token=TOKEN, bot_username="partnerdesk_bench_bot")
    control = FloodControl(rate)
    control.install()
    await api.start()
    for i in range(count):
        api.user(FIRST_USER + i, "Bench", language_code="ru", started=True)
    os.environ.update({"PARTNERDESK_MESSAGES_PER_SECOND": str(rate),
                       "PARTNERDESK_REMINDERS_BATCH": str(batch),
                       "PARTNERDESK_REMINDERS_INTERVAL": "3600"})  # the bench runs it itself
    settings = load_settings(telegram_bot_token=TOKEN, bot_api_url=api.base_url,
                             database=workdir / "bench.sqlite3", data_dir=workdir / "data",
                             timezone="Europe/Moscow", managers={})
    app = build_application(settings, clock=Clock(MSK, offset=NOW - datetime.now(UTC)))
    statements: Counter[str] = Counter()

    def trace(sql: str) -> None:
        kind = statement_kind(sql)
        if kind:
            statements[kind] += 1

    try:
        async with polling(app, poll_timeout=1):
            assert app.job_queue is not None
            for job in app.job_queue.jobs():  # only the bench's own dispatch() sends
                job.schedule_removal()
            rt = runtime_of(app)
            seed(settings.database, count)
            await rt.db.conn.set_trace_callback(trace)
            started = time.perf_counter()
            stats = await dispatch(app.bot, rt, budget=float("inf"))
            elapsed = time.perf_counter() - started
            await rt.db.conn.set_trace_callback(None)
            left = await rt.db.fetch_all("SELECT state, COUNT(*) FROM reminders GROUP BY state")
    finally:
        await api.stop()
    report(count, rate, batch, elapsed, stats.sent, stats.batches, control, statements,
           {str(r[0]): int(r[1]) for r in left}, query_plan(settings.database))


def report(count: int, rate: float, batch: int, elapsed: float, sent: int, batches: int,
           control: FloodControl, statements: Counter[str], states: dict[str, int],
           plan: list[str]) -> None:
    print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs, {platform.system()} "
          f"{platform.release()}; Python {platform.python_version()}, SQLite "
          f"{sqlite3.sqlite_version}, python-telegram-bot {telegram.__version__}")
    print(f"the dispatcher's query per batch: {' '.join(DUE_SQL.split())}")
    for line in plan:
        print(f"  plan: {line}")
    print(f"reminders due: {count}; configured rate {rate:g}/s; batch {batch}")
    print(f"sent {sent} in {elapsed:.1f} s: {sent / elapsed:.1f} messages/s")
    print(f"429 from the flood control (a bucket of {rate:g}, refilled at {rate:g}/s): "
          f"{control.floods}; busiest second: {control.busiest_second()} sends")
    print(f"batches: {batches}; statements: " + ", ".join(
        f"{kind} {n} ({n / max(batches, 1):.1f}/batch)" for kind, n in sorted(statements.items())))
    print(f"outbox after the run: {states}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--quick", action="store_true",
                        help="1,000 reminders at 300/s (a few seconds) instead of the defaults")
    args = parser.parse_args(argv)
    if args.quick:
        args.count, args.rate = 1_000, 300.0
    asyncio.run(run(args.count, args.rate, args.batch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
