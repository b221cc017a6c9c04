"""Webhook mode: the bot's own server on 127.0.0.1 takes updates as Telegram posts them and
answers through the local Bot API server; forged requests change nothing; repeats are harmless."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import ALLOWED_UPDATES, AnyApplication, build_application
from bot.config import ConfigError, load_settings
from bot.localapi import LocalBotApi
from bot.localapi.models import TgUser
from bot.runtime import runtime_of
from bot.webhook import SECRET_HEADER, Serving, serving
from tests.e2e.test_process import PARTNERDESK

WEBHOOK_URL = "https://partnerdesk.example.com/telegram/webhook"
SECRET = "webhook-Secret_42"
PATH = "/telegram/webhook"


@dataclass
class Hook:
    app: AnyApplication
    served: Serving
    client: httpx.AsyncClient
    database: Path

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        response = await self.client.post(PATH, json=update, headers=headers)
        return response.status_code

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.database) as db:
            return db.execute(sql, params).fetchall()


def webhook_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {
        "PARTNERDESK_WEBHOOK_URL": WEBHOOK_URL,
        "PARTNERDESK_WEBHOOK_SECRET": SECRET,
        "PARTNERDESK_LISTEN": "127.0.0.1",
        "PARTNERDESK_PORT": "0",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
async def hook(
    api: LocalBotApi, bot_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Hook]:
    webhook_env(monkeypatch)
    settings = load_settings()
    app = build_application(settings)
    async with (
        serving(app, settings) as served,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{served.port}", timeout=5) as client,
    ):
        yield Hook(app, served, client, settings.database)


async def writes(api: LocalBotApi, user: TgUser, text: str) -> dict[str, Any]:
    """The update Telegram would post when `user` writes `text` (not delivered by itself: a
    webhook is set, so nothing polls)."""
    await api.send_text(user, text)
    update = api.state.updates[-1]
    assert update["message"]["from"]["id"] == user.id
    return update


async def test_the_webhook_is_set_with_the_secret_and_the_updates_the_bot_handles(
    api: LocalBotApi, hook: Hook
) -> None:
    assert api.state.webhook is not None
    assert api.state.webhook["url"] == WEBHOOK_URL
    assert api.state.webhook["secret_token"] == SECRET
    assert api.state.allowed_updates == ALLOWED_UPDATES
    assert (await hook.app.bot.get_webhook_info()).url == WEBHOOK_URL
    assert hook.served.path == PATH


async def test_a_start_posted_with_the_secret_is_answered_through_the_bot_api(
    api: LocalBotApi, hook: Hook
) -> None:
    anna = api.user(501, first_name="Анна", language_code="ru")
    assert await hook.post(await writes(api, anna, "/start")) == 200
    welcome = (await api.next_message(anna.id)).text
    assert "Здравствуйте, Анна" in welcome and "ID партнёра" in welcome
    assert hook.rows("SELECT first_name FROM users WHERE telegram_id = ?", anna.id) == [("Анна",)]


async def test_a_request_without_the_right_secret_gets_403_and_changes_nothing(
    api: LocalBotApi, hook: Hook
) -> None:
    mallory = api.user(502, first_name="Mallory", language_code="en")
    forged = await writes(api, mallory, "/start")
    assert await hook.post(forged, secret="wrong-secret") == 403
    assert await hook.post(forged, secret=None) == 403
    assert await hook.post(forged, secret=SECRET + "x") == 403

    # Updates are handled one at a time: once a later good one is answered, a forged one that
    # had slipped into the queue would have been answered too.
    olga = api.user(503, first_name="Olga", language_code="en")
    assert await hook.post(await writes(api, olga, "/help")) == 200
    await api.next_message(olga.id)

    assert api.bot_messages(mallory.id) == []
    assert hook.rows("SELECT * FROM users WHERE telegram_id = ?", mallory.id) == []
    assert hook.rows("SELECT * FROM inbox WHERE update_id = ?", forged["update_id"]) == []


async def test_what_is_not_an_update_is_refused(api: LocalBotApi, hook: Hook) -> None:
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    assert (await hook.client.post(PATH, content=b"{not json", headers=headers)).status_code == 400
    assert (await hook.client.post(PATH, json={"no": "update_id"},
                                   headers=headers)).status_code == 400
    assert (await hook.client.get(PATH)).status_code == 405
    assert (await hook.client.post("/elsewhere", json={}, headers=headers)).status_code == 404


@pytest.mark.parametrize("body", [
    {"update_id": 0, "message": {}}, {"update_id": -3}, {"update_id": 2**63},
    {"update_id": "100001"}, {"update_id": 1.5}, {"update_id": True}, [{"update_id": 1}], 7,
])
async def test_a_body_without_a_positive_64_bit_update_id_gets_400_and_is_not_stored(
    api: LocalBotApi, hook: Hook, body: object
) -> None:
    response = await hook.client.post(PATH, json=body, headers={SECRET_HEADER: SECRET})
    assert response.status_code == 400
    assert hook.rows("SELECT COUNT(*) FROM inbox") == [(0,)]


async def test_200_comes_only_once_the_update_is_stored(api: LocalBotApi, hook: Hook) -> None:
    """Stored before the answer: while the bot is still busy with it, the row is committed
    (a kill now loses nothing); and an update that cannot be stored is not answered 200, so
    Telegram posts it again."""
    anna = api.user(508, first_name="Anna", language_code="en")
    api.hold("sendMessage")
    update = await writes(api, anna, "/help")
    assert await hook.post(update) == 200
    assert hook.rows("SELECT state, raw IS NOT NULL FROM inbox WHERE update_id = ?",
                     update["update_id"]) == [("received", 1)]
    assert api.bot_messages(anna.id) == []
    api.release("sendMessage")
    assert "/cancel" in (await api.next_message(anna.id)).text

    await runtime_of(hook.app).close_database()
    assert await hook.post(await writes(api, anna, "/start")) == 500


async def test_an_update_the_library_cannot_parse_is_stored_logged_once_and_answered_200(
    api: LocalBotApi, hook: Hook, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    ivan = api.user(509, first_name="Ivan", language_code="en")
    update = await writes(api, ivan, "/help")
    odd = {**update, "message": {**update["message"], "date": "yesterday"}}
    assert await hook.post(odd) == 200  # Telegram must not post it again forever
    assert await hook.post(odd) == 200  # … though it may, once: stored already
    assert await hook.post(await writes(api, ivan, "/start")) == 200
    assert "Hello, Ivan" in (await api.next_message(ivan.id)).text
    assert hook.rows("SELECT state FROM inbox WHERE update_id = ?",
                     update["update_id"]) == [("unparseable",)]
    lines = [r.getMessage() for r in caplog.records if f"update={update['update_id']} " in
             r.getMessage()]
    assert [line.split(" duration")[0] for line in lines] == [
        f"update={update['update_id']} kind=message outcome=unparseable:TypeError",
        f"update={update['update_id']} kind=message outcome=duplicate"]


async def test_the_same_update_delivered_twice_has_its_effect_once(
    api: LocalBotApi, hook: Hook, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.updates")
    ivan = api.user(504, first_name="Ivan", language_code="en")
    update = await writes(api, ivan, "/start")
    assert await hook.post(update) == 200
    assert "Hello, Ivan" in (await api.next_message(ivan.id)).text  # and the partner ID question
    assert await hook.post(update) == 200  # Telegram re-sends: the answer got lost

    olga = api.user(505, first_name="Olga", language_code="en")
    assert await hook.post(await writes(api, olga, "/help")) == 200
    await api.next_message(olga.id)  # the repeat, queued before, has been handled by now

    texts = [m.text for m in api.bot_messages(ivan.id)]
    assert len(texts) == 1, texts  # a second /start would say "Let's finish introducing you"
    assert hook.rows("SELECT COUNT(*) FROM audit_log WHERE action = 'user.joined'"
                     " AND subject = ?", f"user:{ivan.id}") == [(1,)]
    # stored once, marked handled in the background
    await api.wait_until(lambda: hook.rows("SELECT state FROM inbox WHERE update_id = ?",
                                           update["update_id"]) == [("handled",)])
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.updates"]
    assert any(f"update={update['update_id']} kind=message outcome=ok" in line
               for line in lines), lines
    assert any(f"update={update['update_id']} kind=message outcome=duplicate" in line
               for line in lines), lines
    assert all(re.search(r"duration_ms=\d+\.\d", line) for line in lines)


async def test_a_recycled_update_id_with_new_content_is_not_taken_for_a_repeat(
    api: LocalBotApi, hook: Hook
) -> None:
    """Telegram restarts update ids at random after a week without updates (a local Bot API
    server at every start): an id seen before may carry a new update."""
    ivan = api.user(507, first_name="Ivan", language_code="en")
    first = await writes(api, ivan, "/help")
    assert await hook.post(first) == 200
    await api.next_message(ivan.id)
    again = {**(await writes(api, ivan, "/start")), "update_id": first["update_id"]}
    assert await hook.post(again) == 200
    assert "Hello, Ivan" in (await api.next_message(ivan.id)).text


async def test_healthz_answers_200_while_the_database_answers_and_503_after(
    hook: Hook,
) -> None:
    ok = await hook.client.get("/healthz")
    assert ok.status_code == 200 and ok.json() == {"status": "ok"}
    await runtime_of(hook.app).close_database()
    down = await hook.client.get("/healthz")
    assert down.status_code == 503 and down.json() == {"status": "database unavailable"}


@pytest.mark.parametrize(("settings", "message"), [
    ({"webhook_url": WEBHOOK_URL},
     "PARTNERDESK_WEBHOOK_SECRET: required with PARTNERDESK_WEBHOOK_URL"),
    ({"webhook_url": WEBHOOK_URL, "webhook_secret": "has spaces"},
     "PARTNERDESK_WEBHOOK_SECRET: 1-256 characters, only A-Z, a-z, 0-9, _ and -"),
    ({"webhook_url": "http://partnerdesk.example.com/hook", "webhook_secret": SECRET},
     "PARTNERDESK_WEBHOOK_URL: 'http://partnerdesk.example.com/hook': Telegram sends webhooks"
     " to https:// URLs only"),
    ({"port": "70000"}, "PARTNERDESK_PORT: Input should be less than or equal to 65535"),
])
def test_a_webhook_without_a_good_secret_or_https_is_refused_naming_the_variable(
    bot_env: dict[str, str], settings: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings(**settings)


async def test_run_serves_the_webhook_when_its_url_is_set_and_stops_on_sigterm(
    api: LocalBotApi, bot_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env = {**bot_env, **webhook_env(monkeypatch)}
    log = tmp_path / "bot.log"
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            str(PARTNERDESK), "run", env={**os.environ, **env}, stdout=out, stderr=out)
    try:
        port = await _listening_port(log, process)
        user = api.user(506, first_name="Анна", language_code="ru")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            response = await client.post(PATH, json=await writes(api, user, "/start"),
                                         headers={SECRET_HEADER: SECRET})
            assert response.status_code == 200
            assert "Здравствуйте, Анна" in (await api.next_message(user.id, timeout=15)).text
            assert (await client.get("/healthz")).status_code == 200
        process.send_signal(signal.SIGTERM)  # what `docker stop` sends
        assert await asyncio.wait_for(process.wait(), 15) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    text = log.read_text()
    assert "webhook: stopped" in text and "Traceback" not in text


async def _listening_port(log: Path, process: asyncio.subprocess.Process) -> int:
    for _ in range(300):
        found = re.search(r"webhook: listening on 127\.0\.0\.1:(\d+)", log.read_text())
        if found:
            return int(found.group(1))
        if process.returncode is not None:
            raise AssertionError(f"the bot exited early:\n{log.read_text()}")
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bot never started its webhook server:\n{log.read_text()}")


@pytest.mark.parametrize("update_id", ["missing", 0, -5, 2**63, 10**30, "12", 1.5, True, None])
async def test_an_update_id_that_is_not_a_positive_64_bit_integer_is_refused_with_400(
    api: LocalBotApi, hook: Hook, update_id: object
) -> None:
    anna = api.user(541, first_name="Анна", language_code="ru")
    update = dict(await writes(api, anna, "/start"))
    if update_id == "missing":
        del update["update_id"]
    else:
        update["update_id"] = update_id
    assert await hook.post(update) == 400
    assert await hook.post(await writes(api, anna, "/start")) == 200
    greeting = await api.next_message(anna.id)
    assert "ID партнёра" in greeting.text
    await asyncio.sleep(0.3)
    assert len(api.bot_messages(anna.id)) == 1  # the refused update was not handled
