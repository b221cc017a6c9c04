"""Reading what the bot did: its messages, keyboards, commands; waiting for them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.localapi.models import BotMessage, Button, ChatRef, StoredMessage, TgUser, chat_id_of
from bot.localapi.state import BotState, wait_for
from bot.localapi.validate import scope_key


class BotObservations:
    """The read side of the driver (mixed into LocalBotApi)."""

    state: BotState
    _cursors: dict[int, int]

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """The commands setMyCommands stored for exactly this scope and language."""
        return list(self.state.commands.get((scope_key(scope), language_code), []))

    def visible_commands(self, user: TgUser) -> list[dict[str, str]]:
        """The command menu `user` sees in the private chat (Telegram's scope precedence)."""
        chat_scope = {"type": "chat", "chat_id": user.id}
        for scope in (chat_scope, {"type": "all_private_chats"}, None):
            for language in ((user.language_code or "").split("-")[0], ""):
                found = self.commands(scope, language)
                if found:
                    return found
        return []

    def menu_button(self, chat: ChatRef | None = None) -> dict[str, Any] | None:
        key = None if chat is None else chat_id_of(chat)
        return self.state.menu_buttons.get(key)

    def chat_actions(self, chat: ChatRef) -> list[str]:
        chat_id = chat_id_of(chat)
        return [action for cid, action in self.state.chat_actions if cid == chat_id]

    def bot_messages(self, chat: ChatRef) -> list[BotMessage]:
        """The bot's messages in the chat as they are now (edits applied, deleted left out)."""
        return self.state.bot_messages(chat_id_of(chat))

    def transcript(self, chat: ChatRef) -> list[StoredMessage]:
        """Every message of the chat, the users' and the bot's, in order."""
        return list(self.state.messages.get(chat_id_of(chat), {}).values())

    def keyboard(self, chat: ChatRef) -> list[list[Button]] | None:
        """The reply keyboard the chat shows now, if the bot sent one and did not remove it."""
        message = self.state.keyboards.get(chat_id_of(chat))
        return message.keyboard if message else None

    async def next_message(
        self,
        chat: ChatRef,
        timeout: float = 5.0,  # noqa: ASYNC109 - the driver API takes plain timeouts
    ) -> BotMessage:
        """The next bot message in the chat that this method has not returned yet.

        Messages the bot deleted meanwhile are returned too (with `deleted=True`): they were sent.
        """
        return await self._next_or(chat, timeout, lambda: None)

    async def next_message_or_edit(
        self,
        chat: ChatRef,
        message: BotMessage,
        html_before: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> BotMessage:
        """The next bot message in the chat, or `message` once its text is no longer
        `html_before` (a form's question edited into the next one), whichever comes first."""
        return await self._next_or(chat, timeout,
                                   lambda: message if message.html != html_before else None)

    async def _next_or(self, chat: ChatRef, timeout: float,  # noqa: ASYNC109
                       edited: Callable[[], BotMessage | None]) -> BotMessage:
        chat_id = chat_id_of(chat)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            cursor = self._cursors.get(chat_id, 0)
            for message in self.state.bot_messages(chat_id, include_deleted=True):
                if message.message_id > cursor:
                    self._cursors[chat_id] = message.message_id
                    return message
            if (changed := edited()) is not None:
                return changed
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(self._no_message_report(chat_id, timeout))
            await self.state.changed.wait(remaining)

    def _no_message_report(self, chat_id: int, timeout: float) -> str:
        cursor = self._cursors.get(chat_id, 0)
        lines = [f"no new bot message in chat {chat_id} within {timeout}s; the chat has:"]
        for message in self.state.messages.get(chat_id, {}).values():
            if isinstance(message, BotMessage):
                flags = " (already returned)" if message.message_id <= cursor else ""
                flags += " (deleted)" if message.deleted else ""
                lines.append(f"  #{message.message_id} bot {message.kind}: {message.text!r}{flags}")
            else:
                hidden = "" if message.delivered else " (not delivered to the bot: privacy mode)"
                lines.append(f"  #{message.message_id} user: {message.text!r}{hidden}")
        if len(lines) == 1:
            lines.append("  (no messages)")
        recent = self.state.log.refusals[-5:]
        if recent:
            lines.append(
                "recent refusals: " + "; ".join(f"{r.method}: {r.description}" for r in recent)
            )
        flooded = [f for f in self.state.log.flood if f.chat_id == chat_id][-3:]
        if flooded:
            lines.append(
                "flood limit refusals here: "
                + "; ".join(f"{f.method}: retry after {f.retry_after}" for f in flooded)
            )
        return "\n".join(lines)

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
        interval: float = 0.02,
    ) -> None:
        await wait_for(self.state, predicate, timeout, interval)
