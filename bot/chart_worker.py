"""The /stats chart drawn in a worker process: matplotlib and its figures (some 80 MB) stay
there, not in the bot, and drawing takes no time from the bot's event loop.

One worker (forkserver: it does not inherit the bot's memory or threads), started ahead with the
bot (`PARTNERDESK_CHARTS_AT_START`), or else when /stats comes (matplotlib loads there while the
figures are read), and kept for the next charts; stopped with the bot.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor

_pool: ProcessPoolExecutor | None = None


def _draw(monthly: Mapping[str, tuple[int, int, int]], labels: tuple[str, str, str, str]) -> bytes:
    """In the worker: bot.charts (and matplotlib) are imported there, never in the bot."""
    from bot.charts import ChartLabels, render_chart

    return render_chart(monthly, ChartLabels(*labels))


def _load() -> None:
    """In the worker: matplotlib imported, its fonts found and one chart drawn (the first
    drawing loads more of it), so that a person's first chart is as quick as the next."""
    _draw({"2026-01": (1, 1, 1)}, ("", "", "", ""))


def _worker() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=1,
                                    mp_context=multiprocessing.get_context("forkserver"))
    return _pool


def warm_up() -> None:
    """Start the worker and load matplotlib there, without waiting for it."""
    if _pool is None:
        _worker().submit(_load)


async def render(monthly: Mapping[str, tuple[int, int, int]],
                 labels: tuple[str, str, str, str]) -> bytes:
    """PNG of `monthly` (YYYY-MM → events, listeners, kopecks); labels: title, events,
    listeners, compensation."""
    return await asyncio.get_running_loop().run_in_executor(_worker(), _draw, dict(monthly),
                                                            labels)


def stop() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None
