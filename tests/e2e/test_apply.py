"""/apply: every kind, wrong answers on the way, an edit from the summary, Back, /cancel."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime, timedelta

import pytest

from bot.app import AnyApplication
from bot.config import Settings
from bot.localapi import LocalBotApi
from bot.localapi.models import BotMessage, TgUser
from tests.e2e.steps import join_new_partner, say, tap

# The bot runs on the real clock in these tests, in the program's timezone (not the machine's:
# from 21:00 UTC it is already tomorrow in Moscow).
TODAY = datetime.now(Settings.model_fields["timezone"].default).date()


def ahead(days: int) -> str:
    return (TODAY + timedelta(days=days)).strftime("%d.%m.%Y")


async def start_applying(api: LocalBotApi, user: TgUser, kind: str) -> BotMessage:
    kinds = await say(api, user, "/apply")
    return await tap(api, user, kinds, kind)


async def toggle_and_finish(api: LocalBotApi, user: TgUser, question: BotMessage,
                            *options: str) -> BotMessage:
    for option in options:
        await api.press(user, question, f"⬜ {option}")
        await api.wait_until(lambda o=option: f"✅ {o}" in question.button_texts())
    return await tap(api, user, question, "Готово ✔")


async def test_a_seminar_from_the_first_tap_to_sent_with_mistakes_on_the_way(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    anna = api.user(501, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna)
    q = await start_applying(api, anna, "Семинар")
    assert q.text.startswith("Вид: Семинар ✓\n\nШаг 2 из 12")  # the choice stays in view

    q = await say(api, anna, "31.02")
    assert "Такой даты нет в календаре" in q.text and "Дата" in q.html
    q = await say(api, anna, (TODAY - timedelta(days=3)).strftime("%d.%m.%Y"))
    assert "уже прошла" in q.text
    q = await say(api, anna, ahead(40))
    assert q.text.startswith("Шаг 3 из 12")
    await say(api, anna, "Казань, ул. Баумана 1")
    q = await say(api, anna, "Федеральный семинар по Битрикс24")
    assert "«Федеральный семинар»" in q.text and "спецпрограммы" in q.text  # warned at once
    q = await tap(api, anna, q, "← Назад")
    assert "Название" in q.html
    q = await say(api, anna, "Битрикс24 для бизнеса")  # names the topic: not asked
    q = await tap(api, anna, q, "Потенциальные клиенты")
    q = await say(api, anna, "Битрикс24 для отдела продаж\nКейс клиента — 20")
    assert "Строка 1" in q.text and "через тире" in q.text
    q = await say(api, anna, "Битрикс24 для отдела продаж — 40\nКейс клиента — 20")
    q = await tap(api, anna, q, "Нет")
    q = await say(api, anna, "двадцать")
    assert "Нужно число" in q.text
    q = await tap(api, anna, q, "30")
    q = await toggle_and_finish(api, anna, q, "Рассылка по базе", "Соцсети")
    q = await say(api, anna, "Аренда зала — 15 000\nКофе-брейк — 8 тыс.\nРеклама в Директ — 5000")
    assert "Не компенсируются" in q.text and "Реклама в Директ" in q.text
    summary = await tap(api, anna, q, "Анонс и материалы")
    assert "Какие материалы" in summary.text
    summary = await say(api, anna, "листовки — 100")

    assert "Проверьте заявку" in summary.text
    assert "При 30 слушателях" in summary.text
    assert "Баллы: 40" in summary.text
    assert "Компенсация: 11\u00a0500\u00a0₽" in summary.text  # 50% of the 23 000 compensable
    assert "⚠️ не компенсируется" in summary.text
    assert "Программа: Битрикс24" in summary.text

    q = await tap(api, anna, summary, "✏️ Слушателей (план)")
    assert "Сейчас: 30" in q.text
    summary = await say(api, anna, "55")
    assert "При 55 слушателях" in summary.text and "Баллы: 70" in summary.text

    sent = await tap(api, anna, summary, "✅ Отправить")
    # Nobody who decides has started the bot in this test: the partner is told the truth.
    assert "Заявка №1 принята" in sent.text and "ждёт в очереди" in sent.text
    assert summary.buttons == [] or summary.reply_markup is None

    with sqlite3.connect(bot_env["PARTNERDESK_DATABASE"]) as db:
        row = db.execute("SELECT kind, title, status, answers, assessment FROM applications"
                         ).fetchone()
        drafts = db.execute("SELECT COUNT(*) FROM drafts").fetchone()[0]
    kind, title, status, answers, assessment = row
    assert (kind, title, status) == ("seminar", "Битрикс24 для бизнеса", "pending")
    assert json.loads(answers)["planned_listeners"] == 55
    assert json.loads(assessment)["points"] == {"min": 70, "max": 70}
    assert drafts == 0

    events = await say(api, anna, "/events")
    assert "№1" in events.text and "ждёт решения" in events.text


KIND_SCRIPTS: dict[str, list[tuple[str, str]]] = {
    # ("type", text) or ("tap", button text)
    "Вебинар": [("type", ahead(30)), ("type", "Битрикс24 за час"),
                ("tap", "Потенциальные клиенты"), ("type", "Битрикс24: CRM — 45"),
                ("tap", "Нет"), ("tap", "50"), ("type", "рассылка, сайт"), ("tap", "Только анонс")],
    "Бизнес-завтрак": [("type", ahead(30)), ("type", "Москва, кафе «Пушкин»"),
                       ("type", "Завтрак с Битрикс24"),
                       ("tap", "Потенциальные клиенты"), ("type", "Битрикс24 в рознице — 30"),
                       ("tap", "Нет"), ("tap", "20"), ("type", "обзвон"), ("tap", "Не нужна")],
    "Доклад на конференции": [("type", "Digital Kazan"), ("type", ahead(20)),
                              ("type", "Казань, Экспо"), ("type", "digitalkazan.ru/program"),
                              ("type", "Как мы внедряли сайт для клиники"),
                              ("tap", "Управление сайтом / интернет-магазины"),
                              ("type", "Конференция о цифровизации бизнеса, 500 человек"),
                              ("tap", "300"), ("tap", "Компенсация не нужна")],
    "Выставка": [("type", "Softool"), ("type", ahead(60)), ("type", "Москва, ВДНХ"),
                 ("type", "https://softool.ru"), ("type", "ИТ-выставка, покажем Битрикс24"),
                 ("tap", "1000"), ("type", "3x2 м, символика вендора, демо на стенде"),
                 ("type", "60 000"), ("tap", "Пропустить"), ("tap", "0"), ("tap", "Нет")],
    "Статья": [("type", ahead(15)), ("type", "Коммерсантъ"), ("type", "kommersant.ru"),
               ("type", "Как CRM меняет продажи"), ("tap", "Битрикс24"), ("tap", "5000"),
               ("type", "20 тыс."), ("tap", "Да")],
    "Печать промо-материалов": [("type", ahead(25)), ("type", "Листовки Битрикс24"),
                                ("type", "Семинар 20 декабря в Казани"),
                                ("type", "листовки — 500"), ("type", "12 500")],
    "Другое": [("type", ahead(10)), ("type", "Вебинар-марафон"),
               ("type", "Серия из трёх встреч для клиентов"), ("tap", "Компенсация не нужна")],
}


@pytest.mark.parametrize("kind", sorted(KIND_SCRIPTS))
async def test_every_kind_asks_its_own_questions_and_is_sent(
    api: LocalBotApi, bot: AnyApplication, kind: str
) -> None:
    user = api.user(600 + sorted(KIND_SCRIPTS).index(kind), first_name="Олег",
                    language_code="ru")
    await join_new_partner(api, user, code=f"P-{user.id}")
    q = await start_applying(api, user, kind)
    corrected = False
    for action, value in KIND_SCRIPTS[kind]:
        assert "⚠️" not in q.text, q.text
        if re.fullmatch(r"\d\d\.\d\d\.\d{4}", value):
            # Wrong answers on the way: a short reason, then the same question again.
            question = q.text.split("\n", 1)[1]
            for wrong, reason in (("31.02", "Такой даты нет"), ("через месяц", "Не понял дату")):
                q = await say(api, user, wrong)
                assert reason in q.text and question in q.text
            corrected = True
        q = await say(api, user, value) if action == "type" else await tap(api, user, q, value)
    assert corrected
    assert "Проверьте заявку" in q.text, q.text
    sent = await tap(api, user, q, "✅ Отправить")
    assert "ждёт в очереди" in sent.text  # no manager has started the bot here


async def test_a_special_program_asks_which_one_first(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    user = api.user(650, first_name="Олег", language_code="ru")
    await join_new_partner(api, user, code="P-650")
    q = await start_applying(api, user, "Спецпрограммы")
    q = await tap(api, user, q, "Цикл «Формула сайта»")
    for value in (ahead(45), "Москва, офис вендора", "Формула сайта: весна"):
        q = await say(api, user, value)
    q = await say(api, user, "1С-Битрикс: Управление сайтом — 60")
    q = await tap(api, user, q, "50")
    q = await tap(api, user, q, "Компенсация не нужна")
    summary = await tap(api, user, q, "Не нужна")
    assert "Спецпрограмма: Цикл «Формула сайта»" in summary.text
    assert "Баллы: 100–120" in summary.text


async def test_a_late_application_explains_which_support_is_gone(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    user = api.user(660, first_name="Олег", language_code="ru")
    await join_new_partner(api, user, code="P-660")
    await start_applying(api, user, "Семинар")
    note = await say(api, user, ahead(10))
    assert "нужно не меньше 14" in note.text and "Можно продолжить без них" in note.text
    for value in ("Казань", "Битрикс24 для всех"):
        q = await say(api, user, value)
    q = await tap(api, user, q, "Потенциальные клиенты")
    q = await say(api, user, "Битрикс24 — 30")
    q = await tap(api, user, q, "Нет")
    q = await tap(api, user, q, "20")
    q = await say(api, user, "сайт")
    summary = await tap(api, user, q, "Компенсация не нужна")
    # Only «none» is still possible: not asked; the summary says why.
    assert "Проверьте заявку" in summary.text and "Не нужна" not in summary.button_texts()
    assert "Поддержка: не успеть" in summary.text


async def test_cancel_drops_the_form_and_apply_starts_afresh(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    user = api.user(670, first_name="Ivan", language_code="en")
    await join_new_partner(api, user, code="P-670", company="Acme", status="Gold")
    await start_applying(api, user, "Webinar")
    await say(api, user, ahead(30))
    cancelled = await say(api, user, "/cancel")
    assert cancelled.text.startswith("Cancelled")
    with sqlite3.connect(bot_env["PARTNERDESK_DATABASE"]) as db:
        assert db.execute("SELECT COUNT(*) FROM drafts").fetchone()[0] == 0
    assert "Seminar" in (await say(api, user, "/apply")).button_texts()


async def test_the_cancel_button_works_at_any_step(api: LocalBotApi, bot: AnyApplication) -> None:
    user = api.user(671, first_name="Ivan", language_code="en")
    await join_new_partner(api, user, code="P-671", company="Acme", status="Gold")
    q = await start_applying(api, user, "Seminar")
    q = await say(api, user, ahead(30))
    cancelled = await tap(api, user, q, "✖ Cancel")
    assert cancelled.text.startswith("Cancelled")
    assert (await say(api, user, "hello")).text.startswith("I'm not asking anything")


async def test_a_manager_is_not_asked_to_apply(api: LocalBotApi, bot: AnyApplication) -> None:
    from tests.conftest import SPECIALIST

    manager = api.user(SPECIALIST, first_name="Maria", language_code="en")
    assert "Partners apply" in (await say(api, manager, "/apply")).text


async def test_someone_who_has_not_joined_is_sent_to_start(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    user = api.user(672, first_name="Ivan", language_code="en")
    assert "press /start" in (await say(api, user, "/apply")).text


async def test_a_restart_in_the_middle_loses_nothing_typed(
    api: LocalBotApi, bot_env: dict[str, str]
) -> None:
    from bot.app import build_application, polling
    from bot.config import load_settings

    user = api.user(680, first_name="Анна", language_code="ru")
    async with polling(build_application(load_settings()), poll_timeout=1):
        await join_new_partner(api, user, code="P-680")
        q = await start_applying(api, user, "Вебинар")
        await say(api, user, ahead(30))
        title_question = await say(api, user, "Битрикс24 за час")  # the topic from the title
        assert "Для кого" in title_question.html

    async with polling(build_application(load_settings()), poll_timeout=1):
        offer = await say(api, user, "/apply")
        assert "незаконченная заявка: Вебинар, шаг 4 из 9" in offer.text
        q = await tap(api, user, offer, "Продолжить")
        assert "Для кого" in q.html and q.text.startswith("Шаг 4 из 9")
        assert title_question.buttons == [] or title_question.reply_markup is None
        for action, value in KIND_SCRIPTS["Вебинар"][2:]:
            q = await say(api, user, value) if action == "type" else await tap(api, user, q, value)
        assert "Название: Битрикс24 за час" in q.text
        assert "ждёт в очереди" in (await tap(api, user, q, "✅ Отправить")).text


async def test_a_draft_can_be_discarded_instead_of_continued(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    user = api.user(681, first_name="Ivan", language_code="en")
    await join_new_partner(api, user, code="P-681", company="Acme", status="Gold")
    await start_applying(api, user, "Webinar")
    offer = await say(api, user, "/apply")
    assert "unfinished application" in offer.text
    gone = await tap(api, user, offer, "🗑 Delete the draft")
    assert gone.text.startswith("Cancelled")
    assert "Seminar" in (await say(api, user, "/apply")).button_texts()


async def test_each_answer_moves_the_form_with_one_message_sent_or_edited(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    user = api.user(690, first_name="Олег", language_code="ru")
    await join_new_partner(api, user, code="P-690")
    q = await start_applying(api, user, "Вебинар")

    def moves() -> int:
        return sum(1 for r in api.requests if str(r.params.get("chat_id")) == str(user.id)
                   and r.method in ("sendMessage", "editMessageText", "editMessageReplyMarkup"))

    before = moves()
    script = KIND_SCRIPTS["Вебинар"]
    for action, value in script:
        q = await say(api, user, value) if action == "type" else await tap(api, user, q, value)
        assert "⚠️" not in q.text, q.text
        if value == "Битрикс24":  # a tapped answer stays in view on the next question
            assert q.text.startswith("Тема: Битрикс24 ✓"), q.text
    assert "✅ Отправить" in q.button_texts()
    # One call a step, the summary too (the last question, tapped, became the summary).
    assert moves() - before == len(script)
