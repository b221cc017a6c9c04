"""LocalBotApi: the local Bot API server, and the driver tests use to act as Telegram users.

The driver's methods live in `acting.py` (users act) and `observing.py` (what the bot did).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from bot.localapi.acting_media import MediaActions
from bot.localapi.errors import injected
from bot.localapi.models import ApiRequest, Chat, ChatType, Refusal, TgUser
from bot.localapi.observing import BotObservations
from bot.localapi.server import HttpServer, make_app
from bot.localapi.state import BotState, FloodRefusal, InjectedFailure


class LocalBotApi(MediaActions, BotObservations):
    """A Bot API server on 127.0.0.1 that PTB talks to via `base_url`/`base_file_url`.

    Every request Telegram would refuse is answered like Telegram and recorded in `refusals`.

    Groups behave as for a bot with Telegram's defaults: `privacy_mode` (on) decides which
    group messages reach the bot; `group_rate_limit` (off) refuses sends beyond N messages a
    minute in one group with 429, timed by `clock` (monotonic seconds; inject one in tests).
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "partnerdesk_test_bot",
        *,
        bot_name: str = "Partner Desk",
        host: str = "127.0.0.1",
        port: int = 0,
        privacy_mode: bool = True,
        group_rate_limit: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.state = BotState(token, bot_username, bot_name)
        self.privacy_mode = privacy_mode
        self.group_rate_limit = group_rate_limit
        self.clock = clock
        self.host = host
        self._requested_port = port
        self._tasks: set[asyncio.Task[Any]] = set()
        self._http = HttpServer(make_app(self.state, self._tasks), self._tasks)
        self._cursors: dict[int, int] = {}

    # --- server lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        await self._http.start(self.host, self._requested_port)

    async def stop(self) -> None:
        await self._http.stop()

    async def __aenter__(self) -> LocalBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def token(self) -> str:
        return self.state.token

    @property
    def port(self) -> int:
        return self._http.port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def requests_in_flight(self) -> int:
        """Bot API calls still being answered (long polls, mostly)."""
        return len(self._tasks)

    @property
    def bot_user(self) -> TgUser:
        return self.state.bot

    # --- group behaviour ----------------------------------------------------------------------

    @property
    def privacy_mode(self) -> bool:
        """Telegram's default for bots (BotFather /setprivacy). When on, a group or supergroup
        message becomes an update only if it is a command (`/cmd`, `/cmd@this_bot`; not
        `/cmd@other_bot`), a reply to one of the bot's messages, mentions the bot's @username,
        or is a service message; callback queries always arrive. Other group messages are still
        returned by the driver and kept in the transcript (`UserMessage.delivered` is False).
        Private chats are unaffected. Takes effect for messages sent after the change."""
        return self.state.privacy_mode

    @privacy_mode.setter
    def privacy_mode(self, enabled: bool) -> None:
        self.state.privacy_mode = enabled

    @property
    def group_rate_limit(self) -> int | None:
        """At most this many bot messages per 60 s in one group or supergroup (Telegram allows
        about 20), or None for no limit. sendMessage, sendPhoto and sendDocument count one
        message, sendMediaGroup one per item; edits and private chats are not counted. A send
        while the group's last minute already holds the limit is answered 429 "Too Many
        Requests: retry after N" (N: seconds until the count falls below the limit, i.e. until
        the oldest message leaves the window) and recorded in `flood_refusals`."""
        return self.state.flood_control.limit

    @group_rate_limit.setter
    def group_rate_limit(self, limit: int | None) -> None:
        if limit is not None and limit < 1:
            raise ValueError(f"group_rate_limit must be at least 1 or None, not {limit}")
        self.state.flood_control.limit = limit

    @property
    def clock(self) -> Callable[[], float]:
        """Monotonic seconds for the flood window; replace it to move time in a test."""
        return self.state.flood_control.clock

    @clock.setter
    def clock(self, clock: Callable[[], float]) -> None:
        self.state.flood_control.clock = clock

    # --- what the bot did ---------------------------------------------------------------------

    @property
    def requests(self) -> list[ApiRequest]:
        return self.state.log.requests

    @property
    def refusals(self) -> list[Refusal]:
        return self.state.log.refusals

    @property
    def injected_failures(self) -> list[InjectedFailure]:
        return self.state.log.injected

    @property
    def flood_refusals(self) -> list[FloodRefusal]:
        """Sends refused by `group_rate_limit` (not bot bugs: the bot should wait and retry)."""
        return self.state.log.flood

    @property
    def server_errors(self) -> list[str]:
        """Crashes of the local server itself (always a bug here, never the bot's)."""
        return self.state.log.server_errors

    def calls(self, method: str) -> list[ApiRequest]:
        """The logged requests of one method (name compared ignoring case)."""
        return [r for r in self.requests if r.method.lower() == method.lower()]

    def assert_no_refusals(self) -> None:
        problems = [f"{r.method}: {r.description} (params {r.params})" for r in self.refusals]
        problems += [f"local server error: {error}" for error in self.server_errors]
        if problems:
            raise AssertionError(
                "the bot made requests Telegram would refuse:\n  " + "\n  ".join(problems)
            )

    def fail_next(self, method: str, error_code: int = 429, retry_after: int | None = 1,
                  description: str | None = None) -> None:
        """Make the next call of `method` fail: flood control (429, with `retry_after`) by
        default, or any other status, e.g. 500/502, which PTB raises as NetworkError, worded
        as `description` if given (e.g. 400 with errors.QUERY_TOO_OLD).
        Several calls queue up failures for the following calls, in order."""
        queue = self.state.failures.setdefault(method.lower(), deque())
        queue.append(injected(error_code, retry_after, description))

    def hold(self, method: str) -> None:
        """Keep calls of `method` waiting, unanswered, until `release(method)`: a bot busy with
        an update. A held call whose client hangs up (a killed bot) is dropped, never done."""
        self.state.held.setdefault(method.lower(), asyncio.Event())

    def release(self, method: str) -> None:
        """Let the held calls of `method` (and the later ones) through."""
        gate = self.state.held.pop(method.lower(), None)
        if gate is not None:
            gate.set()

    def queue_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """An update of `kind` carrying `payload` as it is, with the next update id: e.g. one in
        a shape the bot's library cannot parse (a field Telegram changed). Returns it."""
        return self.state.add_update(kind, payload)

    def stall_next(self, method: str, seconds: float) -> None:
        """Carry out the next call of `method` but answer it `seconds` late: longer than the
        bot's read timeout, the bot sees a timeout for a call Telegram did (a message sent
        that the bot thinks failed). Several calls queue up, in order."""
        self.state.stalls.setdefault(method.lower(), deque()).append(seconds)

    @property
    def stalled(self) -> list[str]:
        """The methods whose answer `stall_next` delayed, in order."""
        return self.state.log.stalled

    # --- users and chats ----------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "User",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        started: bool = False,
    ) -> TgUser:
        """A Telegram user. Its private chat (id == user id) exists once the user has written
        to the bot, or right away with `started=True`."""
        user = TgUser(
            id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self.state.users[user_id] = user
        if started:
            self.state.private_chat(user)
        return user

    def group(
        self,
        chat_id: int,
        title: str,
        members: Sequence[TgUser] = (),
        *,
        owner: TgUser | None = None,
        username: str | None = None,
        chat_type: ChatType | None = None,
    ) -> Chat:
        """A group the bot is in; ids below -10**12 are supergroups (like -100…)."""
        if chat_type is None:
            chat_type = "supergroup" if chat_id <= -(10**12) else "group"
        people = list(members)
        if owner is not None and all(m.id != owner.id for m in people):
            people.append(owner)
        chat = Chat(
            id=chat_id, type=chat_type, title=title, username=username, members=people, owner=owner
        )
        self.state.chats[chat_id] = chat
        return chat

    def add_member(self, group: Chat, user: TgUser) -> None:
        if not group.has_member(user):
            group.members.append(user)

    def remove_member(self, group: Chat, user: TgUser) -> None:
        group.members[:] = [m for m in group.members if m.id != user.id]
