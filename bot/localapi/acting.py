"""Acting as Telegram users: writing, sharing files and contacts, pressing buttons, blocking."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Sequence
from typing import Any

from bot.localapi.entities import user_text_entities
from bot.localapi.models import BotMessage, CallbackAnswer, Chat, StoredMessage, TgUser, UserMessage
from bot.localapi.state import BotState, PendingCallback

MessageRef = BotMessage | UserMessage | dict[str, Any] | int


class UserActions:
    """The write side of the driver (mixed into LocalBotApi)."""

    state: BotState

    def block(self, user: TgUser) -> None:
        """The user blocks the bot: sending to them fails with 403 (they get a my_chat_member)."""
        if user.id in self.state.blocked:
            return
        self.state.blocked.add(user.id)
        chat = self.state.private_chat(user)
        self._my_chat_member(user, chat, old="member", new="kicked")

    def unblock(self, user: TgUser) -> None:
        if user.id not in self.state.blocked:
            return
        self.state.blocked.discard(user.id)
        chat = self.state.private_chat(user)
        self._my_chat_member(user, chat, old="kicked", new="member")

    def _my_chat_member(self, user: TgUser, chat: Chat, *, old: str, new: str) -> None:
        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"status": status, "user": self.state.bot.to_dict()}
            if status == "kicked":
                data["until_date"] = 0
            return data

        self.state.add_update(
            "my_chat_member",
            {
                "chat": chat.to_dict(),
                "from": user.to_dict(),
                "date": self.state.now(),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    async def send_text(
        self,
        user: TgUser,
        text: str,
        *,
        chat: Chat | None = None,
        reply_to: MessageRef | None = None,
    ) -> dict[str, Any]:
        """The user writes `text`, with the entities a Telegram app adds: bot_command for
        /commands, mention for @usernames (so "@partnerdesk_test_bot hi" mentions the bot).

        In a group with privacy mode on, only what Telegram delivers becomes an update (see
        `LocalBotApi.privacy_mode`); the message is returned and kept in the transcript anyway."""
        fields: dict[str, Any] = {"text": text}
        entities = user_text_entities(text)
        if entities:
            fields["entities"] = entities
        return self._user_message(user, chat, fields, reply_to=reply_to)

    async def send_contact(
        self,
        user: TgUser,
        phone_number: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        contact_user_id: int | None = None,
        chat: Chat | None = None,
    ) -> dict[str, Any]:
        """The user shares a contact: by default their own (user_id = the user's id)."""
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or user.first_name,
            "user_id": user.id if contact_user_id is None else contact_user_id,
        }
        if last_name or (first_name is None and user.last_name):
            contact["last_name"] = last_name or user.last_name
        return self._user_message(user, chat, {"contact": contact})

    async def send_photo(
        self,
        user: TgUser,
        data: bytes,
        caption: str | None = None,
        *,
        chat: Chat | None = None,
    ) -> dict[str, Any]:
        return self._user_message(user, chat, self._photo_fields(data, caption))

    async def send_album(
        self,
        user: TgUser,
        items: Sequence[bytes],
        caption: str | None = None,
        *,
        chat: Chat | None = None,
        interval: float = 0.0,
        captions: Sequence[str | None] = (),
    ) -> list[dict[str, Any]]:
        """Several photos sent at once: one update each, sharing a media_group_id; `interval`
        seconds apart, as a phone on a slow network uploads them. `caption` goes under the
        first photo; `captions`, one per photo, under each."""
        if not 2 <= len(items) <= 10:
            raise ValueError("an album has 2-10 items")
        group_id = self.state.new_media_group_id()
        sent = []
        for index, data in enumerate(items):
            if index and interval:
                await asyncio.sleep(interval)
            own = captions[index] if index < len(captions) else None
            fields = self._photo_fields(data, own or (caption if index == 0 else None))
            sent.append(self._user_message(user, chat, {**fields, "media_group_id": group_id}))
        return sent

    async def send_document(
        self,
        user: TgUser,
        data: bytes,
        filename: str = "file.bin",
        mime_type: str | None = None,
        caption: str | None = None,
        *,
        chat: Chat | None = None,
    ) -> dict[str, Any]:
        stored = self.state.files.add_document(data, filename, mime_type)
        fields: dict[str, Any] = {"document": stored.document_dict()}
        if caption:
            fields["caption"] = caption
        return self._user_message(user, chat, fields)

    def _photo_fields(self, data: bytes, caption: str | None) -> dict[str, Any]:
        stored = self.state.files.add_photo(data)
        fields: dict[str, Any] = {"photo": [size.photo_size_dict() for size in stored.sizes]}
        if caption:
            fields["caption"] = caption
        return fields

    async def press(
        self,
        user: TgUser,
        message: BotMessage,
        button: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        """Press the inline button with this text or callback_data on `message` as it is now,
        then wait for the bot's answerCallbackQuery."""
        current = self._pressable(message)
        found = current.button(button)
        if found.callback_data is None:
            raise LookupError(f"button {button!r} opens {found.url!r}; it sends no callback")
        return await self._callback(user, current, found.callback_data, timeout)

    async def press_data(
        self,
        user: TgUser,
        message: BotMessage,
        data: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        """A callback query with any `data` from `message`, as a modified client (or a button
        of an old version of the bot) sends it; waits for the bot's answerCallbackQuery."""
        return await self._callback(user, self._pressable(message), data, timeout)

    def _pressable(self, message: BotMessage) -> BotMessage:
        current = self.state.get_message(message.chat_id, message.message_id)
        if not isinstance(current, BotMessage) or current.deleted:
            raise LookupError(f"message {message.message_id} is not in chat {message.chat_id}")
        return current

    async def _callback(
        self, user: TgUser, current: BotMessage, data: str, timeout: float  # noqa: ASYNC109
    ) -> CallbackAnswer:
        chat = self.state.chats[current.chat_id]
        self._check_can_write(user, chat)
        query_id = str(secrets.randbits(62))
        pending = PendingCallback(query_id=query_id, user=user, message=current)
        self.state.callbacks[query_id] = pending
        self.state.add_update(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_dict(),
                "message": self.state.message_dict(current),
                "chat_instance": _chat_instance(chat.id),
                "data": data,
            },
        )
        try:
            async with asyncio.timeout(timeout):
                await pending.answered_event.wait()
        except TimeoutError:
            raise TimeoutError(
                f"the bot did not answer the callback query {data!r} within {timeout}s"
            ) from None
        finally:
            self.state.callbacks.pop(query_id, None)
        assert pending.answer is not None
        return pending.answer

    # --- internals ----------------------------------------------------------------------------

    def _check_can_write(self, user: TgUser, chat: Chat) -> None:
        if chat.type == "private":
            if chat.id != user.id:
                raise ValueError(f"user {user.id} cannot write in the private chat {chat.id}")
        elif not chat.has_member(user):
            raise ValueError(f"user {user.id} is not a member of {chat.title!r}")

    def _user_message(
        self,
        user: TgUser,
        chat: Chat | None,
        fields: dict[str, Any],
        *,
        reply_to: MessageRef | None = None,
    ) -> dict[str, Any]:
        self.state.users.setdefault(user.id, user)
        if chat is None:
            chat = self.state.private_chat(user)
            self.unblock(user)  # writing to a blocked bot means restarting it
        self._check_can_write(user, chat)
        shown = self.state.keyboards.get(chat.id)
        if shown is not None and (shown.reply_markup or {}).get("one_time_keyboard"):
            del self.state.keyboards[chat.id]  # a one-time keyboard hides once used
        payload: dict[str, Any] = {
            "message_id": self.state.next_message_id(chat.id),
            "from": user.to_dict(),
            "chat": chat.to_dict(),
            "date": self.state.now(),
        }
        if reply_to is not None:
            replied = self._resolve_message(chat, reply_to)
            payload["reply_to_message"] = self.state.message_dict(replied, with_reply=False)
        payload.update(fields)
        delivered = self.state.reaches_bot(chat, payload)
        self.state.store_message(
            UserMessage(
                message_id=payload["message_id"],
                chat_id=chat.id,
                sender=user,
                payload=payload,
                delivered=delivered,
            )
        )
        if delivered:
            self.state.add_update("message", payload)
        return payload

    def _resolve_message(self, chat: Chat, ref: MessageRef) -> StoredMessage:
        if isinstance(ref, BotMessage | UserMessage):
            message_id, chat_id = ref.message_id, ref.chat_id
        elif isinstance(ref, dict):
            message_id, chat_id = int(ref["message_id"]), int(ref["chat"]["id"])
        else:
            message_id, chat_id = ref, chat.id
        if chat_id != chat.id:
            raise ValueError(f"message {message_id} is in chat {chat_id}, not in {chat.id}")
        message = self.state.get_message(chat.id, message_id)
        if message is None:
            raise LookupError(f"no message {message_id} in chat {chat.id}")
        return message


def _chat_instance(chat_id: int) -> str:
    digest = hashlib.sha256(f"chat_instance:{chat_id}".encode()).digest()
    return str(int.from_bytes(digest[:8], "big") // 2)
