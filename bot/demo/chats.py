"""The demo's two chats kept across a restart: the local Bot API's messages and files, saved
as JSON in the demo's folder when it stops and read back when it starts. The bot's database
names these messages and files by id, so they come back under the same ids."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from bot import private_files
from bot.localapi.models import BotMessage, Button, TgUser, UserMessage
from bot.localapi.state import BotState

CHATS_FILE = "chats.json"


def save(state: BotState, folder: Path) -> None:
    chats = {
        str(chat_id): [_message(m) for m in messages.values()]
        for chat_id, messages in state.messages.items()
    }
    data = {"chats": chats, "last_ids": state.last_message_ids(), "files": state.files.snapshot(),
            "keyboards": {str(chat): m.message_id for chat, m in state.keyboards.items()}}
    private_files.write_bytes(folder / CHATS_FILE, json.dumps(data).encode())


def load(state: BotState, folder: Path) -> bool:
    """The saved chats into a fresh state; False when there are none (or they can't be read)."""
    try:
        data = json.loads((folder / CHATS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    state.files.restore(data["files"])
    for chat_id, messages in data["chats"].items():
        for item in messages:
            state.store_message(_stored(int(chat_id), item, state))
    state.continue_message_ids({int(k): int(v) for k, v in data["last_ids"].items()})
    for chat_id, message_id in data["keyboards"].items():  # the reply keyboard still shown
        shown = state.get_message(int(chat_id), int(message_id))
        if isinstance(shown, BotMessage):
            state.keyboards[int(chat_id)] = shown
    return True


def _message(stored: BotMessage | UserMessage) -> dict[str, Any]:
    if isinstance(stored, UserMessage):
        return {"from": "user", "message_id": stored.message_id, "sender": asdict(stored.sender),
                "payload": stored.payload, "delivered": stored.delivered}
    shown = {f.name: getattr(stored, f.name) for f in fields(stored)}
    shown["buttons"] = [[asdict(b) for b in row] for row in stored.buttons]
    shown["keyboard"] = [[asdict(b) for b in row] for row in stored.keyboard]
    shown["file"] = stored.file.file_id if stored.file is not None else None  # kept apart
    return {"from": "bot", **shown}


def _stored(chat_id: int, item: dict[str, Any], state: BotState) -> BotMessage | UserMessage:
    if item["from"] == "user":
        return UserMessage(item["message_id"], chat_id, TgUser(**item["sender"]), item["payload"],
                           item["delivered"])
    kept = {k: v for k, v in item.items() if k != "from"}
    kept["buttons"] = [[Button(**b) for b in row] for row in kept["buttons"]]
    kept["keyboard"] = [[Button(**b) for b in row] for row in kept["keyboard"]]
    kept["file"] = state.files.get(kept["file"]) if kept["file"] else None
    return BotMessage(**kept)
