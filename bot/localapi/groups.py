"""Group chats as a bot sees them: privacy mode (which messages reach it) and flood limits."""

from __future__ import annotations

import math
import re
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from bot.localapi.models import TgUser

# Telegram counts a bot's messages in one group over a sliding minute (about 20 allowed).
FLOOD_WINDOW = 60.0

# Message fields that make a message a service message (always delivered, privacy mode or not).
_SERVICE_FIELDS = frozenset(
    {
        "new_chat_members",
        "left_chat_member",
        "new_chat_title",
        "new_chat_photo",
        "delete_chat_photo",
        "group_chat_created",
        "supergroup_chat_created",
        "migrate_to_chat_id",
        "migrate_from_chat_id",
        "pinned_message",
        "message_auto_delete_timer_changed",
        "video_chat_started",
        "video_chat_ended",
        "forum_topic_created",
    }
)
_ADDRESSED_COMMAND = re.compile(r"/[A-Za-z0-9_]*@([A-Za-z0-9_]+)")


def reaches_bot_in_privacy_mode(payload: dict[str, Any], bot: TgUser) -> bool:
    """Whether a group message is delivered to a bot with privacy mode on.

    Such a bot gets commands (unless addressed to another bot as /cmd@other_bot), replies to
    its own messages, messages mentioning its @username, and service messages; nothing else.
    """
    if _SERVICE_FIELDS.intersection(payload):
        return True
    replied = payload.get("reply_to_message")
    if isinstance(replied, dict) and (replied.get("from") or {}).get("id") == bot.id:
        return True
    text = payload.get("text")
    if isinstance(text, str) and text.startswith("/"):
        addressed = _ADDRESSED_COMMAND.match(text)
        if addressed is None or _same_username(addressed.group(1), bot.username):
            return True
    return _mentions(payload, "text", "entities", bot) or _mentions(
        payload, "caption", "caption_entities", bot
    )


def _mentions(payload: dict[str, Any], text_key: str, entities_key: str, bot: TgUser) -> bool:
    text = payload.get(text_key)
    if not isinstance(text, str):
        return False
    encoded = text.encode("utf-16-le")
    for entity in payload.get(entities_key) or ():
        if entity.get("type") == "text_mention" and (entity.get("user") or {}).get("id") == bot.id:
            return True
        if entity.get("type") == "mention":
            start, length = int(entity["offset"]) * 2, int(entity["length"]) * 2
            mention = encoded[start : start + length].decode("utf-16-le")
            if _same_username(mention.removeprefix("@"), bot.username):
                return True
    return False


def _same_username(name: str, username: str | None) -> bool:
    return username is not None and name.lower() == username.lower()


class FloodControl:
    """Per-group sliding-minute message counts; `limit=None` means no limit."""

    def __init__(self) -> None:
        self.limit: int | None = None
        self.clock: Callable[[], float] = time.monotonic  # monotonic seconds
        self._sent: dict[int, deque[float]] = {}

    def retry_after(self, chat_id: int) -> int | None:
        """Seconds until the group may get another message, or None if it may now."""
        if self.limit is None:
            return None
        now = self.clock()
        window = self._sent.get(chat_id)
        if window is None:
            return None
        while window and window[0] <= now - FLOOD_WINDOW:
            window.popleft()
        if len(window) < self.limit:
            return None
        # An album may have overshot the limit: wait until the count falls below it again.
        frees_at = window[len(window) - self.limit] + FLOOD_WINDOW
        return max(1, math.ceil(frees_at - now))

    def record(self, chat_id: int, messages: int) -> None:
        if self.limit is not None:
            self._sent.setdefault(chat_id, deque()).extend([self.clock()] * messages)

    def reset(self) -> None:
        self._sent.clear()
