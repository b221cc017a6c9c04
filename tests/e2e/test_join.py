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
    assert "Вы — сотрудник компании Ромашка" in done.text
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

    for command in ("/apply", "/events", "/report", "/partners_stats", "/announcements",
                    "/balance"):
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


async def test_a_manager_declines_and_the_colleague_copy_closes_saying_who_decided(
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
    # Anna's copy of the card closes: who decided, no buttons left to press.
    await api.wait_until(lambda: "❌ Declined by Pavel" in card_for_anna.text)
    assert card_for_anna.buttons == [] or card_for_anna.reply_markup is None
    await api.wait_until(lambda: "❌ Declined by Pavel" in card_for_head.text)


async def test_the_head_copy_closes_when_a_colleague_confirms(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    """ru: a joining card sent to a colleague and to the head; the colleague decides, the head's
    copy says who and loses its buttons. The company's own quotes are not quoted again."""
    head = api.user(HEAD, first_name="Павел", language_code="ru")
    await say(api, head, "/start")
    anna = api.user(407, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-700", company="ООО «Веб-Студия Ромашка»")
    boris = api.user(408, first_name="Борис", language_code="ru")
    await api.send_text(boris, "/start")
    await api.next_message(boris.id)
    name_question = await say(api, boris, "P-700")
    assert "ООО «Веб-Студия Ромашка» уже работает с нами" in name_question.text
    assert "««" not in name_question.text and "»»" not in name_question.text
    await tap(api, boris, name_question, "Борис")
    await api.send_contact(boris, phone_number="+79990000003")
    await api.next_message(boris.id)
    card_for_anna = await api.next_message(anna.id)
    card_for_head = await api.next_message(HEAD)
    assert card_for_head.button_texts() == ["✅ Подтвердить", "❌ Отклонить"]

    await api.press(anna, card_for_anna, "✅ Подтвердить")
    await api.wait_until(lambda: "✅ Подтвердил(а) Анна" in card_for_head.text)
    assert card_for_head.buttons == [] or card_for_head.reply_markup is None
    assert "Борис" in card_for_head.text  # still the card: whom it was about
    await api.wait_until(lambda: "✅ Подтвердил(а) Анна" in card_for_anna.text)
    assert "подтверждено" in (await api.next_message(boris.id)).text


async def test_the_head_copy_closes_when_a_colleague_confirms_in_english(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    head = api.user(HEAD, first_name="Pavel", language_code="en")
    await say(api, head, "/start")
    anna = api.user(409, first_name="Anna", language_code="en")
    await join_new_partner(api, anna, code="P-701", company='Acme "Web"', status="Gold")
    mallory = api.user(410, first_name="Mallory", language_code="en")
    await api.send_text(mallory, "/start")
    await api.next_message(mallory.id)
    name_question = await say(api, mallory, "P-701")
    assert 'Acme "Web" already works with us' in name_question.text
    await tap(api, mallory, name_question, "Mallory")
    await api.send_contact(mallory, phone_number="+79990000004")
    await api.next_message(mallory.id)
    card_for_anna = await api.next_message(anna.id)
    card_for_head = await api.next_message(HEAD)
    await api.press(anna, card_for_anna, "✅ Confirm")
    await api.wait_until(lambda: "✅ Confirmed by Anna" in card_for_head.text)
    assert card_for_head.buttons == [] or card_for_head.reply_markup is None
