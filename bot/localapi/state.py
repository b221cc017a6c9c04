"""Everything the local Bot API knows: chats, messages, pending updates, files, settings."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.localapi.errors import CHAT_NOT_FOUND, ApiError, bad_request, flood, forbidden
from bot.localapi.files import FileStore
from bot.localapi.groups import FloodControl, reaches_bot_in_privacy_mode
from bot.localapi.models import (
    ApiRequest,
    BotMessage,
    CallbackAnswer,
    Chat,
    Refusal,
    StoredMessage,
    TgUser,
    UserMessage,
)

# Update kinds Telegram sends when allowed_updates is not set (or set to an empty list).
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class Signal:
    """Wakes everyone waiting for 'something changed' (new update, new bot message, answer)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, at_most: float) -> None:
        """Return when fired or after `at_most` seconds, whichever is first."""
        event = self._event
        if at_most <= 0:
            return
        # `asyncio.timeout`, not `wait_for`: no task per wait (benches have 50 people waiting).
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(at_most):
                await event.wait()


async def wait_for(
    state: BotState, predicate: Callable[[], bool], seconds: float, interval: float = 0.02
) -> None:
    """Return once `predicate()` holds; TimeoutError after `seconds`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not predicate():
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise TimeoutError(f"condition not met within {seconds}s")
        await state.changed.wait(min(interval, remaining))


@dataclass(eq=False)
class PendingCallback:
    query_id: str
    user: TgUser
    message: BotMessage
    answer: CallbackAnswer | None = None
    # the presser waits on its own answer, not on every change of the state
    answered_event: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def answered(self) -> bool:
        return self.answered_event.is_set()


@dataclass(eq=False)
class InjectedFailure:
    method: str
    error: ApiError


@dataclass(eq=False)
class FloodRefusal:
    """A send refused by the group flood limit (not a bot bug: the bot should wait and retry)."""

    method: str
    chat_id: int
    retry_after: int
    error: ApiError


@dataclass
class Log:
    requests: list[ApiRequest] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    injected: list[InjectedFailure] = field(default_factory=list)
    stalled: list[str] = field(default_factory=list)  # methods whose answer came late
    flood: list[FloodRefusal] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)


class BotState:
    def __init__(self, token: str, bot_username: str, bot_name: str) -> None:
        bot_id, _, _ = token.partition(":")
        self.token = token
        self.bot = TgUser(
            id=int(bot_id) if bot_id.isdigit() else 1,
            first_name=bot_name,
            username=bot_username,
            is_bot=True,
        )
        self.users: dict[int, TgUser] = {}
        self.chats: dict[int, Chat] = {}
        self.blocked: set[int] = set()
        self.messages: dict[int, dict[int, StoredMessage]] = {}
        self._last_message_id: dict[int, int] = {}
        self.updates: list[dict[str, Any]] = []
        self._last_update_id = 100_000
        self.allowed_updates: list[str] = []
        self.webhook: dict[str, Any] | None = None
        self.files = FileStore()
        self.callbacks: dict[str, PendingCallback] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.keyboards: dict[int, BotMessage] = {}  # chat id -> message with the reply keyboard
        self.failures: dict[str, deque[ApiError]] = {}
        self.held: dict[str, asyncio.Event] = {}  # method (lower case) -> its gate
        self.stalls: dict[str, deque[float]] = {}  # method → seconds its next answers are late
        self.privacy_mode = True
        self.flood_control = FloodControl()
        self.log = Log()
        self.changed = Signal()
        self.poll_wake = Signal()  # a long poll's: an update added, or a newer poll began
        self.clock: Callable[[], float] = time.time
        self.poll_generation = 0
        self._last_media_group = 0

    # --- clocks and counters -------------------------------------------------------------

    def now(self) -> int:
        """A message's date: the real time, or the clock a demo moves (`clock`)."""
        return int(self.clock())

    def last_message_ids(self) -> dict[int, int]:
        return dict(self._last_message_id)

    def continue_message_ids(self, last: dict[int, int]) -> None:
        """After messages restored from a save: new ones go on from their ids."""
        for chat_id, message_id in last.items():
            self._last_message_id[chat_id] = max(self._last_message_id.get(chat_id, 0),
                                                 message_id)

    def next_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def new_media_group_id(self) -> str:
        self._last_media_group += 1
        return f"1{self._last_media_group:017d}"

    # --- updates ---------------------------------------------------------------------------

    def add_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        self._last_update_id += 1
        update = {"update_id": self._last_update_id, kind: payload}
        self.updates.append(update)
        self.changed.fire()
        self.poll_wake.fire()
        return update

    def confirm(self, offset: int) -> None:
        """getUpdates' offset: positive forgets earlier updates, negative keeps the last -N."""
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]

    def deliverable(self, limit: int) -> list[dict[str, Any]]:
        allowed = set(self.allowed_updates)
        kept: list[dict[str, Any]] = []
        for update in self.updates:
            kind = next(key for key in update if key != "update_id")
            if (kind in allowed) if allowed else (kind not in _OPT_IN_UPDATES):
                kept.append(update)
        # Updates the bot opted out of are never delivered, as with Telegram.
        self.updates = kept
        return kept[:limit]

    def reaches_bot(self, chat: Chat, payload: dict[str, Any]) -> bool:
        """Whether a user's message becomes an update: not always in groups in privacy mode."""
        if chat.type == "private" or not self.privacy_mode:
            return True
        return reaches_bot_in_privacy_mode(payload, self.bot)

    # --- chats -----------------------------------------------------------------------------

    def private_chat(self, user: TgUser) -> Chat:
        chat = self.chats.get(user.id)
        if chat is None:
            chat = Chat(id=user.id, type="private", user=user, members=[user])
            self.chats[user.id] = chat
        return chat

    def lookup_chat(self, chat_id: int | str) -> Chat:
        if isinstance(chat_id, str):
            username = chat_id.removeprefix("@").lower()
            for chat in self.chats.values():
                if chat.username and chat.username.lower() == username:
                    return chat
            raise bad_request(CHAT_NOT_FOUND)
        found = self.chats.get(chat_id)
        if found is None:
            raise bad_request(CHAT_NOT_FOUND)
        return found

    def chat_for_send(self, chat_id: int | str) -> Chat:
        """The chat a send* method targets, refusing what Telegram refuses."""
        if isinstance(chat_id, int) and chat_id not in self.chats and self._seen(chat_id):
            raise forbidden("bot can't initiate conversation with a user")
        chat = self.lookup_chat(chat_id)
        if chat.type == "private" and chat.id in self.blocked:
            raise forbidden("bot was blocked by the user")
        return chat

    def _seen(self, user_id: int) -> bool:
        """Whether the bot has met this user in a group (it then knows the user exists)."""
        return any(
            chat.type != "private" and any(m.id == user_id for m in chat.members)
            for chat in self.chats.values()
        )

    def admit_group_send(self, method: str, chat: Chat, messages: int = 1) -> None:
        """Count `messages` new bot messages against the group's flood limit, or refuse with
        429 "Too Many Requests: retry after N" (logged in `log.flood`, not as a refusal)."""
        if chat.type == "private":
            return
        retry_after = self.flood_control.retry_after(chat.id)
        if retry_after is not None:
            error = flood(retry_after)
            error.bot_bug = False
            self.log.flood.append(FloodRefusal(method, chat.id, retry_after, error))
            raise error
        self.flood_control.record(chat.id, messages)

    # --- messages --------------------------------------------------------------------------

    def store_message(self, message: StoredMessage) -> None:
        self.messages.setdefault(message.chat_id, {})[message.message_id] = message
        self.changed.fire()

    def mark_edited(self, message: BotMessage) -> None:
        """After an edit of a bot message (benches hook it, as `store_message`)."""
        message.edit_count += 1
        message.edit_date = self.now()
        self.changed.fire()

    def get_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        return self.messages.get(chat_id, {}).get(message_id)

    def bot_messages(self, chat_id: int, *, include_deleted: bool = False) -> list[BotMessage]:
        return [
            message
            for message in self.messages.get(chat_id, {}).values()
            if isinstance(message, BotMessage) and (include_deleted or not message.deleted)
        ]

    def message_dict(self, message: StoredMessage, *, with_reply: bool = True) -> dict[str, Any]:
        if isinstance(message, UserMessage):
            payload = dict(message.payload)
            if not with_reply:
                payload.pop("reply_to_message", None)
            return payload
        chat = self.chats[message.chat_id]
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self.bot.to_dict(),
            "chat": chat.to_dict(),
            "date": message.date,
        }
        if message.kind == "text":
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        else:
            assert message.file is not None
            if message.kind == "photo":
                data["photo"] = [size.photo_size_dict() for size in message.file.sizes]
            else:
                data["document"] = message.file.document_dict()
            if message.text:
                data["caption"] = message.text
                if message.entities:
                    data["caption_entities"] = message.entities
        if message.media_group_id:
            data["media_group_id"] = message.media_group_id
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.reply_markup is not None and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if with_reply and message.reply_to_message_id is not None:
            replied = self.get_message(message.chat_id, message.reply_to_message_id)
            if replied is not None:
                data["reply_to_message"] = self.message_dict(replied, with_reply=False)
        return data
