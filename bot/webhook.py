"""Webhook mode: a small tornado server with the webhook and a health check.

PTB's `run_webhook` serves only the webhook path; this serves two:
- `POST <path of PARTNERDESK_WEBHOOK_URL>`: an update from Telegram. A request without the
  right `X-Telegram-Bot-Api-Secret-Token` gets 403 and changes nothing; a body that is not a
  JSON object with a valid `update_id` gets 400. A good one goes through the inbox, as a polled
  one does (bot/intake.py): it is answered 200 only once it is stored (committed), so a kill
  before that makes Telegram post it again, and a kill after it loses nothing either. One the
  library cannot parse is stored, logged once and answered 200, so Telegram does not resend
  it forever.
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
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from bot.app import ALLOWED_UPDATES, AnyApplication
from bot.config import ConfigError, Settings
from bot.intake import Intake
from bot.runtime import runtime_of
from bot.services.updates import valid_update_id

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
HEALTH_TIMEOUT = 3.0
MAX_BODY = 1024 * 1024  # an update is a few kilobytes; Telegram's text limit is 4096 characters


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

    def initialize(self, intake: Intake, secret: str) -> None:
        self.intake = intake
        self.secret = secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        try:
            data = json.loads(self.request.body)
        except ValueError as exc:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from exc
        if valid_update_id(data) is None:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        await self.intake.receive([data])
        self.set_status(HTTPStatus.OK)


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
    def __init__(self, intake: Intake, *, path: str, secret: str) -> None:
        super().__init__([
            (HEALTH_PATH, HealthHandler, {"app": intake.app}),
            (path, UpdateHandler, {"intake": intake, "secret": secret}),
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
    intake = Intake(app)
    await intake.resume()
    server = HTTPServer(WebhookApp(intake, path=path, secret=secret), max_body_size=MAX_BODY)
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
