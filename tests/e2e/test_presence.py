"""Any message from a person counts: it moves `last_seen_at` (which keeps their phone) and
clears a mark that they blocked the bot, not only /start."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.app import AnyApplication
from bot.localapi import LocalBotApi
from bot.runtime import runtime_of
from tests.conftest import SPECIALIST
from tests.e2e.steps import join_new_partner, say
from tests.e2e.test_decide import db_rows, manager, partner_sends
from tests.e2e.test_reminders import APPROVAL, approve_seminar, moment, quiet, run_job, running


async def test_a_partner_marked_blocked_is_reached_again_after_any_message(
    api: LocalBotApi, bot_env: dict[str, str]
) -> None:
    async with running(APPROVAL) as bot:
        _, anna = await approve_seminar(api, 1401)
        # She blocked the bot while it was down (no my_chat_member reached it): the 403 tells.
        api.state.blocked.add(anna.id)
        await run_job(bot, moment("2026-04-09"))
        assert [(r.method, r.error_code) for r in api.refusals] == [("sendMessage", 403)]
        api.refusals.clear()
        blocked = f"SELECT blocked_at IS NOT NULL FROM users WHERE telegram_id = {anna.id}"
        assert db_rows(bot_env, blocked) == [(1,)]

        # She unblocked it, unseen again, and writes: not /start, just a command.
        api.state.blocked.discard(anna.id)
        assert "Битрикс24 для бизнеса" in (await say(api, anna, "/events")).text
        await api.wait_until(lambda: db_rows(bot_env, blocked) == [(0,)])
        await run_job(bot, moment("2026-04-16"))
        assert "Напомните всем" in (await api.next_message(anna.id)).text
    assert db_rows(bot_env, "SELECT action FROM audit_log WHERE action LIKE 'user.%blocked_bot'"
                            " ORDER BY id") == [("user.blocked_bot",), ("user.unblocked_bot",)]


async def test_any_message_keeps_the_phone_a_year_from_the_last_one(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    clock = runtime_of(bot).clock
    anna = api.user(1402, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-1402")

    def last_seen() -> datetime:
        [(value,)] = db_rows(bot_env, f"SELECT last_seen_at FROM users WHERE telegram_id ="
                                      f" {anna.id}")
        return datetime.fromisoformat(str(value))

    clock.advance(timedelta(days=200))
    before = clock.now()
    await say(api, anna, "/balance")  # no /start: any message counts
    await api.wait_until(lambda: last_seen() >= before, timeout=5)
    written = last_seen()
    clock.advance(timedelta(minutes=20))
    await say(api, anna, "/balance")  # within the hour: nothing written
    await quiet(api, anna)
    assert last_seen() == written

    clock.advance(timedelta(days=200))  # 400 days after /start, 200 after her last message
    job = bot.job_queue.get_jobs_by_name("personal-data-retention")[0]  # type: ignore[union-attr]
    await job.run(bot)
    assert db_rows(bot_env, f"SELECT phone FROM members WHERE telegram_id = {anna.id}") == [
        ("+79991234567",)]
    clock.advance(timedelta(days=170))  # 370 days after her last message
    await job.run(bot)
    assert db_rows(bot_env, f"SELECT phone FROM members WHERE telegram_id = {anna.id}") == [
        (None,)]


async def test_a_manager_marked_blocked_gets_the_waiting_card_after_any_message(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(1403, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-1403")
    api.state.blocked.add(maria.id)  # unseen: no my_chat_member reaches the bot
    await partner_sends(api, anna)  # the card gets a 403: she is marked
    blocked = f"SELECT blocked_at IS NOT NULL FROM users WHERE telegram_id = {maria.id}"
    await api.wait_until(lambda: db_rows(bot_env, blocked) == [(1,)])
    api.refusals.clear()
    await partner_sends(api, anna)  # this card waits for her
    waiting = f"SELECT state FROM reminders WHERE recipient_id = {maria.id} ORDER BY id"
    assert db_rows(bot_env, waiting)[-1] == ("waiting",)

    api.state.blocked.discard(maria.id)
    await api.send_text(maria, "/pending")  # not /start
    got = [await api.next_message(maria.id) for _ in range(2)]
    assert any("Заявка №2" in m.text and "✅ Одобрить" in m.button_texts() for m in got)
