"""Messages to people other than the one who pressed or typed: managers, colleagues.

Telegram refuses a chat that has never written to the bot, and a user who blocked it; such a
recipient is skipped (and logged) so one unreachable manager never breaks a partner's flow.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable

from telegram import CallbackQuery
from telegram.error import BadRequest, Forbidden

from bot.runtime import Runtime
from bot.services.users import set_blocked

log = logging.getLogger(__name__)


async def reachable(rt: Runtime, ids: Iterable[int]) -> list[int]:
    """Those of `ids` who have started the bot and not blocked it, in the given order."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    marks = ", ".join("?" for _ in wanted)
    rows = await rt.db.fetch_all(
        f"SELECT telegram_id FROM users WHERE blocked_at IS NULL AND telegram_id IN ({marks})",
        tuple(wanted),
    )
    known = {int(row[0]) for row in rows}
    for missing in (i for i in wanted if i not in known):
        log.warning("user %s has not started the bot (or blocked it): not notified", missing)
    return [i for i in wanted if i in known]


async def send_each(
    rt: Runtime, ids: Iterable[int], send: Callable[[int], Awaitable[object]]
) -> list[int]:
    """Call `send` for every reachable recipient; returns those it reached."""
    delivered = []
    for recipient in await reachable(rt, ids):
        try:
            await send(recipient)
        except Forbidden as exc:  # blocked the bot: skipped until they write again
            log.warning("user %s blocked the bot: %s", recipient, exc)
            await set_blocked(rt.db, recipient, blocked=True, now=rt.clock.now())
            rt.presence.blocked(recipient)
            continue
        except BadRequest as exc:
            log.warning("could not notify %s: %s", recipient, exc)
            continue
        delivered.append(recipient)
    return delivered


async def answer_quietly(query: CallbackQuery, text: str | None = None,
                         show_alert: bool = False) -> None:
    """Answer a press whose effect is already committed. A press queued while the bot was down
    is «too old» to answer: nothing is lost but the toast, so that is no error."""
    try:
        await query.answer(text, show_alert=show_alert)
    except BadRequest as exc:
        log.info("callback %s not answered: %s", query.id, exc.message)
