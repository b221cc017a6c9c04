"""The demo page and its JSON API (tornado, already a dependency of the webhook mode).

GET  /                 the page (static/index.html), /static/* its CSS and JS
GET  /api/state        both panes, the people, the clock; `?since=REV` waits (up to 25 s)
                       until something differs from REV
POST /api/send         {"user": id, "text": "...", "reply_to": id?}
POST /api/contact      {"user": id}: share the person's own phone (a contact button)
POST /api/press        {"user": id, "message": id, "data": "callback data"}
POST /api/upload       multipart: user, kind (photo|document), caption?, file
POST /api/switch       {"pane": "partner"|"manager", "user": id}
POST /api/clock        {"days": 1..31}
GET  /files/<file_id>  a photo or document of the chat
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.demo import render
from bot.demo.people import MANAGERS, PARTNERS, TIMEZONE, Person, person
from bot.localapi.models import BotMessage, TgUser, UserMessage

if TYPE_CHECKING:
    from bot.demo.server import Demo

STATIC = Path(__file__).parent / "static"
LONG_POLL_SECONDS = 25.0
MAX_UPLOAD = 20 * 1024 * 1024


class DemoError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _people(side: tuple[Person, ...]) -> list[dict[str, Any]]:
    return [{"id": p.id, "label": p.label, "name": p.full_name, "language": p.language}
            for p in side]


def _clock(now: datetime) -> dict[str, str]:
    return {"date": now.strftime("%a %d.%m.%Y"), "time": now.strftime("%H:%M"),
            "iso": now.isoformat(timespec="minutes")}


class Snapshot:
    """What the page shows, read from the local Bot API's state."""

    def __init__(self, demo: Demo) -> None:
        self.demo = demo

    def pane(self, user_id: int) -> dict[str, Any]:
        state = self.demo.api.state
        messages = list(state.messages.get(user_id, {}).values())
        keyboard = state.keyboards.get(user_id)
        return {
            "user": user_id,
            "messages": [render.message(m, TIMEZONE) for m in messages
                         if not (isinstance(m, BotMessage) and m.deleted)],
            "keyboard": [[{"text": b.text, "contact": b.request_contact} for b in row]
                         for row in keyboard.keyboard] if keyboard else None,
            "reply_to": self.force_reply_target(user_id),
        }

    def force_reply_target(self, chat_id: int) -> int | None:
        """The bot's latest force-reply prompt not yet answered: a Telegram app replies to it."""
        target: int | None = None
        for stored in self.demo.api.state.messages.get(chat_id, {}).values():
            if isinstance(stored, BotMessage) and stored.force_reply and not stored.deleted:
                target = stored.message_id
            elif isinstance(stored, UserMessage) and target is not None:
                replied = stored.payload.get("reply_to_message")
                if replied and int(replied["message_id"]) == target:
                    target = None
        return target

    def build(self) -> dict[str, Any]:
        selected = self.demo.selected
        body: dict[str, Any] = {
            "clock": _clock(self.demo.clock.now()),
            "people": {"partner": _people(PARTNERS), "manager": _people(MANAGERS)},
            "selected": dict(selected),
            "panes": {side: self.pane(user_id) for side, user_id in selected.items()},
        }
        body["rev"] = hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
        return body


class _Handler(tornado.web.RequestHandler):
    def initialize(self, demo: Demo) -> None:
        self.demo = demo

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")

    def reply(self, body: dict[str, Any], status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(body, ensure_ascii=False))

    def body(self) -> dict[str, Any]:
        try:
            data = json.loads(self.request.body or b"{}")
        except ValueError:
            raise DemoError(400, "the body is not JSON") from None
        if not isinstance(data, dict):
            raise DemoError(400, "the body is not a JSON object")
        return data

    def user(self, raw: object) -> TgUser:
        try:
            user_id = int(str(raw))
        except ValueError:
            raise DemoError(400, f"no user {raw!r}") from None
        found = self.demo.api.state.users.get(user_id)
        if found is None or person(user_id) is None:
            raise DemoError(404, f"no demo user {user_id}")
        return found

    def bot_message(self, user: TgUser, raw: object) -> BotMessage:
        stored = self.demo.api.state.get_message(user.id, int(str(raw)))
        if not isinstance(stored, BotMessage) or stored.deleted:
            raise DemoError(404, f"no bot message {raw} in this chat")
        return stored

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.reply({"error": self._reason}, status_code)

    async def act(self) -> dict[str, Any]:
        raise NotImplementedError

    async def post(self) -> None:
        try:
            result = await self.act()
        except DemoError as error:
            self.reply({"error": str(error)}, error.status)
            return
        except (LookupError, ValueError, TimeoutError) as error:
            self.reply({"error": str(error)}, 409)
            return
        self.reply({"ok": True, **result})


class PageHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish((STATIC / "index.html").read_bytes())


class StateHandler(_Handler):
    async def get(self) -> None:
        since = self.get_query_argument("since", "")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LONG_POLL_SECONDS
        snapshot = Snapshot(self.demo)
        while True:
            body = snapshot.build()
            remaining = deadline - loop.time()
            if body["rev"] != since or remaining <= 0 or self.request.connection is None:
                break
            await self.demo.api.state.changed.wait(min(remaining, 1.0))
        self.reply(body)


class SendHandler(_Handler):
    async def act(self) -> dict[str, Any]:
        data = self.body()
        user = self.user(data.get("user"))
        text = str(data.get("text") or "").strip()
        if not text:
            raise DemoError(400, "nothing to send")
        reply_to = data.get("reply_to")
        sent = await self.demo.api.send_text(
            user, text[:4096], reply_to=int(reply_to) if reply_to else None)
        return {"message": sent["message_id"]}


class ContactHandler(_Handler):
    async def act(self) -> dict[str, Any]:
        user = self.user(self.body().get("user"))
        await self.demo.api.send_contact(user, f"+7999000{user.id:04d}")
        return {}


class PressHandler(_Handler):
    async def act(self) -> dict[str, Any]:
        data = self.body()
        user = self.user(data.get("user"))
        message = self.bot_message(user, data.get("message"))
        answer = await self.demo.api.press(user, message, str(data.get("data")))
        return {"answer": {"text": answer.text, "alert": answer.show_alert}}


class UploadHandler(_Handler):
    async def act(self) -> dict[str, Any]:
        user = self.user(self.get_body_argument("user", ""))
        kind = self.get_body_argument("kind", "photo")
        caption = self.get_body_argument("caption", "") or None
        files = self.request.files.get("file")
        if not files:
            raise DemoError(400, "no file")
        upload = files[0]
        if kind == "photo":
            sent = await self.demo.api.send_photo(user, upload.body, caption)
        else:
            sent = await self.demo.api.send_document(
                user, upload.body, upload.filename or "file.bin",
                upload.content_type or None, caption)
        return {"message": sent["message_id"]}


class SwitchHandler(_Handler):
    async def act(self) -> dict[str, Any]:
        data = self.body()
        pane = str(data.get("pane"))
        side = {"partner": PARTNERS, "manager": MANAGERS}.get(pane)
        user = self.user(data.get("user"))
        if side is None or all(p.id != user.id for p in side):
            raise DemoError(400, f"{user.id} is not one of the {pane} pane's people")
        self.demo.selected[pane] = user.id
        self.demo.api.state.changed.fire()
        return {}


class ClockHandler(_Handler):
    async def act(self) -> dict[str, Any]:
        days = self.body().get("days")
        if not isinstance(days, int) or not 1 <= days <= 31:
            raise DemoError(400, "days: a whole number from 1 to 31")
        return {"clock": _clock(await self.demo.jump(days))}


class FileHandler(_Handler):
    def get(self, file_id: str) -> None:
        stored = self.demo.api.state.files.get(file_id)
        if stored is None:
            raise tornado.web.HTTPError(404)
        self.set_header("Content-Type", stored.mime_type or (
            "image/jpeg" if stored.kind == "photo" else "application/octet-stream"))
        if stored.kind == "document":
            name = quote(stored.filename or "file")
            self.set_header("Content-Disposition", f"inline; filename*=UTF-8''{name}")
        self.finish(stored.data)


def make_app(demo: Demo) -> tornado.web.Application:
    context = {"demo": demo}
    return tornado.web.Application([
        (r"/", PageHandler),
        (r"/static/(.*)", tornado.web.StaticFileHandler, {"path": str(STATIC)}),
        (r"/api/state", StateHandler, context),
        (r"/api/send", SendHandler, context),
        (r"/api/contact", ContactHandler, context),
        (r"/api/press", PressHandler, context),
        (r"/api/upload", UploadHandler, context),
        (r"/api/switch", SwitchHandler, context),
        (r"/api/clock", ClockHandler, context),
        (r"/files/([A-Za-z0-9_-]+)", FileHandler, context),
    ], log_function=lambda handler: None)


class WebServer:
    def __init__(self, demo: Demo) -> None:
        self._server = tornado.httpserver.HTTPServer(make_app(demo),
                                                     max_body_size=MAX_UPLOAD + 65536)
        self.port = 0

    async def start(self, host: str, port: int) -> None:
        sockets = tornado.netutil.bind_sockets(port, host, family=socket.AF_INET)
        self._server.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()
