"""Managers decide with one tap: approve, reject, ask for changes, pick a figure, escalate."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta

import pytest

from bot.app import AnyApplication
from bot.localapi import LocalBotApi
from bot.localapi.models import BotMessage, TgUser
from bot.runtime import runtime_of
from tests.conftest import HEAD, SPECIALIST
from tests.e2e.steps import answer_anew, join_new_partner, say, tap
from tests.e2e.test_apply import KIND_SCRIPTS, ahead, start_applying


def db_rows(env: dict[str, str], sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(env["PARTNERDESK_DATABASE"]) as db:
        return db.execute(sql).fetchall()


async def manager(api: LocalBotApi, user_id: int, name: str, language: str = "ru") -> TgUser:
    """A manager who has started the bot (only then can it write to them)."""
    person = api.user(user_id, first_name=name, language_code=language)
    await say(api, person, "/start")
    return person


async def partner_fills(api: LocalBotApi, user: TgUser, kind: str = "Вебинар",
                        script: list[tuple[str, str]] | None = None) -> BotMessage:
    """A partner answers every question of an application; returns the summary."""
    q = await start_applying(api, user, kind)
    for action, value in script or KIND_SCRIPTS[kind]:
        q = await say(api, user, value) if action == "type" else await tap(api, user, q, value)
        q = await answer_anew(api, user, q)
    return q


async def partner_sends(api: LocalBotApi, user: TgUser, kind: str = "Вебинар",
                        script: list[tuple[str, str]] | None = None) -> BotMessage:
    """A partner applies; returns the bot's «sent» message."""
    return await tap(api, user, await partner_fills(api, user, kind, script), "✅ Отправить")


async def test_a_webinar_is_approved_in_one_tap(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(801, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-801", company="Ромашка")
    await partner_sends(api, anna)

    card = await api.next_message(maria.id)
    assert "Заявка №1" in card.text and "Ромашка (ID P-801)" in card.text
    assert "Баллы: 30" in card.text  # a webinar with 50 planned listeners
    assert card.button_texts()[:3] == ["✅ Одобрить", "❌ Отклонить", "✏️ На доработку"]

    answer = await api.press(maria, card, "✅ Одобрить")
    assert answer.text == "Одобрено"
    told = await api.next_message(anna.id)
    assert "одобрена" in told.text and "баллы: 30" in told.text and "отчёт — до" in told.text
    await api.wait_until(lambda: "✅ Одобрено — Мария" in card.text)
    assert card.buttons == [] or card.reply_markup is None

    assert db_rows(bot_env, "SELECT status FROM applications") == [("approved",)]
    assert db_rows(bot_env, "SELECT action, manager_id, points FROM decisions") == [
        ("approved", SPECIALIST, 30)]
    audit = db_rows(bot_env, "SELECT action, details FROM audit_log WHERE action ="
                             " 'activity.approved'")
    assert len(audit) == 1 and '"rulebook"' in str(audit[0][1]) and '"before": "pending"' in str(
        audit[0][1])
    assert "одобрено" in (await say(api, anna, "/events")).text


async def test_a_rejection_with_a_common_reason_reaches_the_partner(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    maria = await manager(api, SPECIALIST, "Maria", "en")
    anna = api.user(802, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-802")
    await partner_sends(api, anna)
    card = await api.next_message(maria.id)
    await api.press(maria, card, "❌ Reject")
    await api.wait_until(lambda: "a repeat of an event already approved" in card.button_texts())
    await api.press(maria, card, "a repeat of an event already approved")
    told = await api.next_message(anna.id)
    assert "отклонена: повтор уже согласованного мероприятия" in told.text
    await api.wait_until(lambda: "❌ Rejected — Maria" in card.text)


async def test_changes_requested_then_resubmitted_then_approved(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(803, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-803")
    await partner_sends(api, anna)
    card = await api.next_message(maria.id)
    await api.press(maria, card, "✏️ На доработку")
    await api.wait_until(lambda: "✍️ Своя причина" in card.button_texts())
    await api.press(maria, card, "✍️ Своя причина")
    prompt = await api.next_message(maria.id)
    assert prompt.force_reply and "Что исправить в заявке №1" in prompt.text
    await api.send_text(maria, "Добавьте второй доклад о Битрикс24.", reply_to=prompt)

    told = await api.next_message(anna.id)  # the typed full stop is not doubled
    assert "нужны правки: Добавьте второй доклад о Битрикс24. Исправьте" in told.text
    summary = await tap(api, anna, told, "✏️ Исправить заявку")
    assert "Проверьте заявку" in summary.text
    q = await tap(api, anna, summary, "✏️ Слушателей (план)")
    summary = await say(api, anna, "70")
    assert "При 70 слушателях" in summary.text
    sent = await tap(api, anna, summary, "✅ Отправить")
    assert "№1" in sent.text and q

    second = await api.next_message(maria.id)
    assert "версия 2" in second.text and "• Слушателей (план): 50 → 70" in second.text
    await api.press(maria, second, "✅ Одобрить")
    assert "одобрена" in (await api.next_message(anna.id)).text
    assert db_rows(bot_env, "SELECT version, action FROM decisions ORDER BY id") == [
        (1, "changes_requested"), (2, "approved")]
    # The first card's buttons went with the first decision; it can't decide version 2.
    assert card.buttons == [] or card.reply_markup is None


EXHIBITION = [("type", "Softool"), ("type", ahead(60)), ("type", "Москва, ВДНХ"),
              ("type", "https://softool.ru"), ("type", "ИТ-выставка, покажем Битрикс24"),
              ("tap", "1000"), ("type", "3x2 м, символика вендора, демо на стенде"),
              ("type", "60 000"), ("tap", "Пропустить"), ("tap", "0"), ("tap", "Нет")]


async def test_approving_an_exhibition_asks_for_the_points_within_its_range(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(804, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-804")
    await partner_sends(api, anna, "Выставка", EXHIBITION)
    card = await api.next_message(maria.id)
    assert "Баллы: <b>50–70</b>" in card.html
    answer = await api.press(maria, card, "✅ Одобрить")
    assert answer.text == "Сколько баллов?"
    await api.wait_until(lambda: card.button_texts()[:3] == ["50", "60", "70"])
    await api.press(maria, card, "60")
    told = await api.next_message(anna.id)
    assert "одобрена (баллы: 60" in told.text
    points = db_rows(bot_env, "SELECT points FROM decisions")
    assert points == [(60,)]


@pytest.mark.parametrize(("language", "approve", "wrong"), [
    ("ru", "✅ Одобрить", "Нужно число баллов от 50 до 70"),
    ("en", "✅ Approve", "The points must be a number from 50 to 70"),
])
async def test_points_typed_at_the_figure_pick_are_taken_as_the_pick(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str], language: str,
    approve: str, wrong: str
) -> None:
    """A manager who types a number while the card offers point buttons: within the range it
    is the pick; anything else gets a short answer about the points, never the partner help."""
    maria = await manager(api, SPECIALIST, "Мария", language)
    anna = api.user(805, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-805")
    await partner_sends(api, anna, "Выставка", EXHIBITION)
    card = await api.next_message(maria.id)
    await api.press(maria, card, approve)
    await api.wait_until(lambda: card.button_texts()[:3] == ["50", "60", "70"])
    for typed in ("200", "шестьдесят пять"):
        answer = await say(api, maria, typed)
        assert wrong in answer.text and "/apply" not in answer.text
    assert card.button_texts()[:3] == ["50", "60", "70"]  # the pick is still open
    await api.send_text(maria, "65")
    assert "одобрена (баллы: 65" in (await api.next_message(anna.id)).text
    await api.wait_until(lambda: not card.buttons)
    assert db_rows(bot_env, "SELECT points FROM decisions") == [(65,)]
    later = await say(api, maria, "70")  # decided: a number now is no figure for anything
    assert "/pending" in later.text and "/apply" not in later.text
    assert db_rows(bot_env, "SELECT points FROM decisions") == [(65,)]


async def test_a_changed_application_shows_what_was_and_what_is_in_english(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    maria = await manager(api, SPECIALIST, "Maria", "en")
    anna = api.user(806, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-806")
    await partner_sends(api, anna)
    card = await api.next_message(maria.id)
    await api.press(maria, card, "✏️ Ask for changes")
    await api.wait_until(lambda: "✍️ Other reason" in card.button_texts())
    await api.press(maria, card, "✍️ Other reason")
    prompt = await api.next_message(maria.id)
    await api.send_text(maria, "More listeners, please", reply_to=prompt)
    told = await api.next_message(anna.id)
    summary = await tap(api, anna, told, "✏️ Исправить заявку")
    await tap(api, anna, summary, "✏️ Слушателей (план)")
    summary = await say(api, anna, "70")
    await tap(api, anna, summary, "✅ Отправить")
    second = await api.next_message(maria.id)
    assert "Version 2, the partner changed:\n• Listeners (planned): 50 → 70" in second.text


async def test_a_hundred_taps_on_approve_decide_once(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(805, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-805")
    await partner_sends(api, anna)
    card = await api.next_message(maria.id)
    answers = await asyncio.gather(
        *(api.press(maria, card, "✅ Одобрить") for _ in range(100)), return_exceptions=True
    )
    assert not [a for a in answers if isinstance(a, BaseException)]
    assert sum(1 for a in answers if a.text == "Одобрено") == 1  # type: ignore[union-attr]
    assert db_rows(bot_env, "SELECT COUNT(*) FROM decisions") == [(1,)]
    assert db_rows(bot_env, "SELECT COUNT(*) FROM audit_log WHERE action = "
                            "'activity.approved'") == [(1,)]
    assert "одобрена" in (await api.next_message(anna.id)).text
    with pytest.raises(asyncio.TimeoutError):
        await api.next_message(anna.id, timeout=0.5)  # told once


async def test_an_application_waiting_two_working_days_goes_to_the_head_once(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    await manager(api, SPECIALIST, "Мария")
    pavel = await manager(api, HEAD, "Павел")
    anna = api.user(806, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-806")
    await partner_sends(api, anna)
    job = bot.job_queue.get_jobs_by_name("escalation")[0]  # type: ignore[union-attr]

    await job.run(bot)
    with pytest.raises(asyncio.TimeoutError):
        await api.next_message(pavel.id, timeout=0.3)  # not yet

    runtime_of(bot).clock.advance(timedelta(days=14))
    await job.run(bot)
    escalated = await api.next_message(pavel.id)
    assert "больше 2 рабочих дней" in escalated.text and "Заявка №1" in escalated.text
    await job.run(bot)
    with pytest.raises(asyncio.TimeoutError):
        await api.next_message(pavel.id, timeout=0.3)  # one message, not one per run
    await api.press(pavel, escalated, "✅ Одобрить")  # the head can decide anything
    assert "одобрена" in (await api.next_message(anna.id)).text


async def test_pending_lists_the_queue_and_history_shows_every_change(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    maria = await manager(api, SPECIALIST, "Maria", "en")
    anna = api.user(807, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-807")
    await partner_sends(api, anna)
    await api.next_message(maria.id)
    queue = await say(api, maria, "/pending")
    assert "Waiting for a decision: 1" in queue.text and "#1" in queue.text
    card = await tap(api, maria, queue, queue.button_texts()[0])
    await api.press(maria, card, "✅ Approve")
    assert "Nothing waits" in (await say(api, maria, "/pending")).text
    assert "одобрена" in (await api.next_message(anna.id)).text
    history = await say(api, maria, "/history 1")
    assert "activity.submitted" in history.text
    assert "activity.approved (pending → approved)" in history.text
    assert (await say(api, anna, "/history 1")).text == "Эта команда — для менеджеров."


async def test_in_the_team_chat_only_a_manager_of_the_role_decides_and_all_see_who(
    api: LocalBotApi, team_bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    maria = await manager(api, SPECIALIST, "Мария")
    intern = api.user(808, first_name="Стажёр", language_code="ru")
    team = api.group(-100777, "Партнёрский маркетинг", members=[maria, intern])
    anna = api.user(809, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-809")
    await partner_sends(api, anna)

    card = await api.next_message(team.id)
    assert "Заявка №1" in card.text
    refused = await api.press(intern, card, "✅ Одобрить")
    assert refused.show_alert and refused.text == "Это решение не в вашей роли."
    assert db_rows(bot_env, "SELECT status FROM applications") == [("pending",)]
    assert db_rows(bot_env, "SELECT actor_id FROM audit_log WHERE action ="
                            " 'activity.forbidden'") == [(808,)]

    await api.press(maria, card, "❌ Отклонить")
    await api.wait_until(lambda: "✍️ Своя причина" in card.button_texts())
    await api.press(maria, card, "✍️ Своя причина")
    prompt = await api.next_message(team.id)
    assert prompt.force_reply
    await api.send_text(maria, "Такой семинар уже был в этом месяце", chat=team, reply_to=prompt)
    told = await api.next_message(anna.id)
    assert "отклонена: Такой семинар уже был в этом месяце" in told.text
    await api.wait_until(lambda: "❌ Отклонено — Мария" in card.text)


async def test_the_head_reassigns_a_card_to_another_role(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    from tests.conftest import PR

    await manager(api, SPECIALIST, "Мария")
    pavel = await manager(api, HEAD, "Павел")
    olga = await manager(api, PR, "Ольга")
    anna = api.user(810, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-810")
    await partner_sends(api, anna)
    queue = await say(api, pavel, "/pending")
    card = await tap(api, pavel, queue, queue.button_texts()[0])
    await api.press(pavel, card, "↪ Передать")
    await api.wait_until(lambda: "PR-менеджер" in card.button_texts())
    await api.press(pavel, card, "PR-менеджер")
    moved = await api.next_message(olga.id)
    assert "Передано руководителем (Павел)" in moved.text
    await api.press(olga, moved, "✅ Одобрить")
    assert "одобрена" in (await api.next_message(anna.id)).text
    assert db_rows(bot_env, "SELECT role FROM applications") == [("pr",)]


async def test_a_suspended_partner_is_told_why_and_can_apply_again_after_resume(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    pavel = await manager(api, HEAD, "Павел")
    anna = api.user(811, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-811", company="Ромашка")
    maria = await manager(api, SPECIALIST, "Мария")
    assert "только руководитель" in (await say(api, maria, "/suspend P-811 x")).text
    done = await say(api, pavel, "/suspend p-811 дважды меньше 10 слушателей")
    assert "Поддержка партнёра Ромашка приостановлена" in done.text
    assert "приостановлена: дважды меньше 10 слушателей" in (await api.next_message(anna.id)).text
    refused = await say(api, anna, "/apply")
    assert "приостановлена: дважды меньше 10 слушателей" in refused.text
    await say(api, pavel, "/resume P-811")
    assert "возобновлена" in (await api.next_message(anna.id)).text
    assert "Семинар" in (await say(api, anna, "/apply")).button_texts()


async def test_a_partner_who_blocked_the_bot_is_skipped_not_retried(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(812, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-812")
    await partner_sends(api, anna)
    card = await api.next_message(maria.id)
    api.block(anna)
    await api.wait_until(lambda: db_rows(
        bot_env, "SELECT blocked_at IS NOT NULL FROM users WHERE telegram_id = 812") == [(1,)])
    await api.press(maria, card, "✅ Одобрить")
    await api.wait_until(lambda: "✅ Одобрено" in card.text)
    assert not [r for r in api.calls("sendMessage") if str(r.params.get("chat_id")) == "812"
                and "одобрена" in str(r.params.get("text"))]
    assert db_rows(bot_env, "SELECT status FROM applications") == [("approved",)]
