"""What the local Bot API remembers: users, chats, messages, files."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.localapi.entities import Entity

ChatType = Literal["private", "group", "supergroup"]


@dataclass(eq=False)
class TgUser:
    """A Telegram user the tests act as (or the bot itself)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass(eq=False)
class Chat:
    id: int
    type: ChatType
    title: str | None = None
    user: TgUser | None = None  # the other side of a private chat
    username: str | None = None
    members: list[TgUser] = field(default_factory=list)
    owner: TgUser | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.user is not None:
            data: dict[str, Any] = {
                "id": self.id,
                "type": "private",
                "first_name": self.user.first_name,
            }
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
            return data
        data = {"id": self.id, "type": self.type, "title": self.title or ""}
        if self.username:
            data["username"] = self.username
        return data

    def has_member(self, user: TgUser) -> bool:
        return any(member.id == user.id for member in self.members)


@dataclass(frozen=True)
class Button:
    """A keyboard button: inline (callback_data or url) or a reply-keyboard button."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    request_contact: bool = False


@dataclass(eq=False)
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: Literal["photo", "document", "sticker", "voice", "video", "video_note", "audio"]
    data: bytes = field(repr=False)
    file_path: str
    filename: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    # For photos: every size of the same photo (one StoredFile each), smallest first.
    sizes: list[StoredFile] = field(default_factory=list, repr=False)

    @property
    def file_size(self) -> int:
        return len(self.data)

    def photo_size_dict(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "width": self.width,
            "height": self.height,
        }

    def document_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
        }
        if self.filename:
            data["file_name"] = self.filename
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data

    def file_dict(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }


@dataclass(eq=False)
class BotMessage:
    """A message the bot sent; updated in place when the bot edits or deletes it."""

    message_id: int
    chat_id: int
    kind: str  # 'text' | 'photo' | 'document'
    date: int
    text: str = ""  # plain text after entity parsing (the caption for media)
    html: str = ""  # the text or caption exactly as the bot sent it
    parse_mode: str | None = None
    entities: list[Entity] = field(default_factory=list)
    buttons: list[list[Button]] = field(default_factory=list)
    keyboard: list[list[Button]] = field(default_factory=list)  # reply keyboard, if sent
    reply_markup: dict[str, Any] | None = None
    force_reply: bool = False
    reply_to_message_id: int | None = None
    edit_count: int = 0
    edit_date: int | None = None
    deleted: bool = False
    file: StoredFile | None = None
    media_group_id: str | None = None

    @property
    def data(self) -> bytes | None:
        return self.file.data if self.file else None

    @property
    def filename(self) -> str | None:
        return self.file.filename if self.file else None

    def button_texts(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    def button(self, text_or_data: str) -> Button:
        for row in self.buttons:
            for button in row:
                if text_or_data in (button.text, button.callback_data):
                    return button
        raise LookupError(
            f"message {self.message_id} in chat {self.chat_id} has no button "
            f"{text_or_data!r}; its buttons are {self.button_texts()}"
        )


@dataclass(eq=False)
class UserMessage:
    """A message a test user sent (kept for replies and the chat transcript)."""

    message_id: int
    chat_id: int
    sender: TgUser
    payload: dict[str, Any]
    delivered: bool = True  # False: privacy mode kept it from the bot (a plain group message)

    @property
    def text(self) -> str:
        return str(self.payload.get("text") or self.payload.get("caption") or "")


StoredMessage = BotMessage | UserMessage
ChatRef = int | TgUser | Chat  # where a chat is expected, its id or the user/chat itself


def chat_id_of(chat: ChatRef) -> int:
    return chat if isinstance(chat, int) else chat.id


@dataclass(frozen=True)
class CallbackAnswer:
    text: str | None
    show_alert: bool
    url: str | None = None


@dataclass(frozen=True)
class ApiRequest:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic, compare=False)  # when it arrived


@dataclass(frozen=True)
class Refusal:
    """A request Telegram would refuse, i.e. a bug in the bot."""

    method: str
    description: str
    params: dict[str, Any]
    error_code: int = 400
