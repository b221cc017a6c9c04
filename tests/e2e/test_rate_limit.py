"""Telegram's overall limit holds through a 429, and people's replies go before bulk sends.

Bulk sends are made as the reminders dispatcher makes them: several in flight at once, inside
`bulk_lane()`, through the bot's own limiter and the local Bot API server."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.app import AnyApplication
from bot.localapi import LocalBotApi
from bot.rate_limiter import bulk_lane

RATE = 10  # PARTNERDESK_MESSAGES_PER_SECOND in these tests: low, so a burst is quick to make
IN_FLIGHT = 8  # PARTNERDESK_REMINDERS_CONCURRENCY's default
SLOT = 1 / RATE


@pytest.fixture
def bot_env(bot_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("PARTNERDESK_MESSAGES_PER_SECOND", str(RATE))
    return {**bot_env, "PARTNERDESK_MESSAGES_PER_SECOND": str(RATE)}


def busiest_second(times: list[float]) -> int:
    """The most sends that arrived within any one second."""
    times = sorted(times)
    return max((sum(1 for t in times[i:] if t < start + 1.0)
                for i, start in enumerate(times)), default=0)


def sends_to_chats(api: LocalBotApi) -> list[float]:
    return [r.at for r in api.requests if "chat_id" in r.params]


async def reminder_burst(api: LocalBotApi, bot: AnyApplication, count: int) -> None:
    """`count` reminders to as many people, `IN_FLIGHT` at a time, in the bulk lane."""
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def remind(user_id: int) -> None:
        api.user(user_id, first_name="R", language_code="ru", started=True)
        async with gate:
            with bulk_lane():
                await bot.bot.send_message(user_id, "Напоминание")

    await asyncio.gather(*(remind(5000 + i) for i in range(count)))


async def test_no_second_holds_more_than_the_rate_before_or_after_a_429(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    people = [api.user(1000 + i, first_name=f"P{i}", language_code="ru") for i in range(RATE)]
    api.fail_next("sendMessage", 429, retry_after=1)  # the very first send is refused
    burst = asyncio.create_task(reminder_burst(api, bot, 3 * RATE))
    for person in people:
        await api.send_text(person, "/help")
    await api.wait_until(lambda: len(sends_to_chats(api)) >= 2 * RATE, timeout=10)
    api.fail_next("sendMessage", 429, retry_after=1)  # and another in the middle of the burst
    await asyncio.wait_for(burst, timeout=20)
    await api.wait_until(lambda: all(api.bot_messages(p.id) for p in people), timeout=10)

    assert len(api.injected_failures) == 2
    assert busiest_second(sends_to_chats(api)) <= RATE
    # Each person got exactly one answer: the refused sends were retried, none twice.
    assert all(len(api.bot_messages(p.id)) == 1 for p in people)


async def test_a_reply_waits_for_no_reminder_burst(api: LocalBotApi, bot: AnyApplication) -> None:
    burst = asyncio.create_task(reminder_burst(api, bot, 4 * RATE))
    await api.wait_until(lambda: len(sends_to_chats(api)) >= RATE // 2)
    waits = []
    for i in range(5):
        person = api.user(2000 + i, first_name=f"P{i}", language_code="ru")
        asked = time.monotonic()
        await api.send_text(person, "/help")
        await api.next_message(person.id)
        waits.append(time.monotonic() - asked)
    # FIFO, a reply would wait behind IN_FLIGHT reminders: IN_FLIGHT slots (0.8 s). It waits at
    # most the one slot already given away, plus the bot's own handling.
    assert max(waits) < 3 * SLOT + 0.15, waits
    assert not burst.done(), "the reminders should still have been going out"
    await asyncio.wait_for(burst, timeout=20)
