"""Updates per second of the whole bot against a minimal echo bot, on one local Bot API server.

    python bench/throughput.py [--users 50] [--messages 10] [--rounds 3] [--timeout 120]

N simulated people (--users) write at once through the in-process local Bot API server
(127.0.0.1). Each sends --messages texts one after another, waiting for the bot's reply before
the next, as a person does. Two bots take turns on the same server in the same run:

* echo: a PTB Application with one MessageHandler that replies the text (no rate limiter);
* Partner Desk: `build_application` (every handler, SQLite writes, jinja2 templates) on a fresh
  database. Each newcomer sends /start (the greeting with the partner ID question), answers the
  joining form's first three questions by typing (partner ID, company, city: each answer is
  validated, saved in the form's draft and answered with the next question), then sends /help
  for the rest. Its AIORateLimiter is set to 100,000 messages/s here so that Telegram's 30/s
  allowance (a deployment setting, benchmarked in reminders_bench.py) does not hide the bot's
  own cost.

The machine is shared and noisy, so the two take turns --rounds times (new people each round)
and the figures are the medians over the rounds. Prints, for both, updates/s (updates handled /
wall time from the first send to the last reply) and p50/p95/max latency from sending an update
to the bot's first reply to it; then the ratio (goal: Partner Desk at least 60% of echo) and
the machine. Bounded: users × messages updates per bot and round, --timeout seconds per phase.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import telegram
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.app import build_application, polling
from bot.config import load_settings
from bot.localapi import LocalBotApi
from bot.localapi.models import BotMessage, StoredMessage, TgUser

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
    cpu_seconds: float  # of the whole process (bot, server, driver): steal time not counted

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds

    def line(self) -> str:
        lat = self.latencies_ms
        q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else lat * 99
        return (f"{self.name}: {self.updates} updates in {self.seconds:.2f} s ="
                f" {self.per_second:.1f} updates/s; latency p50 {q[49]:.1f} ms,"
                f" p95 {q[94]:.1f} ms, max {max(lat):.1f} ms;"
                f" CPU {1000 * self.cpu_seconds / self.updates:.2f} ms/update")


class Inbox:
    """How many messages the bot has sent to each person, with a wake-up per person.

    The local server's own `wait_until` wakes every waiter at every change: with 50 people that
    is 50 checks per message, and the driver, not the bot, would be what is measured.
    """

    def __init__(self, api: LocalBotApi) -> None:
        self.api = api
        self.counts: collections.Counter[int] = collections.Counter()
        self.arrived: dict[int, asyncio.Event] = {}
        store = api.state.store_message

        def storing(message: StoredMessage) -> None:
            store(message)
            if isinstance(message, BotMessage):
                self.counts[message.chat_id] += 1
                if event := self.arrived.get(message.chat_id):
                    event.set()

        api.state.store_message = storing  # type: ignore[method-assign]

    async def wait(self, user: TgUser, count: int) -> None:
        while self.counts[user.id] < count:
            event = self.arrived[user.id] = asyncio.Event()
            await event.wait()


async def person(inbox: Inbox, user: TgUser, script: Sequence[tuple[str, int]],
                 latencies: list[float]) -> None:
    """Send each text, wait for its first reply (the latency) and then for all its replies."""
    for text, expected in script:
        before = inbox.counts[user.id]
        started = time.perf_counter()
        await inbox.api.send_text(user, text)
        await inbox.wait(user, before + 1)
        latencies.append((time.perf_counter() - started) * 1000)
        await inbox.wait(user, before + expected)


async def drive(inbox: Inbox, name: str, first_user: int, users: int,
                script: Callable[[int], Sequence[tuple[str, int]]], limit: float) -> Phase:
    """`script(user_id)`: what that person sends, with how many replies each text gets."""
    people = [inbox.api.user(first_user + i, f"Bench{i}", language_code="ru")
              for i in range(users)]
    scripts = [script(p.id) for p in people]
    latencies: list[float] = []
    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.wait_for(asyncio.gather(*(person(inbox, p, texts, latencies)
                                            for p, texts in zip(people, scripts, strict=True))),
                           limit)
    return Phase(name, sum(map(len, scripts)), time.perf_counter() - started, latencies,
                 time.process_time() - cpu)


def echo_script(messages: int) -> Callable[[int], Sequence[tuple[str, int]]]:
    return lambda user_id: [(f"message {n}", 1) for n in range(messages)]


def partnerdesk_script(messages: int) -> Callable[[int], Sequence[tuple[str, int]]]:
    """A newcomer: /start (the greeting with the first question), three typed answers of the
    joining form, then /help."""
    def script(user_id: int) -> Sequence[tuple[str, int]]:
        start = [("/start", 1), (f"P-{user_id}", 1), (f"Компания {user_id}", 1), ("Казань", 1)]
        return (start + [("/help", 1)] * messages)[:messages]
    return script


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(update.effective_message.text)


async def echo_phase(inbox: Inbox, users: int, messages: int, limit: float,
                     first_user: int) -> Phase:
    api = inbox.api
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
            await drive(inbox, "warm-up", first_user - 1, 1, echo_script(1), limit)
            return await drive(inbox, "echo bot", first_user, users, echo_script(messages), limit)
        finally:
            await app.updater.stop()
            await app.stop()


async def partnerdesk_phase(inbox: Inbox, users: int, messages: int, limit: float,
                            folder: Path, first_user: int) -> Phase:
    api = inbox.api
    settings = load_settings(telegram_bot_token=TOKEN, bot_api_url=api.base_url,
                             database=folder / "throughput.sqlite3", data_dir=folder / "data",
                             timezone="Europe/Moscow", managers={},
                             messages_per_second=100_000)
    app = build_application(settings)
    async with polling(app, poll_timeout=1):
        assert app.job_queue is not None
        for job in app.job_queue.jobs():  # no background jobs competing in a short run
            job.schedule_removal()
        await drive(inbox, "warm-up", first_user - 1, 1, partnerdesk_script(2), limit)
        return await drive(inbox, "Partner Desk", first_user, users, partnerdesk_script(messages),
                           limit)


def median_phase(name: str, phases: Sequence[Phase]) -> Phase:
    """The round with the median updates/s (its latencies with it)."""
    ranked = sorted(phases, key=lambda phase: phase.per_second)
    middle = ranked[len(ranked) // 2]
    return Phase(f"{name} (median of {len(phases)})", middle.updates, middle.seconds,
                 middle.latencies_ms, middle.cpu_seconds)


async def run(args: argparse.Namespace) -> int:
    api = LocalBotApi(token=TOKEN, bot_username="partnerdesk_bench_bot")
    await api.start()
    inbox = Inbox(api)
    echoes: list[Phase] = []
    fulls: list[Phase] = []
    try:
        with tempfile.TemporaryDirectory(prefix="throughput-") as folder:
            for n in range(args.rounds):  # new people every round: 10,000 ids apart
                echoes.append(await echo_phase(inbox, args.users, args.messages, args.timeout,
                                               1_000_000 + 10_000 * n))
                fulls.append(await partnerdesk_phase(inbox, args.users, args.messages,
                                                     args.timeout, Path(folder),
                                                     2_000_000 + 10_000 * n))
    finally:
        await api.stop()
    refused = len(api.refusals) + len(api.server_errors)
    print(f"machine: {machine()}")
    print(f"load: {args.users} people at once, {args.messages} messages each, waiting for the"
          f" reply before the next; one in-process local Bot API server on 127.0.0.1;"
          f" {args.rounds} rounds, taking turns")
    for n, (base, full) in enumerate(zip(echoes, fulls, strict=True), 1):
        print(f"round {n}: echo {base.per_second:.1f} updates/s, Partner Desk"
              f" {full.per_second:.1f} updates/s, ratio {full.per_second / base.per_second:.0%}")
    base, full = median_phase("echo bot", echoes), median_phase("Partner Desk", fulls)
    ratio = full.per_second / base.per_second
    print(base.line())
    print(full.line())
    print(f"ratio: Partner Desk / echo = {ratio:.0%} (goal >= {GOAL:.0%}); refusals: {refused}")
    return 0 if ratio >= GOAL and refused == 0 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per phase at most")
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
