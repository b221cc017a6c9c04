"""Issue 20's texts as a partner and a manager read them: a summary says only what was asked,
a question too late to matter is not asked, an article is not an event."""

from __future__ import annotations

import pytest

from bot.app import AnyApplication
from bot.localapi import LocalBotApi
from bot.localapi.models import BotMessage, TgUser
from tests.conftest import PR
from tests.e2e.steps import join_new_partner, say, tap
from tests.e2e.test_apply import ahead, start_applying
from tests.e2e.test_decide import manager

WORDS = {
    "ru": {"seminar": "Семинар", "article": "Статья", "bitrix24": "Битрикс24",
           "prospects": "Потенциальные клиенты", "no": "Нет", "yes": "Да",
           "mailing": "Рассылка по базе", "no_costs": "Компенсация не нужна",
           "none": "Не нужна", "status": "Золотой", "send": "✅ Отправить",
           "approve": "✅ Одобрить", "done": "Готово ✔"},
    "en": {"seminar": "Seminar", "article": "Article", "bitrix24": "Bitrix24",
           "prospects": "Prospective clients", "no": "No", "yes": "Yes",
           "mailing": "Mailing to our base", "no_costs": "No compensation needed",
           "none": "Not needed", "status": "Gold", "send": "✅ Send", "approve": "✅ Approve",
           "done": "Done ✔"},
}


async def partner(api: LocalBotApi, user_id: int, language: str) -> TgUser:
    person = api.user(user_id, first_name="Анна" if language == "ru" else "Anna",
                      language_code=language)
    await join_new_partner(api, person, code=f"P-{user_id}", status=WORDS[language]["status"])
    return person


async def seminar_up_to_support(api: LocalBotApi, user: TgUser, language: str,
                                days: int) -> BotMessage:
    """A seminar's questions up to the costs, answered; returns what comes after the costs."""
    w = WORDS[language]
    await start_applying(api, user, w["seminar"])
    for value in (ahead(days), "Казань, ул. Баумана 1", "Битрикс24 для бизнеса"):
        q = await say(api, user, value)
    q = await tap(api, user, q, w["prospects"])  # the topic is read from the title
    q = await say(api, user, "Битрикс24 для отдела продаж — 40\nКейс клиента — 20")
    q = await tap(api, user, q, w["no"])
    q = await tap(api, user, q, "30")
    await api.press(user, q, f"⬜ {w['mailing']}")
    await api.wait_until(lambda: f"✅ {w['mailing']}" in q.button_texts())
    q = await tap(api, user, q, w["done"])
    return await tap(api, user, q, w["no_costs"])


@pytest.mark.parametrize(("language", "talks", "conditions", "now"), [
    ("ru", "О продуктах вендора:</b> Битрикс24 для отдела продаж", "Особые условия", "Сейчас:"),
    ("en", "About vendor products:</b> Битрикс24 для отдела продаж", "Special conditions",
     "Now:"),
])
async def test_a_summary_says_what_was_asked_and_defaults_only_in_words(
    api: LocalBotApi, bot: AnyApplication, language: str, talks: str, conditions: str, now: str
) -> None:
    anna = await partner(api, 1501 if language == "ru" else 1502, language)
    q = await seminar_up_to_support(api, anna, language, days=40)
    summary = await tap(api, anna, q, WORDS[language]["none"])
    assert talks in summary.html  # the vendor talk found by itself, by its title
    assert "выбрано" not in summary.text and "picked" not in summary.text
    assert f"{conditions}:" not in summary.text  # never asked, nothing to say
    # It can still be set from the summary; an empty answer is not shown as «Сейчас: ».
    question = await tap(api, anna, summary, f"✏️ {conditions}")
    assert now not in question.text


@pytest.mark.parametrize(("language", "why"), [
    ("ru", "Поддержка:</b> не успеть: анонс и материалы готовят не меньше чем за 14 дней"),
    ("en", "Support:</b> too late: the announcement and materials take at least 14 days"),
])
async def test_a_late_seminar_is_not_asked_about_support_it_cannot_have(
    api: LocalBotApi, bot: AnyApplication, language: str, why: str
) -> None:
    anna = await partner(api, 1503 if language == "ru" else 1504, language)
    summary = await seminar_up_to_support(api, anna, language, days=10)
    assert WORDS[language]["none"] not in summary.button_texts()  # no one-choice question
    assert WORDS[language]["send"] in summary.button_texts()  # straight to the summary
    assert why in summary.html


async def test_a_later_date_asks_about_support_again(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    anna = await partner(api, 1505, "ru")
    summary = await seminar_up_to_support(api, anna, "ru", days=10)
    q = await tap(api, anna, summary, "✏️ Дата")
    q = await say(api, anna, ahead(40))
    assert "Анонс и материалы" in q.button_texts()  # asked now that there is time
    summary = await tap(api, anna, q, "Только анонс")
    assert "Поддержка:</b> Только анонс" in summary.html


ARTICLE = [("type", ahead(30)), ("type", "Коммерсантъ"), ("type", "kommersant.ru"),
           ("type", "Как CRM меняет продажи")]


@pytest.mark.parametrize(("language", "topic", "approved"), [
    ("ru", "Тема</b> статьи?", "Опубликуйте статью"),
    ("en", "The article's <b>topic</b>?", "Publish the article on"),
])
async def test_an_article_is_asked_and_approved_as_an_article(
    api: LocalBotApi, bot: AnyApplication, language: str, topic: str, approved: str
) -> None:
    w = WORDS[language]
    maria = await manager(api, PR, "Мария", language)  # articles are the PR role's
    anna = await partner(api, 1506 if language == "ru" else 1507, language)
    q = await start_applying(api, anna, w["article"])
    for _, value in ARTICLE:
        q = await say(api, anna, value)
    assert topic in q.html and "мероприятия" not in q.text and "event" not in q.text
    q = await tap(api, anna, q, w["bitrix24"])
    q = await tap(api, anna, q, "5000")
    q = await say(api, anna, "20000")
    summary = await tap(api, anna, q, w["yes"])
    await tap(api, anna, summary, w["send"])
    card = await api.next_message(maria.id)
    await api.press(maria, card, w["approve"])  # the rules leave the points (10–30) to her
    await api.wait_until(lambda: "20" in card.button_texts())
    await api.send_text(maria, "25")  # typed instead of a button: taken as the points
    told = await api.next_message(anna.id)
    assert "25" in told.text
    assert approved in told.text
    assert "Проведите мероприятие" not in told.text and "Hold the event" not in told.text
