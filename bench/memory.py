"""Resident memory of the running bot with a big database, before and after 10,000 updates.

    python bench/memory.py [--partners 10000] [--applications 200000] [--updates 10000]

Fills a fresh database (WAL, migrated by the bot) with --partners partners, one active employee
each, and --applications applications spread over them (executemany, in one transaction),
then starts the real bot (`build_application` + polling) against the in-process local Bot API
server and drives --updates updates through it: 50 employees at a time, each sending /events
(their partner's applications, read from the database and rendered), /help and /start in
turn. Prints VmRSS (from /proc/self/status) at each stage and the peak (VmHWM), and the machine.

Bot and local server share this process, so the figures include the server's record of every
message (grows with the updates), and SQLite's page cache (2 MB by default per connection).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bot.app import build_application, polling
from bot.config import load_settings
from bot.localapi import LocalBotApi
from bot.rules import load_rulebook
from bot.services.applications import price

sys.path.insert(0, str(Path(__file__).parent))
from throughput import TOKEN, Inbox, drive, machine

FIRST_USER = 5_000_000
AT_ONCE = 50
NOW = "2026-11-23T10:00:00+03:00"
STATUSES = ["pending", "approved", "rejected", "credited", "report_due", "withdrawn"]


def rss_mb(field: str = "VmRSS") -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # peak only (Linux: KiB)


def seed(database: Path, partners: int, applications: int) -> float:
    """Users, partners, members, applications with real answers and assessments; seconds."""
    started = time.perf_counter()
    answers = {"kind": "webinar", "event_date": "2026-12-20", "title": "CRM in an hour",
               "topic": "bitrix24", "audience": "prospects",
               "agenda": [{"title": "Bitrix24", "minutes": 45}], "vendor_talks": [0],
               "conditions": [], "planned_listeners": 40, "channels": ["site"],
               "support": "info"}
    assessment = json.dumps(price(load_rulebook(), answers, date(2026, 11, 23)).to_json_dict())
    answers_json = json.dumps(answers)
    with sqlite3.connect(database) as db:
        db.executemany(
            "INSERT INTO users (telegram_id, first_name, language, created_at, last_seen_at)"
            " VALUES (?, 'Mem', 'ru', ?, ?)",
            [(FIRST_USER + i, NOW, NOW) for i in range(partners)])
        db.executemany(
            "INSERT INTO partners (id, code, company, city, status, created_at)"
            " VALUES (?, ?, ?, 'Kazan', 'gold', ?)",
            [(i + 1, f"M-{i + 1}", f"Company {i + 1}", NOW) for i in range(partners)])
        db.executemany(
            "INSERT INTO members (telegram_id, partner_id, full_name, phone, state, created_at)"
            " VALUES (?, ?, ?, '+79990000000', 'active', ?)",
            [(FIRST_USER + i, i + 1, f"Employee {i}", NOW) for i in range(partners)])
        db.executemany(
            "INSERT INTO applications (partner_id, author_id, kind, title, event_date, status,"
            " answers, assessment, rulebook, submitted_at, updated_at)"
            " VALUES (?, ?, 'webinar', ?, ?, ?, ?, ?, 'bench', ?, ?)",
            [(n % partners + 1, FIRST_USER + n % partners, f"Webinar {n}",
              f"2026-{n % 12 + 1:02d}-{n % 28 + 1:02d}", STATUSES[n % len(STATUSES)],
              answers_json, assessment, NOW, NOW) for n in range(applications)])
    return time.perf_counter() - started


async def run(args: argparse.Namespace) -> int:
    stages: list[tuple[str, float]] = [("after imports", rss_mb())]
    api = LocalBotApi(token=TOKEN, bot_username="partnerdesk_bench_bot")
    await api.start()
    inbox = Inbox(api)
    try:
        with tempfile.TemporaryDirectory(prefix="memory-") as folder:
            settings = load_settings(
                telegram_bot_token=TOKEN, bot_api_url=api.base_url,
                database=Path(folder) / "memory.sqlite3", data_dir=Path(folder) / "data",
                timezone="Europe/Moscow", managers={}, messages_per_second=100_000)
            app = build_application(settings)
            async with polling(app, poll_timeout=1):
                assert app.job_queue is not None
                for job in app.job_queue.jobs():
                    job.schedule_removal()
                stages.append(("bot started (empty database)", rss_mb()))
                seeded = await asyncio.to_thread(seed, settings.database, args.partners,
                                                 args.applications)
                size = settings.database.stat().st_size / 2**20
                stages.append((f"database filled ({size:.0f} MB file, {seeded:.1f} s)", rss_mb()))
                script = [("/events", 1), ("/help", 1), ("/start", 1)]
                rounds = max(1, math.ceil(args.updates / (AT_ONCE * len(script))))
                handled, spent = 0, 0.0
                for r in range(rounds):
                    # a new set of 50 employees each round: more partners' data gets read
                    phase = await drive(inbox, "memory",
                                        FIRST_USER + (r * AT_ONCE) % args.partners, AT_ONCE,
                                        lambda user_id: script, limit=60)
                    handled, spent = handled + phase.updates, spent + phase.seconds
                    if spent > args.budget:
                        break
                stages.append((f"after {handled:,} updates ({spent:.0f} s,"
                               f" {handled / spent:.0f}/s)", rss_mb()))
    finally:
        await api.stop()
    print(f"machine: {machine()}")
    print(f"data: {args.partners:,} partners (one employee each),"
          f" {args.applications:,} applications")
    for name, mb in stages:
        print(f"VmRSS {name}: {mb:.1f} MB")
    print(f"VmHWM (peak): {rss_mb('VmHWM'):.1f} MB; refusals: {len(api.refusals)},"
          f" server errors: {len(api.server_errors)}")
    if handled < args.updates:
        print(f"note: stopped at {handled:,} of {args.updates:,} updates"
              f" (--budget {args.budget} s)")
    return 0 if not api.refusals and not api.server_errors else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--applications", type=int, default=200_000)
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--budget", type=float, default=150.0,
                        help="seconds of updates at most; fewer updates if reached")
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
