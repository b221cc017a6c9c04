"""A local Telegram Bot API server for tests and demos, with a driver to act as users.

Start a `LocalBotApi`, build the PTB application with `.base_url(api.base_url)` and
`.base_file_url(api.base_file_url)`, then act as users (`api.send_text(user, "/start")`) and read
what the bot sent (`await api.next_message(user)`). See `driver.py` for the whole driver API.
"""

from bot.localapi.driver import LocalBotApi
from bot.localapi.models import (
    ApiRequest,
    BotMessage,
    Button,
    CallbackAnswer,
    Chat,
    Refusal,
    TgUser,
    UserMessage,
)

__all__ = [
    "ApiRequest",
    "BotMessage",
    "Button",
    "CallbackAnswer",
    "Chat",
    "LocalBotApi",
    "Refusal",
    "TgUser",
    "UserMessage",
]
