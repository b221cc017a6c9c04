"""A line-based console for the standalone server: type as users, watch what the bot sends."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable

from bot.localapi.driver import LocalBotApi
from bot.localapi.models import BotMessage

USAGE = """\
Type as a user, one line each:
  111 hello                 user 111 writes "hello" (users are created on first use)
  111 /start                commands work the same way
  111 !press 7 Approve      user 111 presses "Approve" (text or callback_data) on message 7
  111 !contact +79990000000 user 111 shares their own phone number
  help                      this text"""


class Console:
    def __init__(self, api: LocalBotApi, write: Callable[[str], None] = print) -> None:
        self.api = api
        self.write = write
        self._shown: dict[tuple[int, int], tuple[int, bool]] = {}

    async def handle(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        if line == "help":
            self.write(USAGE)
            return
        head, _, rest = line.partition(" ")
        if not head.lstrip("-").isdigit() or not rest:
            self.write(f"? {line!r} (type help)")
            return
        user_id = int(head)
        user = self.api.state.users.get(user_id) or self.api.user(user_id, f"User {user_id}")
        try:
            if rest.startswith("!press "):
                message_id, _, button = rest.removeprefix("!press ").partition(" ")
                message = self.api.state.get_message(user_id, int(message_id))
                if not isinstance(message, BotMessage):
                    self.write(f"no bot message {message_id} in chat {user_id}")
                    return
                answer = await self.api.press(user, message, button)
                self.write(f"  [callback answer] {answer.text or ''}")
            elif rest.startswith("!contact "):
                await self.api.send_contact(user, rest.removeprefix("!contact ").strip())
            else:
                await self.api.send_text(user, rest)
        except (LookupError, ValueError, TimeoutError) as exc:
            self.write(f"  ! {exc}")

    def show_changes(self) -> None:
        """Print bot messages that are new, edited or deleted since the last call."""
        for chat_id, messages in self.api.state.messages.items():
            for message in messages.values():
                if not isinstance(message, BotMessage):
                    continue
                key = (chat_id, message.message_id)
                version = (message.edit_count, message.deleted)
                if self._shown.get(key) == version:
                    continue
                label = "deleted" if message.deleted else ("edited" if key in self._shown else "")
                self._shown[key] = version
                self.write(self.render(message, label))

    @staticmethod
    def render(message: BotMessage, label: str) -> str:
        head = f"[chat {message.chat_id} #{message.message_id}{' ' + label if label else ''}]"
        body = message.text if message.kind == "text" else f"<{message.kind}> {message.text}"
        lines = [f"{head} {body}"]
        for row in message.buttons:
            lines.append("    " + "  ".join(f"[{b.text}]" for b in row))
        return "\n".join(lines)

    async def watch(self) -> None:
        while True:
            self.show_changes()
            await self.api.state.changed.wait(0.5)

    async def read_stdin(self) -> None:
        # A daemon thread, not the default executor: a blocked readline must not delay exit.
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue[str] = asyncio.Queue()

        def pump() -> None:
            for line in sys.stdin:
                loop.call_soon_threadsafe(lines.put_nowait, line)
            loop.call_soon_threadsafe(lines.put_nowait, "")

        threading.Thread(target=pump, name="localapi-console", daemon=True).start()
        while line := await lines.get():
            await self.handle(line)
