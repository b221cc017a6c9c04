"""Reminders end to end: the bot's clock set to a fixed spring, the dispatcher job run by hand.

A seminar on Thu 30.04.2026 is approved on Mon 30.03; the May holidays (1–3 and 9–11 May)
fall between the event and its report deadline (Mon 18.05).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app import AnyApplication, build_application, polling
from bot.clock import Clock
from bot.config import ConfigError, load_settings
from bot.localapi import LocalBotApi
from bot.localapi.models import TgUser
from bot.runtime import runtime_of
from bot.services import ledger, reminders
from tests.conftest import SPECIALIST
from tests.e2e.steps import join_new_partner, say, tap
from tests.e2e.test_decide import db_rows, manager, partner_sends
from tests.e2e.test_report import SEMINAR

MSK = ZoneInfo("Europe/Moscow")
APPROVAL = datetime(2026, 3, 30, 12, 0, tzinfo=MSK)
SCRIPT = [("type", "30.04.2026"), *SEMINAR[1:]]
TITLE = "Битрикс24 для бизнеса"


def moment(day: str, hour: int = 10, minute: int = 1) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour, minute), MSK)


@asynccontextmanager
async def running(at: datetime) -> AsyncIterator[AnyApplication]:
    """The bot (a fresh process, as far as it knows) with its clock showing `at`."""
    clock = Clock(MSK, offset=at - datetime.now(UTC))
    app = build_application(load_settings(), clock=clock)
    async with polling(app, poll_timeout=1):
        yield app


def set_clock(bot: AnyApplication, at: datetime) -> None:
    clock = runtime_of(bot).clock
    clock.advance(at - clock.now())


async def run_job(bot: AnyApplication, at: datetime | None = None) -> None:
    if at is not None:
        set_clock(bot, at)
    job = bot.job_queue.get_jobs_by_name("reminders")[0]  # type: ignore[union-attr]
    await job.run(bot)


async def quiet(api: LocalBotApi, user: TgUser) -> None:
    """Nothing (more) came to the user: the job awaits its sends, so this is quick."""
    with pytest.raises(asyncio.TimeoutError):
        await api.next_message(user.id, timeout=0.05)


async def approve_seminar(api: LocalBotApi, partner_id: int,
                          script: list[tuple[str, str]] = SCRIPT) -> tuple[TgUser, TgUser]:
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(partner_id, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code=f"P-{partner_id}")
    await partner_sends(api, anna, "Семинар", script)
    card = await api.next_message(maria.id)
    await api.press(maria, card, "✅ Одобрить")
    assert "одобрена" in (await api.next_message(anna.id)).text
    return maria, anna


async def test_a_seminars_whole_timeline_fires_on_time_across_weekends_and_holidays(
    api: LocalBotApi, bot_env: dict[str, str]
) -> None:
    async with running(APPROVAL) as bot:
        maria, anna = await approve_seminar(api, 1301)
        expected = [
            ("2026-04-09", "пора анонсировать"),
            ("2026-04-16", "Напомните всем, кто зарегистрировался"),
            ("2026-04-23", "Напомните всем, кто зарегистрировался"),
            ("2026-04-28", "Обзвоните зарегистрированных"),
            ("2026-04-29", "Что сделать в день мероприятия"),
            ("2026-05-04", "Отправьте отчёт сейчас"),     # after the 1–3 May days off
            ("2026-05-13", "осталось 3 рабочих дня"),      # 14, 15 and 18 May left
            ("2026-05-15", "остался 1 рабочий день"),
            ("2026-05-19", "нужно было сдать до 18.05.2026"),
        ]
        for day, text in expected:
            await run_job(bot, moment(day, 9, 58))  # not a minute early
            await quiet(api, anna)
            await run_job(bot, moment(day))
            got = await api.next_message(anna.id)
            assert text in got.text and TITLE in got.text, (day, got.text)
            await run_job(bot)  # and only once
            await quiet(api, anna)
            if day == "2026-05-04":
                assert got.button_texts() == ["📝 Отчитаться"]
                await api.press(anna, got, "📝 Отчитаться")  # opens the report form
                # with its first question, in one message
                assert "Отчёт по заявке №1" in (await api.next_message(anna.id)).text

        digest = await api.next_message(maria.id)  # 19.05, 09:00: the morning digest …
        assert "Просрочены отчёты: 1" in digest.text and "опоздание 1 рабочий день" in digest.text
        told = await api.next_message(maria.id)  # … and at 10:00 the overdue notice itself
        assert "Ромашка" in told.text and "Партнёру напомнили" in told.text
    states = db_rows(bot_env, "SELECT state, COUNT(*) FROM reminders WHERE application_id = 1"
                              " GROUP BY state")
    assert states == [("sent", 10)]


async def test_a_restart_between_due_and_sent_sends_once(
    api: LocalBotApi, bot_env: dict[str, str]
) -> None:
    async with running(APPROVAL):
        _, anna = await approve_seminar(api, 1302)
    async with running(moment("2026-04-09")) as bot:  # down when the announcement fell due
        await run_job(bot)
        assert "пора анонсировать" in (await api.next_message(anna.id)).text
        await run_job(bot)
        await quiet(api, anna)

    async with running(moment("2026-04-16")) as bot:  # claimed, then the process died
        rt = runtime_of(bot)
        batch = await reminders.claim_due(rt.db, rt.settings, rt.rulebook, rt.clock.now(), 50)
        assert [r.kind for r in batch.to_send] == ["weekly"]
    async with running(moment("2026-04-16", 10, 2)) as bot:
        # The claim was left by a bot that stopped: released at the start, not after the lease.
        await run_job(bot)
        assert "Напомните всем" in (await api.next_message(anna.id)).text
        await run_job(bot, moment("2026-04-16", 10, 12))
        await quiet(api, anna)
    assert db_rows(bot_env, "SELECT state FROM reminders WHERE kind = 'weekly'"
                            " ORDER BY due_at") == [("sent",), ("planned",)]


async def test_a_429_waits_and_retries_and_a_final_one_leaves_the_row_for_the_next_run(
    api: LocalBotApi, bot_env: dict[str, str]
) -> None:
    async with running(APPROVAL) as bot:
        _, anna = await approve_seminar(api, 1303)
        api.fail_next("sendMessage", retry_after=1)
        await run_job(bot, moment("2026-04-09"))  # the rate limiter waits 1 s and retries
        assert "пора анонсировать" in (await api.next_message(anna.id)).text

        for _ in range(4):  # more than the limiter's 3 retries
            api.fail_next("sendMessage", retry_after=1)
        await run_job(bot, moment("2026-04-16"))
        await quiet(api, anna)
        assert db_rows(bot_env, "SELECT state, attempts, note FROM reminders WHERE kind ="
                                " 'weekly' ORDER BY due_at LIMIT 1") == [("planned", 0, "429")]
        await run_job(bot, moment("2026-04-16", 10, 2))
        assert "Напомните всем" in (await api.next_message(anna.id)).text
        await run_job(bot)
        await quiet(api, anna)
    assert len(api.injected_failures) == 5


async def test_a_network_error_retries_with_backoff(
    api: LocalBotApi, bot_env: dict[str, str]
) -> None:
    async with running(APPROVAL) as bot:
        _, anna = await approve_seminar(api, 1304)
        api.fail_next("sendMessage", error_code=502)
        await run_job(bot, moment("2026-04-09"))
        await quiet(api, anna)
        assert db_rows(bot_env, "SELECT state, attempts, due_at FROM reminders WHERE kind ="
                                " 'announce'") == [("planned", 1, "2026-04-09T07:02:00Z")]
        await run_job(bot, moment("2026-04-09", 10, 3))
        assert "пора анонсировать" in (await api.next_message(anna.id)).text


async def test_a_user_who_blocked_the_bot_is_skipped_until_they_write_again_and_the_batch_goes_on(
    api: LocalBotApi, bot_env: dict[str, str]
) -> None:
    async with running(APPROVAL) as bot:
        _, anna = await approve_seminar(api, 1305)
        boris = api.user(1306, first_name="Борис", language_code="ru")
        await join_new_partner(api, boris, code="P-1306", company="Лютик")
        await partner_sends(api, boris, "Семинар", SCRIPT)
        maria = api.user(SPECIALIST, "Мария")
        await api.press(maria, await api.next_message(maria.id), "✅ Одобрить")
        await api.next_message(boris.id)
        # She blocked the bot while it was down: no my_chat_member reached it, the 403 tells.
        api.state.blocked.add(anna.id)

        await run_job(bot, moment("2026-04-09"))
        assert "пора анонсировать" in (await api.next_message(boris.id)).text
        assert [(r.method, r.error_code) for r in api.refusals] == [("sendMessage", 403)]
        api.refusals.clear()
        assert db_rows(bot_env, f"SELECT blocked_at IS NOT NULL FROM users WHERE telegram_id ="
                                f" {anna.id}") == [(1,)]

        await run_job(bot, moment("2026-04-16"))  # not tried again: no request, no 403
        assert "Напомните всем" in (await api.next_message(boris.id)).text
        assert api.refusals == []

        await say(api, anna, "/start")  # she is back
        await run_job(bot, moment("2026-04-23"))
        assert "Напомните всем" in (await api.next_message(anna.id)).text
    assert db_rows(bot_env, f"SELECT kind, state, note FROM reminders WHERE recipient_id ="
                            f" {anna.id} AND state != 'planned' AND payload IS NULL"
                            " ORDER BY due_at") == [
        ("announce", "dropped", "blocked"), ("weekly", "dropped", "blocked"),
        ("weekly", "sent", None)]


async def test_a_partner_sees_the_reminders_and_switches_one_off_with_one_tap(
    api: LocalBotApi, bot_env: dict[str, str]
) -> None:
    async with running(APPROVAL) as bot:
        _, anna = await approve_seminar(api, 1307)
        await run_job(bot, moment("2026-04-09"))
        await api.next_message(anna.id)

        events = await say(api, anna, "/events")
        details = await tap(api, anna, events, f"#1 · 30.04.2026 · {TITLE}")
        listing = await tap(api, anna, details, "🔔 Напоминания")
        assert "✅ 09.04 10:01 — Начать анонс" in listing.text
        assert "🕒 16.04 10:00 — Напомнить зарегистрированным" in listing.text
        assert "🕒 04.05 10:00 — Отчитаться" in listing.text
        assert listing.button_texts() == [
            "🔕 Выключить: Начать анонс", "🔕 Выключить: Напомнить зарегистрированным",
            "🔕 Выключить: Обзвонить зарегистрированных",
            "🔕 Выключить: Чек-лист дня мероприятия"]

        answer = await api.press(anna, listing, "🔕 Выключить: Напомнить зарегистрированным")
        assert answer.text == "Выключено: Напомнить зарегистрированным"
        await api.wait_until(lambda: "🔔 Включить: Напомнить зарегистрированным"
                             in listing.button_texts())
        assert "✖️ 16.04 10:00 — Напомнить зарегистрированным (выключено)" in listing.text

        await run_job(bot, moment("2026-04-16"))
        await quiet(api, anna)
        await run_job(bot, moment("2026-04-28"))
        assert "Обзвоните" in (await api.next_message(anna.id)).text


async def test_managers_get_a_morning_digest_only_when_something_waits(
    api: LocalBotApi, bot_env: dict[str, str]
) -> None:
    async with running(APPROVAL) as bot:
        maria = await manager(api, SPECIALIST, "Мария")
        await run_job(bot, moment("2026-03-31", 9))
        await quiet(api, maria)  # nothing waits: no digest

        anna = api.user(1309, first_name="Анна", language_code="ru")
        await join_new_partner(api, anna, code="P-1309")
        await partner_sends(api, anna, "Семинар", SCRIPT)
        await api.next_message(maria.id)  # the card
        await run_job(bot, moment("2026-04-04", 9))  # a Saturday
        await quiet(api, maria)
        await run_job(bot, moment("2026-04-06", 9, 0))  # Monday, 09:00
        digest = await api.next_message(maria.id)
        assert "Ждут вашего решения: 1" in digest.text and TITLE in digest.text
        await run_job(bot, moment("2026-04-06", 12))
        await quiet(api, maria)


async def test_nothing_goes_out_at_night(api: LocalBotApi, bot_env: dict[str, str]) -> None:
    late = datetime(2026, 4, 24, 23, 30, tzinfo=MSK)  # approved late at night, a week before
    async with running(late) as bot:
        # A week before is too late for any support: the form does not ask about it.
        _, anna = await approve_seminar(api, 1310, SCRIPT[:-1])
        await run_job(bot)
        await quiet(api, anna)
        await run_job(bot, late + timedelta(hours=9))  # 08:30
        await quiet(api, anna)
        await run_job(bot, moment("2026-04-25", 9, 0))
        assert "пора анонсировать" in (await api.next_message(anna.id)).text


async def test_a_partner_is_told_a_month_before_its_bonus_money_expires(
    api: LocalBotApi, bot_env: dict[str, str]
) -> None:
    async with running(moment("2027-03-19", 9, 30)) as bot:  # a month before is Saturday
        anna = api.user(1311, first_name="Анна", language_code="ru")
        await join_new_partner(api, anna, code="P-1311")
        ((partner_id,),) = db_rows(bot_env, "SELECT partner_id FROM members WHERE"
                                            " telegram_id = 1311")
        rt = runtime_of(bot)
        await ledger.credit_report(rt.db, rt.rulebook, report_id=1, partner_id=int(partner_id),
                                   program="bitrix24", points=60, compensation=1_150_000,
                                   credited_on=date(2026, 4, 20), by=SPECIALIST,
                                   now=rt.clock.now())
        await run_job(bot)
        await quiet(api, anna)
        await run_job(bot, moment("2027-03-19"))
        nudge = await api.next_message(anna.id)
        assert "19.04.2027 — последний день" in nudge.text
        assert "баллы (60) и бонусные деньги (11\u00a0500\u00a0₽)" in nudge.text


def test_a_wrong_dispatcher_setting_names_its_variable() -> None:
    with pytest.raises(ConfigError, match="PARTNERDESK_REMINDERS_BATCH"):
        load_settings(reminders_batch=0)
