"""The /stats chart drawn in a worker process: matplotlib and its figures (some 80 MB) stay
there, not in the bot, and drawing takes no time from the bot's event loop.

One worker, started with the first chart (forkserver: it does not inherit the bot's memory or
threads) and kept for the next ones; stopped with the bot.
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


async def render(monthly: Mapping[str, tuple[int, int, int]],
                 labels: tuple[str, str, str, str]) -> bytes:
    """PNG of `monthly` (YYYY-MM → events, listeners, kopecks); labels: title, events,
    listeners, compensation."""
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=1,
                                    mp_context=multiprocessing.get_context("forkserver"))
    return await asyncio.get_running_loop().run_in_executor(_pool, _draw, dict(monthly), labels)


def stop() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None
