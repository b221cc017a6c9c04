"""The outbox: a decision is announced whatever Telegram answers on the way (issue 18).

Each fault is injected by the local Bot API server; the decision is recorded and the partner
is told, a moment later, by the dispatcher.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from bot.app import AnyApplication, build_application, polling
from bot.config import load_settings
from bot.localapi import LocalBotApi
from bot.localapi.errors import QUERY_TOO_OLD
from bot.localapi.models import BotMessage, TgUser
from tests.conftest import HEAD, SPECIALIST
from tests.e2e.steps import join_new_partner
from tests.e2e.test_decide import db_rows, manager, partner_fills, partner_sends
from tests.e2e.test_report import sent_report

# (method, status, how many times, description): what Telegram may answer on the way.
FAULTS = {
    "card edit 500": ("editMessageText", 500, 1, None),
    "query too old": ("answerCallbackQuery", 400, 1, QUERY_TOO_OLD),
    "429 five times": ("sendMessage", 429, 5, None),
    "500 three times": ("sendMessage", 500, 3, None),
}
WAIT = 20.0  # 429 ×5: the limiter's 3 retries a second apart, then the outbox's own


def inject(api: LocalBotApi, fault: str) -> None:
    method, status, times, description = FAULTS[fault]
    for _ in range(times):
        api.fail_next(method, status, retry_after=1, description=description)


async def press_through(api: LocalBotApi, user: TgUser, card: BotMessage, button: str) -> None:
    """Press; a press whose answer fails (too old) gets no toast, which is all it loses."""
    with contextlib.suppress(TimeoutError):
        await api.press(user, card, button, timeout=2)


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_an_approval_reaches_the_partner_whatever_telegram_answers(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str], fault: str
) -> None:
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(1801, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-1801")
    await partner_sends(api, anna)
    card = await api.next_message(maria.id)

    inject(api, fault)
    await press_through(api, maria, card, "✅ Одобрить")
    told = await api.next_message(anna.id, timeout=WAIT)
    assert "одобрена" in told.text
    await api.wait_until(lambda: "✅ Одобрено — Мария" in card.text, timeout=WAIT)
    assert card.buttons == [] or card.reply_markup is None
    assert db_rows(bot_env, "SELECT status FROM applications") == [("approved",)]
    assert len(api.injected_failures) == FAULTS[fault][2]


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_an_accepted_report_reaches_the_partner_whatever_telegram_answers(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str], fault: str
) -> None:
    maria, anna, card = await sent_report(api, bot, 1811)
    inject(api, fault)
    await press_through(api, maria, card, "✅ Принять")
    told = await api.next_message(anna.id, timeout=WAIT)
    assert "принят: 60 баллов" in told.text
    await api.wait_until(lambda: "✅ Принят" in card.text, timeout=WAIT)
    assert db_rows(bot_env, "SELECT status FROM reports") == [("accepted",)]


async def test_a_card_saved_before_a_kill_arrives_after_the_restart(
    api: LocalBotApi, bot_env: dict[str, str]
) -> None:
    first = build_application(load_settings())
    async with polling(first, poll_timeout=1):
        maria = await manager(api, SPECIALIST, "Мария")
        anna = api.user(1821, first_name="Анна", language_code="ru")
        await join_new_partner(api, anna, code="P-1821")
        # The process dies between the commit and the send: nothing wakes the dispatcher.
        first.bot_data["partnerdesk.runtime"].outbox.waker = None
        summary = await partner_fills(api, anna)
        await api.press(anna, summary, "✅ Отправить")
        with pytest.raises(TimeoutError):
            await api.next_message(maria.id, timeout=0.5)
    assert db_rows(bot_env, "SELECT kind, state FROM reminders WHERE state != 'sent'"
                            " ORDER BY id") == [("card", "planned"), ("notice", "planned")]

    again = build_application(load_settings())
    async with polling(again, poll_timeout=1):
        card = await api.next_message(maria.id)
        assert "Заявка №1" in card.text and "✅ Одобрить" in card.button_texts()
        # The summary she pressed «Send» on becomes the confirmation, with its buttons gone.
        await api.wait_until(lambda: "Заявка №1 отправлена менеджеру" in summary.text,
                             timeout=WAIT)
        assert summary.buttons == []


async def test_a_manager_who_has_not_started_gets_the_card_on_start_and_the_partner_knows(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str], tmp_path: Path
) -> None:
    anna = api.user(1831, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-1831")
    sent = await partner_sends(api, anna)
    assert "менеджер ещё не подключён к боту — заявка ждёт в очереди" in sent.text
    assert db_rows(bot_env, "SELECT state FROM reminders WHERE recipient_id = "
                            f"{SPECIALIST}") == [("waiting",)]

    maria = await manager(api, SPECIALIST, "Мария")  # she starts the bot
    card = await api.next_message(maria.id)
    assert "Заявка №1" in card.text and "✅ Одобрить" in card.button_texts()


STALL = 6.0  # longer than the bot's read timeout (5 s): the bot sees a timeout
PATHS = {  # the button, what the partner is told, the table and the status it records
    "approval": ("✅ Одобрить", "одобрена", "applications", "approved"),
    "report accept": ("✅ Принять", "принят: 60 баллов", "reports", "accepted"),
}


@pytest.mark.parametrize("path", list(PATHS))
async def test_a_timeout_telling_the_partner_repeats_the_message_once_at_most(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str], path: str
) -> None:
    button, told_text, table, status = PATHS[path]
    if path == "approval":
        maria = await manager(api, SPECIALIST, "Мария")
        anna = api.user(1841, first_name="Анна", language_code="ru")
        await join_new_partner(api, anna, code="P-1841")
        await partner_sends(api, anna)
        card = await api.next_message(maria.id)
    else:
        maria, anna, card = await sent_report(api, bot, 1851)

    api.stall_next("sendMessage", STALL)  # Telegram sends it, its answer comes too late
    await press_through(api, maria, card, button)
    told = await api.next_message(anna.id, timeout=WAIT)
    assert told_text in told.text
    assert db_rows(bot_env, f"SELECT status FROM {table}") == [(status,)]
    await api.wait_until(lambda: db_rows(
        bot_env, "SELECT state, attempts FROM reminders WHERE kind = 'outcome' "
                 "ORDER BY id DESC LIMIT 1") == [("sent", 1)], timeout=WAIT)
    # The bot cannot know Telegram sent it before the timeout: it sends again, once.
    assert [m.text for m in api.bot_messages(anna.id)].count(told.text) == 2
    assert api.stalled == ["sendMessage"]
    await api.wait_until(lambda: "✅" in card.text and not card.buttons, timeout=WAIT)


HEAD_COMMANDS = {  # what the head types, and what the partner's employee is told
    "a bonus correction": ("/correct P-1861 bonus +5000 доклад не учли",
                           "скорректирован: +5\u00a0000\u00a0₽ — доклад не учли"),
    "a suspension": ("/suspend P-1861 нарушение правил",
                     "поддержка вашей компании приостановлена: нарушение правил"),
}


@pytest.mark.parametrize("change", list(HEAD_COMMANDS))
async def test_the_partner_hears_of_the_heads_change_though_the_first_send_fails(
    api: LocalBotApi, bot: AnyApplication, change: str
) -> None:
    command, told_text = HEAD_COMMANDS[change]
    olga = await manager(api, HEAD, "Ольга")
    anna = api.user(1861, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-1861")

    api.fail_next("sendMessage", 500)  # whichever goes first: the head's answer or the notice
    await api.send_text(olga, command)
    told = await api.next_message(anna.id, timeout=WAIT)
    assert told_text in told.text
    assert len(api.injected_failures) == 1
