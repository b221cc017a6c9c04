"""What to say to someone who is not (yet) an active employee of a partner."""

from __future__ import annotations

from telegram import User

from bot.runtime import Runtime
from bot.services import partners


async def not_active(rt: Runtime, user: User) -> str:
    """An employee whose joining waits for a colleague's confirmation hears just that; someone
    who has not joined is asked to /start."""
    member, _ = await partners.membership(rt.db, user.id)
    waiting = member is not None and member.state == "pending"
    return rt.text(user, "apply.wait_for_confirmation" if waiting else "apply.join_first")
