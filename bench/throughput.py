"""Updates per second of the whole bot against a minimal echo bot, on one local Bot API server.

    python bench/throughput.py [--users 50] [--messages 10] [--timeout 120]

N simulated people (--users) write at once through the in-process local Bot API server
(127.0.0.1). Each sends --messages texts one after another, waiting for the bot's reply before
the next, as a person does. Two bots take turns on the same server in the same run:

* echo: a PTB Application with one MessageHandler that replies the text (no rate limiter);
* Partner Desk: `build_application` (every handler, SQLite writes, jinja2 templates) on a fresh
  database; each newcomer sends /start (the greeting and the first joining question), then
  /help. Its AIORateLimiter is set to 100,000 messages/s here so that Telegram's 30/s
  allowance (a deployment setting, benchmarked in reminders_bench.py) does not hide the bot's
  own cost.

Prints, for both, updates/s (updates handled / wall time from the first send to the last reply)
and p50/p95/max latency from sending an update to the bot's first reply to it; then the ratio
(goal: Partner Desk at least 60% of echo) and the machine. Bounded: users × messages updates
per bot and --timeout seconds per phase.
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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import telegram
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.app import build_application, polling
from bot.config import load_settings
from bot.localapi import LocalBotApi
from bot.localapi.models import TgUser

TOKEN = "123456:BENCH-TOKEN"
GOAL = 0.60
os.environ.setdefault("PTB_TIMEDELTA", "true")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> str:
    return (f"{cpu_model()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()};"
            f" Python {platform.python_version()}, SQLite {sqlite3.sqlite_version},"
            f" python-telegram-bot {telegram.__version__}")


@dataclass
class Phase:
    name: str
    updates: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds

    def line(self) -> str:
        lat = self.latencies_ms
        q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else lat * 99
        return (f"{self.name}: {self.updates} updates in {self.seconds:.2f} s ="
                f" {self.per_second:.1f} updates/s; latency p50 {q[49]:.1f} ms,"
                f" p95 {q[94]:.1f} ms, max {max(lat):.1f} ms")


def replies(api: LocalBotApi, user: TgUser) -> int:
    return len(api.state.bot_messages(user.id, include_deleted=True))


async def person(api: LocalBotApi, user: TgUser, script: Sequence[tuple[str, int]],
                 latencies: list[float], limit: float) -> None:
    """Send each text, wait for its first reply (the latency) and then for all its replies."""
    for text, expected in script:
        before = replies(api, user)
        started = time.perf_counter()
        await api.send_text(user, text)
        await api.wait_until(lambda: replies(api, user) > before, timeout=limit)  # noqa: B023
        latencies.append((time.perf_counter() - started) * 1000)
        await api.wait_until(lambda: replies(api, user) >= before + expected,  # noqa: B023
                             timeout=limit)


async def drive(api: LocalBotApi, name: str, first_user: int, users: int,
                script: Sequence[tuple[str, int]], limit: float) -> Phase:
    people = [api.user(first_user + i, f"Bench{i}", language_code="ru") for i in range(users)]
    latencies: list[float] = []
    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(person(api, p, script, latencies, limit)
                                            for p in people)), limit)
    return Phase(name, users * len(script), time.perf_counter() - started, latencies)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(update.effective_message.text)


async def echo_phase(api: LocalBotApi, users: int, messages: int, limit: float) -> Phase:
    app: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder().token(api.token).base_url(api.base_url)
        .base_file_url(api.base_file_url).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        try:
            # a warm-up person first (connection pool, first-call costs), not counted
            await drive(api, "warm-up", 3_000_000, 1, [("hello", 1)], limit)
            script = [(f"message {n}", 1) for n in range(messages)]
            return await drive(api, "echo bot", 1_000_000, users, script, limit)
        finally:
            await app.updater.stop()
            await app.stop()


async def partnerdesk_phase(api: LocalBotApi, users: int, messages: int, limit: float,
                            folder: Path) -> Phase:
    settings = load_settings(telegram_bot_token=TOKEN, bot_api_url=api.base_url,
                             database=folder / "throughput.sqlite3", data_dir=folder / "data",
                             timezone="Europe/Moscow", managers={},
                             messages_per_second=100_000)
    app = build_application(settings)
    async with polling(app, poll_timeout=1):
        assert app.job_queue is not None
        for job in app.job_queue.jobs():  # no background jobs competing in a short run
            job.schedule_removal()
        # /start of a newcomer: the greeting and the partner ID question; /help: one message
        await drive(api, "warm-up", 3_100_000, 1, [("/start", 2), ("/help", 1)], limit)
        script = [("/start", 2)] + [("/help", 1)] * (messages - 1)
        return await drive(api, "Partner Desk", 2_000_000, users, script, limit)


async def run(args: argparse.Namespace) -> int:
    api = LocalBotApi(token=TOKEN, bot_username="partnerdesk_bench_bot")
    await api.start()
    try:
        with tempfile.TemporaryDirectory(prefix="throughput-") as folder:
            base = await echo_phase(api, args.users, args.messages, args.timeout)
            full = await partnerdesk_phase(api, args.users, args.messages, args.timeout,
                                           Path(folder))
    finally:
        await api.stop()
    refused = len(api.refusals) + len(api.server_errors)
    ratio = full.per_second / base.per_second
    print(f"machine: {machine()}")
    print(f"load: {args.users} people at once, {args.messages} messages each, waiting for the"
          f" reply before the next; one in-process local Bot API server on 127.0.0.1")
    print(base.line())
    print(full.line())
    print(f"ratio: Partner Desk / echo = {ratio:.0%} (goal >= {GOAL:.0%}); refusals: {refused}")
    return 0 if ratio >= GOAL and refused == 0 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per phase at most")
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
