"""Checks Telegram applies to message content, keyboards and commands, with its wording."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.localapi.entities import Entity, trim, utf16_len
from bot.localapi.errors import ApiError, bad_request
from bot.localapi.html import HtmlParseError, parse_html
from bot.localapi.models import Button

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
MAX_CALLBACK_DATA_BYTES = 64
MAX_COMMANDS = 100
MAX_FILE_DOWNLOAD = 20 * 1024 * 1024
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
COMMAND_SCOPES = frozenset(
    {
        "default", "all_private_chats", "all_group_chats", "all_chat_administrators",
        "chat", "chat_administrators", "chat_member",
    }
)  # fmt: skip
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE = re.compile(r"[a-z]{2}")
_BUTTON_URL = re.compile(r"(https?|tg|ton)://\S+", re.IGNORECASE)
_INLINE_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
    "copy_text", "callback_game", "pay",
)  # fmt: skip


@dataclass(frozen=True)
class FormattedText:
    text: str
    entities: list[Entity]
    raw: str
    parse_mode: str | None


def format_text(
    raw: str | None, parse_mode: str | None, entities: Any, *, caption: bool
) -> FormattedText:
    """Parse a message text or caption like Telegram, enforcing its length limits."""
    if not raw:
        if caption:
            return FormattedText("", [], "", parse_mode or None)
        raise bad_request("message text is empty")
    text, parsed = _parse(raw, parse_mode or None, entities)
    text, parsed = trim(text, parsed)
    if caption:
        if utf16_len(text) > MAX_CAPTION:
            raise bad_request("message caption is too long")
    elif not text:
        raise bad_request("message text is empty")
    elif utf16_len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return FormattedText(text, parsed, raw, parse_mode or None)


def _parse(raw: str, parse_mode: str | None, entities: Any) -> tuple[str, list[Entity]]:
    if parse_mode is None:
        return raw, _explicit_entities(entities, raw)
    mode = parse_mode.lower()
    if mode == "html":
        try:
            return parse_html(raw)
        except HtmlParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    if mode in ("markdown", "markdownv2"):
        # Local limitation, not Telegram's: only HTML is implemented here.
        raise bad_request(
            f"can't parse entities: parse_mode {parse_mode} is not supported by the local "
            "Bot API server; use HTML"
        )
    raise bad_request(f"unsupported parse_mode {parse_mode}")


def _explicit_entities(entities: Any, text: str) -> list[Entity]:
    if entities is None:
        return []
    if not isinstance(entities, list):
        raise bad_request("can't parse entities JSON object")
    length = utf16_len(text)
    result: list[Entity] = []
    for entity in entities:
        if not (
            isinstance(entity, dict)
            and isinstance(entity.get("type"), str)
            and isinstance(entity.get("offset"), int)
            and isinstance(entity.get("length"), int)
        ):
            raise bad_request('can\'t parse MessageEntity: Field "type" must be of type String')
        if entity["offset"] < 0 or entity["length"] <= 0:
            continue
        if entity["offset"] + entity["length"] > length:
            continue
        result.append(dict(entity))
    return result


@dataclass(frozen=True)
class Markup:
    """A validated reply_markup."""

    kind: Literal["inline", "keyboard", "remove", "force_reply"]
    raw: dict[str, Any]
    buttons: list[list[Button]] = field(default_factory=list)


def parse_reply_markup(value: Any, *, inline_only: bool = False) -> Markup | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _markup_json_error()
    if "inline_keyboard" in value:
        return Markup("inline", value, _inline_keyboard(value["inline_keyboard"]))
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in value:
        return Markup("keyboard", value, _reply_keyboard(value["keyboard"]))
    if value.get("remove_keyboard") is True:
        return Markup("remove", value)
    if value.get("force_reply") is True:
        return Markup("force_reply", value)
    raise _markup_json_error()


def _markup_json_error() -> ApiError:
    return bad_request("can't parse reply keyboard markup JSON object")


def _rows(rows: Any, field_name: str, type_name: str) -> list[list[Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{field_name}" of the {type_name} should be an Array of Arrays')
    return rows


def _inline_keyboard(rows: Any) -> list[list[Button]]:
    result: list[list[Button]] = []
    for row in _rows(rows, "inline_keyboard", "InlineKeyboardMarkup"):
        result.append([_inline_button(button) for button in row])
    return result


def _inline_button(button: Any) -> Button:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    if not any(action in button for action in _INLINE_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None:
        size = len(str(data).encode("utf-8"))
        if not isinstance(data, str) or not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and (not isinstance(url, str) or not _BUTTON_URL.fullmatch(url)):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    return Button(text=text, callback_data=data, url=url)


def _reply_keyboard(rows: Any) -> list[list[Button]]:
    result: list[list[Button]] = []
    for row in _rows(rows, "keyboard", "ReplyKeyboardMarkup"):
        buttons: list[Button] = []
        for button in row:
            if isinstance(button, str):
                button = {"text": button}
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request(
                    'can\'t parse keyboard button: Field "text" must be of type String'
                )
            if not button["text"].strip():
                raise bad_request("BUTTON_TEXT_INVALID")
            buttons.append(
                Button(text=button["text"], request_contact=bool(button.get("request_contact")))
            )
        result.append(buttons)
    return result


def validate_commands(value: Any) -> list[dict[str, str]]:
    if value is None:
        raise bad_request('parameter "commands" is required')
    if not isinstance(value, list):
        raise bad_request("can't parse commands JSON object")
    if len(value) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    result: list[dict[str, str]] = []
    for item in value:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand: BotCommand must be an Object")
        command = item.get("command")
        description = item.get("description")
        if not isinstance(command, str) or not _COMMAND.fullmatch(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        result.append({"command": command, "description": description})
    return result


def validate_language_code(code: str | None) -> str:
    if not code:
        return ""
    if not _LANGUAGE.fullmatch(code):
        raise bad_request("LANG_CODE_INVALID")
    return code


def scope_key(scope: Any) -> str:
    """A canonical key for a BotCommandScope (default when absent)."""
    if scope is None:
        scope = {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    normalized = dict(scope)
    for key in ("chat_id", "user_id"):
        if key in normalized:
            try:
                normalized[key] = int(normalized[key])
            except (TypeError, ValueError):
                raise bad_request("chat not found") from None
    if normalized["type"] in ("chat", "chat_administrators", "chat_member") and (
        "chat_id" not in normalized
    ):
        raise bad_request("can't parse BotCommandScope JSON object")
    return json.dumps(normalized, sort_keys=True)
