"""Remember and offer (issue 20): the date and place in one answer, the topic read from the
title, «As last time?» with the company's previous answers, 🔁 Repeat from /events, and a step
counter that does not jump."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from bot.app import AnyApplication
from bot.localapi import LocalBotApi
from bot.localapi.models import BotMessage, TgUser
from tests.e2e.steps import join_new_partner, say, tap
from tests.e2e.test_apply import ahead

LANGUAGES = ("ru", "en")
T: dict[str, dict[str, str]] = {
    "ru": {
        "seminar": "Семинар", "place": "Казань, ул. Баумана 58", "title": "Битрикс24 для бизнеса",
        "audience": "Потенциальные клиенты", "agenda": "Битрикс24 для отдела продаж — 40",
        "no": "Нет", "channels": "рассылка", "costs": "Аренда зала — 15000\nКофе-брейк — 8000",
        "none": "Не нужна", "send": "✅ Отправить", "summary": "Проверьте заявку",
        "step": "Шаг", "of": "из", "title_q": "<b>Название</b>", "place_q": "Город и площадка",
        "audience_q": "Для кого", "topic_line": "Тема: Битрикс24", "edit_topic": "✏️ Тема",
        "mixed": "Смешанная", "program": "Управление сайтом", "same_q": "Как в прошлый раз?",
        "same": "✓ Всё как в прошлый раз", "anew": "Ответить заново",
        "as_before": "Как в прошлый раз: ", "place_line": "Место: ", "date_line": "Дата: ",
        "listeners_line": "Слушателей (план): 30", "rent": "Аренда зала", "sent": "№2",
        "repeat": "🔁 Повторить", "not_yours": "Это не ваша заявка.", "both": "Анонс и материалы",
        "items": "листовки — 100", "support_q": "поддержка", "confirm": "✅ Подтвердить",
        "resume": "Продолжить",
    },
    "en": {
        "seminar": "Seminar", "place": "Kazan, 58 Bauman St", "title": "Bitrix24 for business",
        "audience": "Prospective clients", "agenda": "Bitrix24 for sales teams — 40",
        "no": "No", "channels": "mailing", "costs": "Hall rent — 15000\nCoffee break — 8000",
        "none": "Not needed", "send": "✅ Send", "summary": "Check the application",
        "step": "Step", "of": "of", "title_q": "<b>title</b>", "place_q": "City and venue",
        "audience_q": "Who is the event for", "topic_line": "Topic: Bitrix24",
        "edit_topic": "✏️ Topic", "mixed": "Mixed", "program": "Site Management",
        "same_q": "As last time?", "same": "✓ All as last time", "anew": "Answer anew",
        "as_before": "As last time: ", "place_line": "Place: ", "date_line": "Date: ",
        "listeners_line": "Listeners (planned): 30", "rent": "Hall rent", "sent": "#2",
        "repeat": "🔁 Repeat", "not_yours": "This is not your application.",
        "both": "Announcement and materials", "items": "leaflets — 100", "support_q": "support",
        "confirm": "✅ Confirm", "resume": "Continue",
    },
}
STEP = re.compile(r"(?:Шаг|Step) (\d+) (?:из|of) (\d+)")


async def partner(api: LocalBotApi, user_id: int, language: str, company: str) -> TgUser:
    user = api.user(user_id, first_name="Анна" if language == "ru" else "Ann",
                    language_code=language)
    await join_new_partner(api, user, code=f"P-{user_id}", company=company,
                           status="Золотой" if language == "ru" else "Gold")
    return user


async def colleague(api: LocalBotApi, first: TgUser, user_id: int, language: str) -> TgUser:
    """A second employee of `first`'s company, confirmed by `first`."""
    user = api.user(user_id, first_name="Борис" if language == "ru" else "Boris",
                    language_code=language)
    await api.send_text(user, "/start")
    await api.next_message(user.id)
    name = await say(api, user, f"P-{first.id}")
    await tap(api, user, name, user.first_name)
    await api.send_contact(user, phone_number=f"+7999{user_id:07d}")
    await api.next_message(user.id)
    await api.press(first, await api.next_message(first.id), T[language]["confirm"])
    await api.next_message(user.id)
    return user


async def first_seminar(api: LocalBotApi, user: TgUser, language: str,
                        support: tuple[str, ...] = ()) -> tuple[list[str], BotMessage]:
    """A first seminar, the date and place in one answer; returns the text of every question
    as it was asked (a pressed question is edited into the next), the kinds' first, and the
    summary."""
    t = T[language]
    q = await say(api, user, "/apply")
    asked = [q.html]
    q = await tap(api, user, q, t["seminar"])
    asked.append(q.html)
    for action, value in [("type", f"{ahead(40)}, {t['place']}"), ("type", t["title"]),
                          ("tap", t["audience"]), ("type", t["agenda"]), ("tap", t["no"]),
                          ("tap", "30"), ("type", t["channels"]), ("type", t["costs"]),
                          *[("tap", s) if n == 0 else ("type", s)
                            for n, s in enumerate(support or (t["none"],))]]:
        q = await say(api, user, value) if action == "type" else await tap(api, user, q, value)
        asked.append(q.html)
    return asked, q


async def sent_seminar(api: LocalBotApi, user: TgUser, language: str,
                       support: tuple[str, ...] = ()) -> None:
    summary = (await first_seminar(api, user, language, support))[1]
    await tap(api, user, summary, T[language]["send"])


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_first_seminar_takes_date_and_place_at_once_and_counts_steps_without_jumps(
    api: LocalBotApi, bot: AnyApplication, language: str
) -> None:
    t = T[language]
    anna = await partner(api, 2001 + LANGUAGES.index(language), language, "Ромашка")
    asked, summary = await first_seminar(api, anna, language)
    kinds, date_question, title_question = asked[0], asked[1], asked[2]

    assert not STEP.search(kinds)  # how many questions there are depends on the kind
    assert t["title_q"] in title_question  # the place came with the date
    counters = [(int(n), int(m)) for n, m in (STEP.search(q).groups()  # type: ignore[union-attr]
                                              for q in asked[1:-1])]
    assert counters[0] == (2, 12)
    assert [n for n, _ in counters] == list(range(2, 2 + len(counters)))
    assert all(later <= earlier for (_, earlier), (_, later) in pairwise(counters))
    assert counters[-1][0] == counters[-1][1]  # the last question says it is the last
    assert "14.01.2027" in date_question  # the example shows both in one answer

    assert t["summary"] in summary.text
    assert f"{t['place_line']}{t['place']}" in summary.text
    assert f"{t['date_line']}{ahead(40)}" in summary.text


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_topic_named_in_the_title_is_not_asked_and_can_be_changed_in_the_summary(
    api: LocalBotApi, bot: AnyApplication, language: str
) -> None:
    t = T[language]
    anna = await partner(api, 2011 + LANGUAGES.index(language), language, "Ромашка")
    asked, summary = await first_seminar(api, anna, language)
    assert t["audience_q"] in asked[3]  # right after the title
    assert t["topic_line"] in summary.text

    q = await tap(api, anna, summary, t["edit_topic"])
    q = await tap(api, anna, q, t["mixed"])
    summary = await tap(api, anna, q, t["program"])
    assert t["summary"] in summary.text and t["topic_line"] not in summary.text
    assert f"{t['mixed']}" in summary.text


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_colleague_is_offered_the_companys_previous_answers_and_another_company_is_not(
    api: LocalBotApi, bot: AnyApplication, language: str
) -> None:
    t = T[language]
    base = 2021 + 10 * LANGUAGES.index(language)
    anna = await partner(api, base, language, "Ромашка")
    await sent_seminar(api, anna, language)
    boris = await colleague(api, anna, base + 1, language)

    q = await tap(api, boris, await say(api, boris, "/apply"), t["seminar"])
    offer = await say(api, boris, ahead(45))
    assert t["same_q"] in offer.text
    assert t["place"] in offer.text and t["listeners_line"] in offer.text
    assert t["rent"] in offer.text and t["audience"] in offer.text
    assert offer.button_texts()[:2] == [t["same"], t["anew"]]
    q = await tap(api, boris, offer, t["same"])
    assert t["title_q"] in q.html
    q = await say(api, boris, t["title"])
    q = await say(api, boris, t["agenda"])
    summary = await tap(api, boris, q, t["no"])
    assert t["summary"] in summary.text
    assert f"{t['place_line']}{t['place']}" in summary.text and t["rent"] in summary.text
    assert t["listeners_line"] in summary.text
    assert t["sent"] in (await tap(api, boris, summary, t["send"])).text

    vera = await partner(api, base + 2, language, "Лютик")
    await tap(api, vera, await say(api, vera, "/apply"), t["seminar"])
    q = await say(api, vera, ahead(45))
    assert t["place_q"] in q.text and t["same_q"] not in q.text
    assert not any(t["as_before"] in b for b in q.button_texts())


@pytest.mark.parametrize("language", LANGUAGES)
async def test_answering_anew_offers_each_previous_answer_as_a_button(
    api: LocalBotApi, bot: AnyApplication, language: str
) -> None:
    t = T[language]
    anna = await partner(api, 2041 + LANGUAGES.index(language), language, "Ромашка")
    await sent_seminar(api, anna, language)

    await tap(api, anna, await say(api, anna, "/apply"), t["seminar"])
    offer = await say(api, anna, ahead(45))
    place = await tap(api, anna, offer, t["anew"])
    assert t["place_q"] in place.text
    assert place.button_texts()[0] == f"{t['as_before']}{t['place']}"
    q = await tap(api, anna, place, place.button_texts()[0])
    assert t["title_q"] in q.html
    audience = await say(api, anna, t["title"])
    assert audience.button_texts()[0] == f"{t['as_before']}{t['audience']}"
    q = await tap(api, anna, audience, audience.button_texts()[0])
    q = await say(api, anna, t["agenda"])
    listeners = await tap(api, anna, q, t["no"])
    assert listeners.button_texts()[0] == f"{t['as_before']}30"


@pytest.mark.parametrize("language", LANGUAGES)
async def test_repeat_from_events_asks_only_the_date_then_shows_the_summary(
    api: LocalBotApi, bot: AnyApplication, language: str
) -> None:
    t = T[language]
    anna = await partner(api, 2051 + LANGUAGES.index(language), language, "Ромашка")
    await sent_seminar(api, anna, language)

    events = await say(api, anna, "/events")
    details = await tap(api, anna, events, events.button_texts()[0])
    date_question = await tap(api, anna, details, t["repeat"])
    assert STEP.search(date_question.text).groups() == ("1", "1")  # type: ignore[union-attr]
    summary = await say(api, anna, ahead(50))
    assert t["summary"] in summary.text
    assert f"{t['date_line']}{ahead(50)}" in summary.text
    assert f"{t['place_line']}{t['place']}" in summary.text and t["title"] in summary.text
    assert t["rent"] in summary.text
    assert t["sent"] in (await tap(api, anna, summary, t["send"])).text


@pytest.mark.parametrize("language", LANGUAGES)
async def test_repeat_asks_the_support_anew_when_the_lead_time_no_longer_allows_it(
    api: LocalBotApi, bot: AnyApplication, language: str
) -> None:
    t = T[language]
    anna = await partner(api, 2061 + LANGUAGES.index(language), language, "Ромашка")
    await sent_seminar(api, anna, language, support=(t["both"], t["items"]))

    events = await say(api, anna, "/events")
    details = await tap(api, anna, events, events.button_texts()[0])
    await tap(api, anna, details, t["repeat"])
    support = await say(api, anna, ahead(10))  # too late for the announcement and materials
    assert t["support_q"] in support.text.lower()
    assert t["both"] not in support.button_texts() and t["none"] in support.button_texts()
    summary = await tap(api, anna, support, t["none"])
    assert t["summary"] in summary.text and t["items"] not in summary.text


@pytest.mark.parametrize("language", LANGUAGES)
async def test_another_companys_partner_cannot_repeat_its_event(
    api: LocalBotApi, bot: AnyApplication, language: str
) -> None:
    t = T[language]
    anna = await partner(api, 2071 + 10 * LANGUAGES.index(language), language, "Ромашка")
    await sent_seminar(api, anna, language)
    vera = await partner(api, 2072 + 10 * LANGUAGES.index(language), language, "Лютик")

    own = await say(api, vera, "/events")
    refused = await api.press_data(vera, own, "ev:repeat:1")  # a forged press
    assert refused.text == t["not_yours"]
    kinds = await say(api, vera, "/apply")  # no draft was made from Anna's event
    assert t["seminar"] in kinds.button_texts()


@pytest.mark.parametrize("language", LANGUAGES)
async def test_repeat_keeps_an_unfinished_application_and_says_what_to_do_with_it(
    api: LocalBotApi, bot: AnyApplication, language: str
) -> None:
    t = T[language]
    anna = await partner(api, 2091 + LANGUAGES.index(language), language, "Ромашка")
    await sent_seminar(api, anna, language)
    await tap(api, anna, await say(api, anna, "/apply"), t["seminar"])  # a new one, unfinished

    events = await say(api, anna, "/events")
    details = await tap(api, anna, events, events.button_texts()[0])
    told = await tap(api, anna, details, t["repeat"])
    assert "/apply" in told.text
    offer = await say(api, anna, "/apply")
    assert t["resume"] in offer.button_texts()  # the unfinished one is still there
