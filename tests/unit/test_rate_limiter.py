"""The send-slot scheduler: people first, a 429 pauses everyone, no second over the rate."""

from __future__ import annotations

import asyncio
import itertools
import time

from bot.rate_limiter import WINDOW_MARGIN, Lane, SlotScheduler


async def granted_order(slots: SlotScheduler, lanes: list[Lane]) -> list[int]:
    order: list[int] = []

    async def one(n: int, lane: Lane) -> None:
        await slots.slot(lane)
        order.append(n)

    tasks = []
    for n, lane in enumerate(lanes):
        tasks.append(asyncio.ensure_future(one(n, lane)))
        await asyncio.sleep(0)  # queued in this order
    await asyncio.gather(*tasks)
    return order


async def test_a_person_waits_for_at_most_the_one_bulk_send_already_let_through() -> None:
    slots = SlotScheduler(50)
    order = await granted_order(slots, [Lane.BULK] * 6 + [Lane.PERSON])
    assert order.index(6) <= 1, order  # the first bulk send had its slot before the person came


async def test_a_429_pauses_every_send_for_its_wait() -> None:
    slots = SlotScheduler(100)
    await slots.slot(Lane.PERSON)
    slots.pause(0.2)
    started = time.monotonic()
    await slots.slot(Lane.PERSON)
    assert time.monotonic() - started >= 0.19


async def test_no_second_holds_more_sends_than_the_rate() -> None:
    slots = SlotScheduler(20)
    times = []
    for _ in range(21):
        await slots.slot(Lane.BULK)
        times.append(time.monotonic())
    assert times[20] - times[0] >= 1.0 + WINDOW_MARGIN - 0.005
    assert all(b - a >= 1 / 20 - 0.005 for a, b in itertools.pairwise(times))
