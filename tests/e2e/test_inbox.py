"""The inbox in polling mode: an update the library cannot parse is skipped, logged once with
its id, and the updates after it are answered; each update is stored before it is confirmed;
different people's updates are handled side by side, and fetched only when there is room."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from typing import Any

import pytest

from bot.app import AnyApplication
from bot.localapi import LocalBotApi
from bot.localapi.models import TgUser


def message_from_the_future(user: TgUser) -> dict[str, Any]:
    """A message whose `date` is not the number the library expects (as if Telegram changed
    a field's type): PTB's `Update.de_json` raises on it."""
    return {"message_id": 9999, "date": "yesterday", "text": "hi",
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "from": user.to_dict()}


def offsets(api: LocalBotApi) -> list[int]:
    """The offsets the bot's getUpdates calls passed: each confirms the updates below it."""
    return [int(call.params["offset"]) for call in api.calls("getUpdates")
            if call.params.get("offset") is not None]


def inbox_rows(bot_env: dict[str, str], update_id: int) -> list[tuple[Any, ...]]:
    with sqlite3.connect(bot_env["PARTNERDESK_DATABASE"]) as db:
        return db.execute("SELECT state, raw IS NOT NULL FROM inbox WHERE update_id = ?",
                          (update_id,)).fetchall()


async def test_an_unparseable_update_is_skipped_logged_once_and_the_ones_after_it_answered(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    anna, ivan, olga = (api.user(701 + i, first_name=name, language_code="en")
                        for i, name in enumerate(("Anna", "Ivan", "Olga")))
    # One batch (nothing here yields to the bot in between): a good update, the bad one, two more.
    await api.send_text(anna, "/help")
    bad = api.queue_update("message", message_from_the_future(ivan))["update_id"]
    await api.send_text(ivan, "/help")
    await api.send_text(olga, "/start")

    assert "/cancel" in (await api.next_message(anna.id)).text
    assert "/cancel" in (await api.next_message(ivan.id)).text
    assert "Hello, Olga" in (await api.next_message(olga.id)).text

    # Polling went on past it: two more long polls, and still the one line about it.
    polls = len(api.calls("getUpdates"))
    await api.wait_until(lambda: len(api.calls("getUpdates")) >= polls + 2, timeout=10)
    about_it = [r for r in caplog.records if f"update={bad} " in r.getMessage()]
    assert [(r.levelname, r.getMessage().split(" duration")[0]) for r in about_it] == [
        ("WARNING", f"update={bad} kind=message outcome=unparseable:TypeError")]
    assert "yesterday" not in caplog.text and "Ivan" not in caplog.text  # no content logged
    # Stored as it came, for whoever looks into it; the good ones handled and emptied.
    assert inbox_rows(bot_env, bad) == [("unparseable", 1)]
    assert inbox_rows(bot_env, bad + 1) in ([("handled", 0)], [("received", 1)])
    assert len(api.bot_messages(ivan.id)) == 1


async def test_each_update_is_stored_before_the_next_poll_confirms_it(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str],
) -> None:
    """While the bot's answer hangs (the update in hand), the poller has asked for the next
    batch — so Telegram forgets this one — and the update is already in the database."""
    anna = api.user(711, first_name="Anna", language_code="en")
    api.hold("sendMessage")
    await api.send_text(anna, "/help")
    update_id = api.state.updates[-1]["update_id"]
    await api.wait_until(lambda: bool(api.calls("sendMessage")), timeout=10)
    await api.wait_until(lambda: update_id + 1 in offsets(api), timeout=10)
    assert inbox_rows(bot_env, update_id) == [("received", 1)]
    assert api.bot_messages(anna.id) == []

    api.release("sendMessage")
    assert "/cancel" in (await api.next_message(anna.id)).text
    await api.wait_until(lambda: inbox_rows(bot_env, update_id) == [("handled", 0)], timeout=10)


async def test_polling_backs_off_and_carries_on_after_getupdates_fails(
    api: LocalBotApi, bot: AnyApplication, caplog: pytest.LogCaptureFixture,
) -> None:
    api.fail_next("getUpdates", 502, None)  # a proxy in between fails
    api.fail_next("getUpdates", 429, 1)  # flood control
    anna = api.user(721, first_name="Anna", language_code="en")
    await api.send_text(anna, "/help")
    assert "/cancel" in (await api.next_message(anna.id, timeout=15)).text
    assert [f.error.error_code for f in api.injected_failures] == [502, 429]
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.intake"]
    assert len(warnings) == 2 and "again in 1.0 s" in warnings[0], warnings
    assert "flood control; again in 1.5 s" in warnings[1], warnings


async def test_a_slow_answer_to_one_person_holds_nobody_elses(
    api: LocalBotApi, bot: AnyApplication,
) -> None:
    """Updates of different people are handled side by side: while Telegram takes 3 s to
    confirm Anna's answer, Ivan's /help is answered at once."""
    anna = api.user(731, first_name="Anna", language_code="en")
    ivan = api.user(732, first_name="Ivan", language_code="en")
    api.stall_next("sendMessage", 3.0)
    await api.send_text(anna, "/help")
    await api.wait_until(lambda: api.stalled == ["sendMessage"], timeout=10)
    started = time.monotonic()
    await api.send_text(ivan, "/help")
    assert "/cancel" in (await api.next_message(ivan.id, timeout=10)).text
    assert time.monotonic() - started < 1.5
    assert "/cancel" in (await api.next_message(anna.id, timeout=10)).text


async def test_while_answers_hang_new_messages_are_fetched_together_and_soon(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str],
) -> None:
    """With three answers hanging the bot is busy: ten messages sent over a tenth of a second
    come in a few getUpdates, not one each, and none waits at Telegram for long; all are
    answered once the hang ends."""
    people = [api.user(741 + i, first_name=f"P{i}", language_code="en") for i in range(13)]
    api.hold("sendMessage")
    for person in people[:3]:
        await api.send_text(person, "/help")
    await api.wait_until(lambda: len(api.calls("sendMessage")) == 3, timeout=10)
    polls = len(api.calls("getUpdates"))
    for person in people[3:]:
        await api.send_text(person, "/help")
        await asyncio.sleep(0.01)
    last = api.state.updates[-1]["update_id"]
    await api.wait_until(lambda: inbox_rows(bot_env, last) != [], timeout=1)  # stored soon
    assert len(api.calls("getUpdates")) - polls <= 4

    api.release("sendMessage")
    for person in people:
        assert "/cancel" in (await api.next_message(person.id, timeout=10)).text
    await api.wait_until(lambda: inbox_rows(bot_env, last) == [("handled", 0)], timeout=10)
