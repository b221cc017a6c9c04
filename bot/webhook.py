"""Webhook mode: a small tornado server with the webhook and a health check.

PTB's `run_webhook` serves only the webhook path; this serves two:
- `POST <path of PARTNERDESK_WEBHOOK_URL>`: an update from Telegram. A request without the
  right `X-Telegram-Bot-Api-Secret-Token` gets 403 and changes nothing; a good one is put on
  the Application's update queue (the same queue the poller fills) and answered 200 at once.
- `GET /healthz`: 200 when the database answers `SELECT 1`, otherwise 503.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urlsplit

import tornado.web
from telegram import Update
from telegram.ext import ExtBot
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from bot.app import ALLOWED_UPDATES, AnyApplication
from bot.config import ConfigError, Settings
from bot.runtime import runtime_of

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
HEALTH_TIMEOUT = 3.0
MAX_BODY = 1024 * 1024  # an update is a few kilobytes; Telegram's text limit is 4096 characters
MAX_UPDATE_ID = 2**63 - 1  # processed_updates keeps ids in SQLite's signed 64-bit INTEGER


@dataclass(frozen=True, slots=True)
class Serving:
    host: str
    port: int
    path: str


def webhook_path(url: str) -> str:
    """The path Telegram posts to: the path of the public URL (a proxy passes it unchanged)."""
    path = urlsplit(url).path.rstrip("/")
    return path or "/"


class UpdateHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, app: AnyApplication, secret: str) -> None:
        self.app = app
        self.secret = secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        try:
            data = json.loads(self.request.body)
            update = Update.de_json(data, self.app.bot) if has_valid_update_id(data) else None
        except Exception as exc:  # not JSON, or not an update
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from exc
        if update is None:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        if isinstance(self.app.bot, ExtBot):
            self.app.bot.insert_callback_data(update)
        await self.app.update_queue.put(update)
        self.set_status(HTTPStatus.OK)


def has_valid_update_id(data: object) -> bool:
    """Telegram's update ids are positive 64-bit integers; anything else is not an update
    (a bool is an int to Python, not to JSON)."""
    update_id = data.get("update_id") if isinstance(data, dict) else None
    return (isinstance(update_id, int) and not isinstance(update_id, bool)
            and 0 < update_id <= MAX_UPDATE_ID)


class HealthHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET", "HEAD")

    def initialize(self, app: AnyApplication) -> None:
        self.app = app

    async def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        if await database_answers(self.app):
            self.finish({"status": "ok"})
        else:
            self.set_status(HTTPStatus.SERVICE_UNAVAILABLE)
            self.finish({"status": "database unavailable"})

    async def head(self) -> None:
        if not await database_answers(self.app):
            self.set_status(HTTPStatus.SERVICE_UNAVAILABLE)


async def database_answers(app: AnyApplication) -> bool:
    try:
        rt = runtime_of(app)
        row = await asyncio.wait_for(rt.db.fetch_one("SELECT 1"), HEALTH_TIMEOUT)
    except Exception:
        log.warning("health check: the database does not answer", exc_info=True)
        return False
    return row is not None and row[0] == 1


class WebhookApp(tornado.web.Application):
    def __init__(self, app: AnyApplication, *, path: str, secret: str) -> None:
        super().__init__([
            (HEALTH_PATH, HealthHandler, {"app": app}),
            (path, UpdateHandler, {"app": app, "secret": secret}),
        ])

    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """Refused requests are worth a line; every update gets its own line elsewhere."""
        status = handler.get_status()
        if status >= 400 and handler.request.path != HEALTH_PATH:
            log.warning("webhook: %s %s from %s answered %d", handler.request.method,
                        handler.request.path, handler.request.remote_ip, status)


@asynccontextmanager
async def serving(app: AnyApplication, settings: Settings) -> AsyncIterator[Serving]:
    """Run the bot in webhook mode inside a running event loop (the CLI and the tests).

    The same steps as `polling()` in bot/app.py, with the server instead of the poller; on
    the way out the server stops taking requests first, then the updates in hand are finished.
    """
    if settings.webhook_url is None or settings.webhook_secret is None:
        raise ConfigError("PARTNERDESK_WEBHOOK_URL: not set")
    secret = settings.webhook_secret.get_secret_value()
    path = webhook_path(settings.webhook_url)
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    server = HTTPServer(WebhookApp(app, path=path, secret=secret), max_body_size=MAX_BODY)
    try:
        sockets = bind_sockets(settings.port, address=settings.listen)
        server.add_sockets(sockets)
        port = int(sockets[0].getsockname()[1])
        await app.bot.set_webhook(settings.webhook_url, secret_token=secret,
                                  allowed_updates=ALLOWED_UPDATES)
        await app.start()
        log.info("webhook: listening on %s:%d, path %s; Telegram posts to %s",
                 settings.listen, port, path, settings.webhook_url)
        try:
            yield Serving(host=settings.listen, port=port, path=path)
        finally:
            server.stop()  # no new requests: Telegram keeps what it could not deliver
            await server.close_all_connections()
            await app.stop()  # finishes the updates already queued
    finally:
        server.stop()
        if app.post_shutdown:
            await app.post_shutdown(app)
        await app.shutdown()


def run_webhook(app: AnyApplication, settings: Settings) -> None:
    """`partnerdesk run` with PARTNERDESK_WEBHOOK_URL: serve until SIGINT or SIGTERM."""
    asyncio.run(_serve_until_stopped(app, settings))


async def _serve_until_stopped(app: AnyApplication, settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with serving(app, settings):
        await stop.wait()
        log.info("webhook: stopping; finishing the updates in hand")
    log.info("webhook: stopped")
