"""Shared fixtures: a local Bot API server, settings pointing at it, and the running bot."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import AnyApplication, build_application, polling
from bot.config import load_settings
from bot.localapi import LocalBotApi

# Reading RetryAfter.retry_after warns unless this is set; warnings are errors in the tests.
os.environ.setdefault("PTB_TIMEDELTA", "true")

TOKEN = "123456:TEST-TOKEN"
SPECIALIST, HEAD, PR = 9001, 9002, 9003
MANAGERS = f"specialist={SPECIALIST};head={HEAD};pr={PR}"


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    """A local Bot API server; a test fails if the bot made a request Telegram would refuse."""
    server = LocalBotApi(token=TOKEN, bot_username="partnerdesk_test_bot")
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
    refused = server.refusals
    assert not refused, f"the bot made {len(refused)} request(s) Telegram refuses: {refused[:3]}"
    assert not server.server_errors, f"the local server itself failed: {server.server_errors[:3]}"


@pytest.fixture
def bot_env(
    api: LocalBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """The environment a deployment would set, pointing at the local server and a fresh database."""
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "PARTNERDESK_BOT_API_URL": api.base_url,
        "PARTNERDESK_DATABASE": str(tmp_path / "partnerdesk.sqlite3"),
        "PARTNERDESK_DATA_DIR": str(tmp_path / "data"),
        "PARTNERDESK_MANAGERS": MANAGERS,
        "PARTNERDESK_TIMEZONE": "Europe/Moscow",
        "PARTNERDESK_LOCALE": "ru",
        # matplotlib's worker starts with the first /stats, not with each test's bot
        "PARTNERDESK_CHARTS_AT_START": "false",
    }
    monkeypatch.chdir(tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    yield env


@pytest.fixture
async def bot(bot_env: dict[str, str]) -> AsyncIterator[AnyApplication]:
    """The real Application, polling the local server, in this test's event loop."""
    app = build_application(load_settings())
    async with polling(app, poll_timeout=1):
        yield app


@pytest.fixture
async def team_bot(
    api: LocalBotApi, bot_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[AnyApplication]:
    """The bot with a managers' team chat (-100777): cards go there, not to each manager."""
    monkeypatch.setenv("PARTNERDESK_MANAGERS_CHAT", "-100777")
    async with polling(build_application(load_settings()), poll_timeout=1) as app:
        yield app
