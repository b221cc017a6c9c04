"""The bot's rate limiter: Telegram's overall budget handed out one slot at a time, people first.

PTB's `AIORateLimiter` retries a 429 outside its limiter: the sends queued during the retry
wait all pass when it ends, and dozens go out in one second — what earns a longer ban. Here
every attempt, a retry included, takes a slot from one scheduler:
- slots are `1/rate` apart, and no `window` (1 s, plus a small margin for the network's
  jitter) ever holds more than `rate` sends;
- a 429 pauses every slot until its `retry_after` has passed, then sending resumes at the rate;
- two lanes: what answers a person (replies, card edits) takes the next slot; outbox and
  reminder sends (`bulk_lane()`) take slots nobody waits for, so they delay a person's reply by
  at most the one slot already given away;
- a group chat also keeps to `group_rate` sends per `group_period` (Telegram's 20 a minute).

Only calls with a `chat_id` are limited (as in PTB): answers to button presses are not
messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from typing import Any

from aiolimiter import AsyncLimiter
from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

WINDOW_MARGIN = 0.03  # seconds: a send's arrival at Telegram jitters by a few ms


class Lane(enum.IntEnum):
    PERSON = 0  # a reply to what someone just did: first
    BULK = 1  # outbox rows, reminders, digests: what is left


_lane: ContextVar[Lane] = ContextVar("send_lane", default=Lane.PERSON)


@contextlib.contextmanager
def bulk_lane() -> Iterator[None]:
    """Sends made inside take the slots that no person's reply waits for."""
    token = _lane.set(Lane.BULK)
    try:
        yield
    finally:
        _lane.reset(token)


class SlotScheduler:
    """Grants send slots: evenly spaced, at most `per_window` in any window, lanes by priority."""

    def __init__(self, rate: float, *, window: float = 1.0, margin: float = WINDOW_MARGIN,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = 1 / rate
        self._per_window = max(1, math.floor(rate * window))
        self._span = window + margin
        self._clock = clock
        self._recent: deque[float] = deque(maxlen=self._per_window)
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._waiting: dict[Lane, deque[asyncio.Future[None]]] = {lane: deque() for lane in Lane}
        self._pump: asyncio.Task[None] | None = None

    async def slot(self, lane: Lane) -> None:
        """Wait for this send's turn."""
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[lane].append(turn)
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._grant_slots(), name="rate-limiter")
        await turn

    def pause(self, seconds: float) -> None:
        """Telegram said 429: no slot for anyone until `seconds` from now."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def close(self) -> None:
        if self._pump is not None:
            self._pump.cancel()

    def _earliest(self) -> float:
        earliest = max(self._next_slot, self._paused_until)
        if len(self._recent) == self._per_window:
            earliest = max(earliest, self._recent[0] + self._span)
        return earliest

    def _next_waiting(self) -> asyncio.Future[None] | None:
        for lane in Lane:  # PERSON first
            queue = self._waiting[lane]
            while queue:
                turn = queue.popleft()
                if not turn.done():  # a cancelled send gives its place up
                    return turn
        return None

    async def _grant_slots(self) -> None:
        while any(self._waiting.values()):
            wait = self._earliest() - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
                continue  # a 429 may have moved the earliest time meanwhile
            turn = self._next_waiting()
            if turn is None:
                return
            now = self._clock()
            self._recent.append(now)
            self._next_slot = now + self._interval
            turn.set_result(None)


class PeopleFirstRateLimiter(BaseRateLimiter[int]):
    """PTB's rate limiter interface over `SlotScheduler`; `rate_limit_args` is max retries."""

    def __init__(self, rate: float, *, max_retries: int = 3, group_rate: int = 20,
                 group_period: float = 60.0) -> None:
        self._slots = SlotScheduler(rate)
        self._max_retries = max_retries
        self._group_rate, self._group_period = group_rate, group_period
        self._groups: dict[int | str, AsyncLimiter] = {}

    async def initialize(self) -> None:
        """Nothing to set up: the scheduler starts with the first send."""

    async def shutdown(self) -> None:
        self._slots.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat_id = data.get("chat_id")
        if chat_id is None:
            return await callback(*args, **kwargs)
        group = self._group_of(chat_id)
        lane = _lane.get()
        max_retries = rate_limit_args or self._max_retries
        for attempt in range(max_retries + 1):
            try:
                if group is not None:
                    await group.acquire()
                await self._slots.slot(lane)
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == max_retries:
                    raise
                seconds = exc._retry_after.total_seconds() + 0.1
                log.info("429 on %s: every send waits %.1f s", endpoint, seconds)
                self._slots.pause(seconds)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _group_of(self, chat_id: object) -> AsyncLimiter | None:
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)  # type: ignore[call-overload]
        if isinstance(chat_id, int) and chat_id > 0:
            return None  # a private chat
        key: int | str = chat_id if isinstance(chat_id, int) else str(chat_id)
        if key not in self._groups:
            if len(self._groups) > 512:  # forget groups whose budget is whole again
                rate = self._group_rate
                for old in [k for k, lim in self._groups.items() if lim.has_capacity(rate)]:
                    del self._groups[old]
            self._groups[key] = AsyncLimiter(self._group_rate, self._group_period)
        return self._groups[key]
