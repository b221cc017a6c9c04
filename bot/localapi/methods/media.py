"""sendPhoto, sendDocument, sendMediaGroup, getFile."""

from __future__ import annotations

from typing import Any

from bot.localapi.errors import WRONG_FILE_ID, bad_request, missing
from bot.localapi.methods.common import (
    new_bot_message,
    reply_markup,
    reply_target,
    resolve_file_reference,
    store_input_file,
)
from bot.localapi.methods.registry import method
from bot.localapi.models import StoredFile
from bot.localapi.params import Params
from bot.localapi.state import BotState
from bot.localapi.validate import MAX_FILE_DOWNLOAD, FormattedText, format_text

_MEDIA_GROUP_SIZE = (2, 10)


async def _send_media(state: BotState, p: Params, name: str, kind: str) -> dict[str, Any]:
    chat_id = p.chat_id()
    formatted = format_text(
        p.get_str("caption"), p.get_str("parse_mode"), p.get_json("caption_entities"), caption=True
    )
    markup = reply_markup(p)
    chat = state.chat_for_send(chat_id)
    reply_to = reply_target(state, chat, p)
    stored = store_input_file(state, p, kind, kind)
    state.admit_group_send(name, chat)
    message = new_bot_message(state, chat, kind, formatted, markup, reply_to, file=stored)
    return state.message_dict(message)


@method("sendPhoto")
async def send_photo(state: BotState, p: Params) -> dict[str, Any]:
    return await _send_media(state, p, "sendPhoto", "photo")


@method("sendDocument")
async def send_document(state: BotState, p: Params) -> dict[str, Any]:
    return await _send_media(state, p, "sendDocument", "document")


@method("sendMediaGroup")
async def send_media_group(state: BotState, p: Params) -> list[dict[str, Any]]:
    chat_id = p.chat_id()
    media = p.get_json("media")
    if media is None:
        raise missing("media")
    if not isinstance(media, list) or not all(isinstance(item, dict) for item in media):
        raise bad_request("can't parse media JSON object")
    low, high = _MEDIA_GROUP_SIZE
    if len(media) < low:
        raise bad_request("too few messages to send as an album")
    if len(media) > high:
        raise bad_request("too many messages to send as an album")
    kinds = {item.get("type") for item in media}
    if not kinds <= {"photo", "document"}:
        # Local limitation: only the media types the bot uses are implemented.
        raise bad_request(f"media types {sorted(map(str, kinds))} are not supported locally")
    if kinds == {"photo", "document"}:
        raise bad_request("document can't be mixed with other media types")
    chat = state.chat_for_send(chat_id)
    reply_to = reply_target(state, chat, p)

    prepared: list[tuple[str, FormattedText, StoredFile]] = []
    for item in media:
        kind = str(item["type"])
        formatted = format_text(
            item.get("caption"), item.get("parse_mode"), item.get("caption_entities"), caption=True
        )
        reference = item.get("media")
        if not isinstance(reference, str) or not reference:
            raise bad_request(f"there is no {kind} in the request")
        prepared.append((kind, formatted, resolve_file_reference(state, p, reference, kind)))

    state.admit_group_send("sendMediaGroup", chat, len(prepared))  # each item is a message
    group_id = state.new_media_group_id()
    return [
        state.message_dict(
            new_bot_message(
                state, chat, kind, formatted, None, reply_to, file=stored, media_group_id=group_id
            )
        )
        for kind, formatted, stored in prepared
    ]


@method("getFile")
async def get_file(state: BotState, p: Params) -> dict[str, Any]:
    file_id = p.require_str("file_id")
    stored = state.files.get(file_id)
    if stored is None:
        raise bad_request(WRONG_FILE_ID)
    if stored.file_size > MAX_FILE_DOWNLOAD:
        raise bad_request("file is too big")
    return stored.file_dict()
