"""Private data end to end: what the logs and the ops chat say when a form fails, and the
modes of every file and folder the bot writes."""

from __future__ import annotations

import logging

import pytest

from bot.app import build_application, polling
from bot.config import load_settings
from bot.localapi import LocalBotApi
from bot.localapi.models import TgUser
from tests.conftest import HEAD
from tests.e2e.steps import say, tap

TYPED_PHONE = "8 (999) 765-43-21"


async def up_to_the_phone_question(api: LocalBotApi, user: TgUser) -> None:
    await api.send_text(user, "/start")
    await api.next_message(user.id)
    await say(api, user, "P-901")
    await say(api, user, "Ромашка")
    status_question = await say(api, user, "Казань")
    name_question = await tap(api, user, status_question, "Золотой")
    await tap(api, user, name_question, "Зинаида Соколова")


async def test_a_phone_typed_into_a_form_that_fails_stays_out_of_the_log_and_the_ops_chat(
    api: LocalBotApi, bot_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("PARTNERDESK_OPS_CHAT", str(HEAD))
    ops = api.user(HEAD, "Павел", language_code="ru", started=True)
    zina = api.user(901, first_name="Зинаида", last_name="Соколова", language_code="ru")
    caplog.set_level(logging.INFO)  # what `partnerdesk run` logs
    async with polling(build_application(load_settings()), poll_timeout=1):
        await up_to_the_phone_question(api, zina)
        api.fail_next("sendMessage", 500)  # the answer to the phone fails: the form errs
        await api.send_text(zina, TYPED_PHONE)
        assert "Что-то пошло не так" in (await api.next_message(zina.id)).text
        posted = await api.next_message(ops.id)
    [logged] = [r for r in caplog.records if r.name == "bot.handlers.errors"]
    line = logged.getMessage()
    assert f"kind=message chat={zina.id} user={zina.id}" in line and "NetworkError" in line
    assert f"user={zina.id}" in posted.text and "NetworkError" in posted.text
    for private in (TYPED_PHONE, "79997654321", "765-43-21", "Соколова"):
        assert private not in caplog.text
        assert private not in posted.text


async def test_the_debug_setting_logs_the_update_with_its_content(
    api: LocalBotApi, bot_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("PARTNERDESK_LOG_CONTENT", "true")
    zina = api.user(902, first_name="Зинаида", last_name="Соколова", language_code="ru")
    caplog.set_level(logging.INFO)
    async with polling(build_application(load_settings()), poll_timeout=1):
        api.fail_next("sendMessage", 500)
        await api.send_text(zina, "/start")
        assert "Что-то пошло не так" in (await api.next_message(zina.id)).text
    [logged] = [r for r in caplog.records if r.name == "bot.handlers.errors"]
    assert "Соколова" in logged.getMessage() and '"text": "/start"' in logged.getMessage()
