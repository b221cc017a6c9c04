"""Bot commands and the chat menu button."""

from __future__ import annotations

from typing import Any

from bot.localapi.errors import bad_request
from bot.localapi.methods.registry import method
from bot.localapi.params import Params
from bot.localapi.state import BotState
from bot.localapi.validate import scope_key, validate_commands, validate_language_code

_MENU_BUTTON_TYPES = frozenset({"commands", "web_app", "default"})


def _command_key(state: BotState, p: Params) -> tuple[str, str]:
    scope = p.get_json("scope", bad_request("can't parse BotCommandScope JSON object"))
    key = scope_key(scope)
    if isinstance(scope, dict) and "chat_id" in scope:
        state.lookup_chat(int(scope["chat_id"]))
    return key, validate_language_code(p.get_str("language_code"))


@method("setMyCommands")
async def set_my_commands(state: BotState, p: Params) -> bool:
    commands = validate_commands(
        p.get_json("commands", bad_request("can't parse commands JSON object"))
    )
    key = _command_key(state, p)
    if commands:
        state.commands[key] = commands
    else:
        state.commands.pop(key, None)
    return True


@method("getMyCommands")
async def get_my_commands(state: BotState, p: Params) -> list[dict[str, str]]:
    return list(state.commands.get(_command_key(state, p), []))


@method("deleteMyCommands")
async def delete_my_commands(state: BotState, p: Params) -> bool:
    state.commands.pop(_command_key(state, p), None)
    return True


@method("setChatMenuButton")
async def set_chat_menu_button(state: BotState, p: Params) -> bool:
    chat_id = p.get_int("chat_id")
    if chat_id is not None and state.lookup_chat(chat_id).type != "private":
        raise bad_request("chat not found")  # menu buttons exist only in private chats
    button = p.get_json("menu_button", bad_request("can't parse menu button JSON object"))
    if button is None:
        button = {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in _MENU_BUTTON_TYPES:
        raise bad_request("can't parse menu button JSON object")
    if button["type"] == "web_app" and not (button.get("text") and button.get("web_app")):
        raise bad_request("can't parse menu button JSON object")
    state.menu_buttons[chat_id] = button
    return True


@method("getChatMenuButton")
async def get_chat_menu_button(state: BotState, p: Params) -> dict[str, Any]:
    chat_id = p.get_int("chat_id")
    button = state.menu_buttons.get(chat_id) or state.menu_buttons.get(None)
    return button or {"type": "default"}
