"""The HTTP side: tornado routes for Bot API calls and file downloads."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.localapi.dispatch import call_method
from bot.localapi.errors import ApiError, bad_request, not_found, unauthorized
from bot.localapi.params import Params, Upload
from bot.localapi.state import BotState

logger = logging.getLogger(__name__)


class _BaseHandler(tornado.web.RequestHandler):
    def initialize(self, state: BotState, tasks: set[asyncio.Task[Any]]) -> None:
        self.state = state
        self.tasks = tasks

    def send_json(self, status: int, body: dict[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))

    def send_error_json(self, error: ApiError) -> None:
        self.send_json(error.error_code, error.payload())


class MethodHandler(_BaseHandler):
    """`/bot<token>/<method>`, by GET or POST, with query, form, multipart or JSON params."""

    _task: asyncio.Task[tuple[int, dict[str, Any]]] | None = None

    async def get(self, token: str, name: str) -> None:
        await self._call(token, name)

    async def post(self, token: str, name: str) -> None:
        await self._call(token, name)

    async def _call(self, token: str, name: str) -> None:
        try:
            params = self._params()
        except ApiError as error:
            self.send_error_json(error)
            return
        task = asyncio.ensure_future(call_method(self.state, token, name, params))
        self._task = task
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        try:
            status, body = await task
        except asyncio.CancelledError:
            if self.request.connection is None or task.cancelled():
                return  # the client went away (or the server stops): nobody to answer
            raise
        self.send_json(status, body)

    def on_connection_close(self) -> None:
        # A long poll whose client hung up must not keep waiting (or swallow updates).
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def _params(self) -> Params:
        values: dict[str, Any] = {}
        for key, raw in self.request.query_arguments.items():
            values[key] = raw[-1].decode("utf-8", "replace")
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith("application/json") and self.request.body:
            try:
                body = json.loads(self.request.body)
            except ValueError:
                raise bad_request("can't parse JSON encoded request") from None
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON encoded request")
            values.update(body)
        else:
            for key, raw in self.request.body_arguments.items():
                values[key] = raw[-1].decode("utf-8", "replace")
        files = {
            key: Upload(
                filename=parts[-1].filename,
                content_type=parts[-1].content_type,
                body=parts[-1].body,
            )
            for key, parts in self.request.files.items()
        }
        return Params(values, files)


class FileHandler(_BaseHandler):
    """`/file/bot<token>/<file_path>`: downloads of files named by getFile."""

    def get(self, token: str, path: str) -> None:
        if token != self.state.token:
            self.send_error_json(unauthorized())
            return
        stored = self.state.files.by_path(path)
        if stored is None:
            self.send_error_json(not_found())
            return
        self.set_header("Content-Type", stored.mime_type or "application/octet-stream")
        self.finish(stored.data)


class NotFoundHandler(_BaseHandler):
    def get(self) -> None:
        self.send_error_json(not_found())

    post = get


def make_app(state: BotState, tasks: set[asyncio.Task[Any]]) -> tornado.web.Application:
    context = {"state": state, "tasks": tasks}
    return tornado.web.Application(
        [
            (r"/bot([^/]+)/([A-Za-z0-9_]+)/?", MethodHandler, context),
            (r"/file/bot([^/]+)/(.+)", FileHandler, context),
        ],
        default_handler_class=NotFoundHandler,
        default_handler_args=context,
        log_function=_log_request,
    )


def _log_request(handler: tornado.web.RequestHandler) -> None:
    logger.debug("%s %s -> %s", handler.request.method, handler.request.uri, handler.get_status())


class HttpServer:
    def __init__(self, app: tornado.web.Application, tasks: set[asyncio.Task[Any]]) -> None:
        self._app = app
        self._tasks = tasks
        self._server: tornado.httpserver.HTTPServer | None = None
        self.port = 0

    async def start(self, host: str, port: int) -> None:
        sockets = tornado.netutil.bind_sockets(port, host, family=socket.AF_INET)
        self._server = tornado.httpserver.HTTPServer(self._app)
        self._server.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.stop()
        for task in list(self._tasks):
            task.cancel()
        await self._server.close_all_connections()
        self._server = None
