"""From a manager's tap on ✅ Approve to the partner's «одобрена» message, quiet and under load.

    python bench/decision_latency.py [--decisions 40] [--users 50] [--messages 10] [--rate 30]

The real bot (`build_application`, the shipped settings: --rate is
PARTNERDESK_MESSAGES_PER_SECOND, 30 by default) against the in-process local Bot API server.
First --decisions partners join and apply for a webinar through the bot, so the specialist holds
that many cards. Then the specialist approves half of them, one tap every 0.25 s, with nobody else
writing (the baseline); then the other half while --users newcomers walk the joining form at once
(the load of bench/throughput.py: /start, three typed answers, /help, each waiting for the reply).
For each tap the time until the partner's chat shows the decision is taken; printed: p50, p95 and
max of both phases, and the newcomers' updates/s during the load.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from throughput import TOKEN, Inbox, drive, machine, partnerdesk_script

from bot.app import build_application, polling
from bot.config import load_settings
from bot.localapi import LocalBotApi
from bot.localapi.models import BotMessage, TgUser

SPECIALIST = 9001
TAP_EVERY = 0.25  # seconds between a manager's taps


async def reply(api: LocalBotApi, user: TgUser, text: str) -> BotMessage:
    await api.send_text(user, text)
    return await api.next_message(user.id, timeout=60)


async def press(api: LocalBotApi, user: TgUser, message: BotMessage, button: str) -> BotMessage:
    """Tap, then the next question: a new message, or the pressed one edited into it."""
    before = message.html
    await api.press(user, message, button, timeout=60)
    return await api.next_message_or_edit(user.id, message, before, timeout=60)


async def join_and_apply(api: LocalBotApi, user: TgUser, event_day: str) -> None:
    """The partner's walk: the joining form, then a webinar application, sent."""
    await reply(api, user, "/start")
    await reply(api, user, f"P-{user.id}")
    await reply(api, user, f"Компания {user.id}")
    status = await reply(api, user, "Казань")
    name = await press(api, user, status, "Золотой")
    await press(api, user, name, user.first_name)
    await api.send_contact(user, phone_number=f"+7999{user.id:07d}")
    await api.next_message(user.id, timeout=60)
    kinds = await reply(api, user, "/apply")
    await press(api, user, kinds, "Вебинар")
    await reply(api, user, event_day)
    audience = await reply(api, user, "Битрикс24 за час")  # the topic is read from the title
    await press(api, user, audience, "Потенциальные клиенты")
    rivals = await reply(api, user, "Битрикс24: CRM — 45")
    listeners = await press(api, user, rivals, "Нет")
    await press(api, user, listeners, "50")
    support = await reply(api, user, "рассылка, сайт")
    summary = await press(api, user, support, "Только анонс")
    await press(api, user, summary, "✅ Отправить")


async def approve_each(inbox: Inbox, manager: TgUser, cards: list[tuple[BotMessage, TgUser]]
                       ) -> list[float]:
    """Tap Approve on each card in turn; the milliseconds until each partner was told."""
    api = inbox.api

    async def told(partner: TgUser, before: int, tapped: float) -> float:
        await asyncio.wait_for(inbox.wait(partner, before + 1), 120)
        return (time.perf_counter() - tapped) * 1000

    waits = []
    for card, partner in cards:
        before = inbox.counts[partner.id]
        tapped = time.perf_counter()
        waits.append(asyncio.ensure_future(told(partner, before, tapped)))
        await api.press(manager, card, "✅ Одобрить", timeout=60)
        await asyncio.sleep(TAP_EVERY)
    return list(await asyncio.gather(*waits))


def summary(name: str, latencies: list[float]) -> str:
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return (f"{name}: {len(latencies)} decisions; tap → partner told p50 {q[49]:.0f} ms,"
            f" p95 {q[94]:.0f} ms, max {max(latencies):.0f} ms")


async def run(args: argparse.Namespace) -> int:
    api = LocalBotApi(token=TOKEN, bot_username="partnerdesk_bench_bot")
    await api.start()
    inbox = Inbox(api)
    event_day = (date.today() + timedelta(days=30)).strftime("%d.%m.%Y")
    try:
        with tempfile.TemporaryDirectory(prefix="decision-latency-") as folder:
            settings = load_settings(
                telegram_bot_token=TOKEN, bot_api_url=api.base_url,
                database=Path(folder) / "bench.sqlite3", data_dir=Path(folder) / "data",
                timezone="Europe/Moscow", managers={"specialist": [SPECIALIST]},
                messages_per_second=args.rate)
            app = build_application(settings)
            async with polling(app, poll_timeout=1):
                manager = api.user(SPECIALIST, "Мария", language_code="ru")
                await reply(api, manager, "/start")
                partners = [api.user(500_000 + n, f"Партнёр{n}", language_code="ru")
                            for n in range(args.decisions)]
                started = time.perf_counter()
                await asyncio.gather(*(join_and_apply(api, p, event_day) for p in partners))
                print(f"seeded {len(partners)} applications through the bot in"
                      f" {time.perf_counter() - started:.1f} s")
                await api.wait_until(lambda: sum(m.text.startswith("Заявка №") for m in
                                                 api.bot_messages(manager)) == len(partners),
                                     timeout=60)
                cards = [(card, next(p for p in partners if f"(ID P-{p.id})" in card.text))
                         for card in api.bot_messages(manager)
                         if card.text.startswith("Заявка №")]
                half = len(cards) // 2
                quiet = await approve_each(inbox, manager, cards[:half])
                load = asyncio.ensure_future(drive(inbox, "newcomers", 3_000_000, args.users,
                                                   partnerdesk_script(args.messages), 300))
                loaded = await approve_each(inbox, manager, cards[half:])
                newcomers = await load
    finally:
        await api.stop()
    refused = len(api.refusals) + len(api.server_errors)
    print(f"machine: {machine()}")
    print(f"settings: PARTNERDESK_MESSAGES_PER_SECOND={args.rate} (shipped: 30); one tap every"
          f" {TAP_EVERY} s; load: {args.users} newcomers × {args.messages} messages")
    print(summary("quiet", quiet))
    print(summary(f"under load ({newcomers.per_second:.0f} newcomer updates/s)", loaded))
    print(f"refusals: {refused}")
    return 0 if refused == 0 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decisions", type=int, default=40)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--rate", type=float, default=30.0,
                        help="PARTNERDESK_MESSAGES_PER_SECOND (shipped: 30)")
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
