"""The Bot API methods the local server implements."""

from __future__ import annotations

from bot.localapi.methods import bot_settings, chats, media, messages, updates
from bot.localapi.methods.registry import METHODS, Handler

__all__ = ["METHODS", "Handler", "find_method"]

_MODULES = (bot_settings, chats, media, messages, updates)  # imported for registration


def find_method(name: str) -> tuple[str, Handler] | None:
    return METHODS.get(name.lower())
