"""getChat, getChatMember."""

from __future__ import annotations

from typing import Any

from bot.localapi.errors import bad_request
from bot.localapi.methods.registry import method
from bot.localapi.params import Params
from bot.localapi.state import BotState

_NO_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


@method("getChat")
async def get_chat(state: BotState, p: Params) -> dict[str, Any]:
    chat = state.lookup_chat(p.chat_id())
    info = chat.to_dict()
    info.update(accent_color_id=0, max_reaction_count=11, accepted_gift_types=_NO_GIFTS)
    return info


@method("getChatMember")
async def get_chat_member(state: BotState, p: Params) -> dict[str, Any]:
    chat = state.lookup_chat(p.chat_id())
    user_id = p.require_int("user_id")
    if user_id == state.bot.id:
        return {"status": "member", "user": state.bot.to_dict()}
    user = state.users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    if chat.owner is not None and chat.owner.id == user_id:
        return {"status": "creator", "user": user.to_dict(), "is_anonymous": False}
    if chat.has_member(user):
        return {"status": "member", "user": user.to_dict()}
    if chat.type == "private":
        raise bad_request("user not found")
    return {"status": "left", "user": user.to_dict()}
