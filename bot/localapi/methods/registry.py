"""Bot API method registry: canonical name -> implementation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.localapi.params import Params
from bot.localapi.state import BotState

Handler = Callable[[BotState, Params], Awaitable[Any]]

# Lower-cased name -> (canonical name, handler): Telegram matches method names ignoring case.
METHODS: dict[str, tuple[str, Handler]] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = (name, handler)
        return handler

    return register
