"""Joining: a new partner registers; a second employee is confirmed by a colleague or manager."""

from __future__ import annotations

import sqlite3

from bot.app import AnyApplication
from bot.localapi import LocalBotApi
from tests.conftest import HEAD
from tests.e2e.steps import join_new_partner, say, tap


async def test_the_first_employee_registers_a_new_partner_and_may_apply(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    anna = api.user(401, first_name="Анна", last_name="Петрова", language_code="ru")
    done = await join_new_partner(api, anna, code="p 777", company="Ромашка")
    assert "Вы — сотрудник Ромашка" in done.text
    assert done.reply_markup == {"remove_keyboard": True}
    with sqlite3.connect(bot_env["PARTNERDESK_DATABASE"]) as db:
        partner = db.execute("SELECT code, company, city, status FROM partners").fetchone()
        member = db.execute("SELECT full_name, phone, state FROM members").fetchone()
    assert partner == ("P777", "Ромашка", "Казань", "gold")
    assert member == ("Анна Петрова", "+79991234567", "active")
    kind_question = await say(api, anna, "/apply")
    assert "Семинар" in kind_question.button_texts()


async def test_wrong_answers_get_a_short_explanation_and_the_question_again(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    ivan = api.user(402, first_name="Ivan", language_code="en")
    await api.send_text(ivan, "/start")
    await api.next_message(ivan.id)
    await say(api, ivan, "P-1")
    await say(api, ivan, "Acme")
    status_question = await say(api, ivan, "Kazan")
    retry = await say(api, ivan, "Platinum")  # a choice must be a button
    assert retry.text.startswith("⚠️ Please pick one of the buttons")
    assert "status" in retry.text and "Gold" in retry.button_texts()
    name_question = await tap(api, ivan, retry, "Gold")
    assert status_question.reply_markup is None or not status_question.buttons
    phone_question = await tap(api, ivan, name_question, "Ivan")
    assert phone_question.reply_markup["keyboard"][0][0]["request_contact"] is True
    wrong = await say(api, ivan, "call me maybe")
    assert "doesn't look like a phone number" in wrong.text
    stranger = await api.send_contact(ivan, phone_number="+70000000000", contact_user_id=999)
    assert stranger
    assert "Your own number is needed" in (await api.next_message(ivan.id)).text
    done = await say(api, ivan, "8 (999) 765-43-21")
    assert "You are with Acme" in done.text


async def test_a_second_employee_waits_until_a_colleague_confirms(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    anna = api.user(403, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-500", company="Ромашка")
    boris = api.user(404, first_name="Борис", language_code="ru")
    await api.send_text(boris, "/start")
    await api.next_message(boris.id)
    name_question = await say(api, boris, "p-500")
    assert "«Ромашка» уже работает с нами" in name_question.text
    phone_question = await tap(api, boris, name_question, "Борис")
    await api.send_contact(boris, phone_number="+79990000001")
    assert "попросил коллег" in (await api.next_message(boris.id)).text

    for command in ("/apply", "/events", "/report", "/partners_stats", "/announcements"):
        refused = await say(api, boris, command)  # he did /start: he waits, he is not told to
        assert "ещё не подтверждено" in refused.text and "/start" not in refused.text, command
    assert phone_question

    card = await api.next_message(anna.id)
    assert "Борис" in card.text and "P-500" in card.text
    await api.press(anna, card, "✅ Подтвердить")
    welcome = await api.next_message(boris.id)
    assert "подтверждено" in welcome.text
    await api.wait_until(lambda: "Подтвердил(а) Анна" in card.text)
    assert card.buttons == [] or card.reply_markup is None
    with sqlite3.connect(bot_env["PARTNERDESK_DATABASE"]) as db:
        states = dict(db.execute("SELECT telegram_id, state FROM members").fetchall())
    assert states == {403: "active", 404: "active"}
    assert "Семинар" in (await say(api, boris, "/apply")).button_texts()


async def test_a_manager_declines_and_a_colleague_pressing_later_is_told_it_is_decided(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    head = api.user(HEAD, first_name="Pavel", language_code="en")
    await say(api, head, "/start")  # a manager starts the bot once; only then can it write
    anna = api.user(405, first_name="Anna", language_code="en")
    await join_new_partner(api, anna, code="P-600", company="Acme", status="Gold")
    mallory = api.user(406, first_name="Mallory", language_code="en")
    await api.send_text(mallory, "/start")
    await api.next_message(mallory.id)
    name_question = await say(api, mallory, "P-600")
    await tap(api, mallory, name_question, "Mallory")
    await api.send_contact(mallory, phone_number="+79990000002")
    await api.next_message(mallory.id)
    card_for_anna = await api.next_message(anna.id)
    card_for_head = await api.next_message(HEAD)  # no partner-department role: the head stands in
    assert "Mallory" in card_for_head.text
    assert card_for_anna.buttons  # still undecided

    answer = await api.press(head, card_for_head, "❌ Decline")
    assert answer.text is None or answer.text == ""
    declined = await api.next_message(mallory.id)
    assert "declined" in declined.text
    late = await api.press(anna, card_for_anna, "✅ Confirm")
    assert late.text == "Already decided — thank you!"
