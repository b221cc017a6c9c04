"""RULEBOOK §7 as partners and managers meet it: exhibition costs, competitors, program names."""

from __future__ import annotations

from datetime import timedelta

from bot.app import AnyApplication
from bot.localapi import LocalBotApi
from bot.localapi.models import BotMessage, TgUser
from bot.runtime import runtime_of
from tests.conftest import PR, SPECIALIST
from tests.e2e.steps import join_new_partner, say, tap
from tests.e2e.test_apply import KIND_SCRIPTS, TODAY, ahead, start_applying
from tests.e2e.test_decide import EXHIBITION, db_rows, manager, partner_fills, partner_sends
from tests.e2e.test_reminders import APPROVAL, moment, quiet, run_job, running
from tests.e2e.test_report import PDF
from tests.e2e.test_support import event_details, publish, seminar
from tests.localapi.conftest import make_png

EXHIBITION_WITH_FEE = [*EXHIBITION[:8], ("type", "10 000"), *EXHIBITION[9:]]


async def test_an_exhibition_asks_its_costs_once_and_half_of_rent_and_fee_is_credited(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(1701, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-1701")
    summary = await partner_fills(api, anna, "Выставка", EXHIBITION_WITH_FEE)
    assert "Проверьте заявку" in summary.text  # no seminar-style estimate after rent and fee
    assert "Смета" not in summary.text and "уточнит менеджер" not in summary.text
    assert "35\xa0000\xa0₽ (прогноз по согласованным расходам)" in summary.text, summary.text
    await tap(api, anna, summary, "✅ Отправить")
    card = await api.next_message(maria.id)
    assert "35\xa0000" in card.text and "Баллы: <b>50–70</b>" in card.html
    await api.press(maria, card, "✅ Одобрить")
    await api.wait_until(lambda: card.button_texts()[:3] == ["50", "60", "70"])
    await api.press(maria, card, "60")
    told = await api.next_message(anna.id)
    assert "баллы: 60" in told.text
    assert db_rows(bot_env, "SELECT points FROM decisions") == [(60,)]

    runtime_of(bot).clock.advance(timedelta(days=61))
    summary = await report_exhibition(api, anna)
    assert "Баллы: 60" in summary.text and "50" not in summary.text, summary.text
    assert "Компенсация: 35\xa0000\xa0₽ (по документам о фактических расходах)" in summary.text
    card = await report_card(api, maria, anna, summary)
    await api.press(maria, card, "✅ Принять")  # one tap: the figure was picked at approval
    told = await api.next_message(anna.id)
    assert "принят: 60 баллов, компенсация 35\xa0000\xa0₽" in told.text, told.text
    credited = db_rows(bot_env, "SELECT account, amount FROM ledger ORDER BY id")
    assert credited == [("points", 60), ("bonus", 3_500_000)]


async def test_the_figure_picked_at_approval_is_changed_at_acceptance_only_deliberately(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(1706, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-1706")
    await tap(api, anna, await partner_fills(api, anna, "Выставка", EXHIBITION_WITH_FEE),
              "✅ Отправить")
    card = await api.next_message(maria.id)
    await api.press(maria, card, "✅ Одобрить")
    await api.wait_until(lambda: "60" in card.button_texts())
    await api.press(maria, card, "60")
    await api.next_message(anna.id)
    runtime_of(bot).clock.advance(timedelta(days=61))
    card = await report_card(api, maria, anna, await report_exhibition(api, anna))
    await api.press(maria, card, "✏️ Принять с другими баллами")
    await api.wait_until(lambda: card.button_texts()[:3] == ["50", "60", "70"])
    answer = await api.press(maria, card, "70")
    assert answer.text == "Принято с другими баллами"
    assert "принят: 70 баллов" in (await api.next_message(anna.id)).text
    [(details,)] = db_rows(bot_env, "SELECT details FROM audit_log WHERE action ="
                                    " 'report.accepted'")
    assert '"points_picked_at_approval": 60' in str(details)
    assert '"points_changed": true' in str(details)


async def report_card(api: LocalBotApi, maria: TgUser, anna: TgUser,
                      summary: BotMessage) -> BotMessage:
    """The report sent; its card as the manager gets it, with the figure picked at approval."""
    await tap(api, anna, summary, "✅ Отправить отчёт")
    card = await api.next_message(maria.id, timeout=5)
    while "Отчёт по заявке" not in card.text:  # the photos and the receipt come first
        card = await api.next_message(maria.id, timeout=5)
    assert "Баллы: 60" in card.text and "50–70" not in card.text
    assert "✏️ Принять с другими баллами" in card.button_texts()
    return card


async def report_exhibition(api: LocalBotApi, anna: TgUser) -> BotMessage:
    """The partner's exhibition report, to its summary."""
    opening = await say(api, anna, "/report")
    assert "Отчёт по заявке №1" in opening.text  # with the first question: the attendance
    await say(api, anna, "1200")
    await say(api, anna, "https://softool.ru/exhibitors")
    await say(api, anna, "Много вопросов про Битрикс24, 40 контактов")
    await say(api, anna, "60 000")
    photos = await say(api, anna, "10 000")
    assert "Фото" in photos.html, photos.text
    await api.send_album(anna, [make_png(seed=i) for i in range(2)])
    # The album completes the photo checklist: the form goes on by itself.
    documents = await api.next_message(anna.id, timeout=5)
    assert "Бухгалтерские документы" in documents.text
    await api.send_document(anna, PDF, filename="receipt.pdf", mime_type="application/pdf")
    return await api.next_message(anna.id)  # the first scan completes the report


async def test_a_webinar_comparing_other_cmss_is_quoted_nothing_with_the_rule_cited(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(1702, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-1702")
    q = await start_applying(api, anna, "Вебинар")
    script = KIND_SCRIPTS["Вебинар"]
    rivals = script.index(("tap", "Нет"))
    for action, value in script[:rivals]:
        q = await say(api, anna, value) if action == "type" else await tap(api, anna, q, value)
    assert "другие CMS" in q.text and q.button_texts()[:2] == ["Да", "Нет"]
    q = await tap(api, anna, q, "Да")
    assert "баллы и компенсация не начисляются (§1)" in q.text
    for action, value in script[rivals + 1:]:
        q = await say(api, anna, value) if action == "type" else await tap(api, anna, q, value)
    assert "Другие CMS в программе: Да" in q.text
    assert "Баллы: 0" in q.text and "§1" in q.text, q.text
    await tap(api, anna, q, "✅ Отправить")
    card = await api.next_message(maria.id)
    assert "Баллы: 0" in card.text and "§1" in card.text and "конкур" in card.text, card.text


async def test_an_application_for_formula_is_not_warned_about_its_own_name(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    anna = api.user(1703, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-1703")
    q = await start_applying(api, anna, "Спецпрограммы")
    q = await tap(api, anna, q, "Цикл «Формула сайта»")
    for value in (ahead(45), "Москва, офис вендора"):
        q = await say(api, anna, value)
    q = await say(api, anna, "Формула сайта: весна")
    assert "⚠️" not in q.text and "спецпрограммы" not in q.text, q.text
    q = await say(api, anna, "1С-Битрикс: Управление сайтом — 60")
    q = await tap(api, anna, q, "50")
    q = await tap(api, anna, q, "Компенсация не нужна")
    summary = await tap(api, anna, q, "Не нужна")
    assert "Баллы: 100–120" in summary.text and "«Формула сайта»" in summary.text


def federal_month_seminar(title: str, talk: str) -> list[tuple[str, str]]:
    """A seminar in the nearest Federal Program month with time for info support (≥ 21 days)."""
    days = next(n for n in range(21, 400) if (TODAY + timedelta(days=n)).month in (6, 12))
    return [("type", ahead(days)), *seminar(days, title, talk)[1:]]


async def test_a_december_seminar_gets_the_info_support_its_manager_grants_or_pauses(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(1704, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-1704")

    await partner_sends(api, anna, "Семинар", federal_month_seminar("Битрикс24 для продаж", "CRM"))
    card = await api.next_message(maria.id)
    assert "могут приостановить" not in card.text
    assert card.button_texts()[:2] == ["✅ Одобрить", "✅ Одобрить, инфоподдержку приостановить"]
    await api.press(maria, card, "✅ Одобрить")
    told = await api.next_message(anna.id)
    assert "одобрена" in told.text and "приостанов" not in told.text
    published = await publish(api, maria, anna, 1)
    assert "Анонс опубликуют на сайте вендора" in published.text, published.text

    second = federal_month_seminar("Битрикс24 для склада", "Склад")
    await partner_sends(api, anna, "Семинар", second)
    card = await api.next_message(maria.id)
    answer = await api.press(maria, card, "✅ Одобрить, инфоподдержку приостановить")
    assert answer.text == "Одобрено, инфоподдержка приостановлена"
    told = await api.next_message(anna.id)
    assert "одобрена" in told.text and "Инфоподдержку менеджер приостановил" in told.text
    await api.wait_until(lambda: "инфоподдержка приостановлена" in card.text)
    details = await event_details(api, anna, 2)
    refused = await tap(api, anna, details, "📣 Анонс и баннер")
    assert "приостановил инфоподдержку" in refused.text, refused.text
    assert db_rows(bot_env, "SELECT application_id, info_support_paused FROM decisions") == [
        (1, 0), (2, 1)]


async def test_an_article_gets_the_report_reminders_counted_from_its_publication(
    api: LocalBotApi, bot_env: dict[str, str]
) -> None:
    article = [("type", "30.04.2026"), *KIND_SCRIPTS["Статья"][1:]]
    async with running(APPROVAL) as bot:
        pr = await manager(api, PR, "Пётр")
        anna = api.user(1705, first_name="Анна", language_code="ru")
        await join_new_partner(api, anna, code="P-1705")
        await partner_sends(api, anna, "Статья", article)
        card = await api.next_message(pr.id)
        await api.press(pr, card, "✅ Одобрить")
        await api.wait_until(lambda: "20" in card.button_texts())
        await api.press(pr, card, "20")
        told = await api.next_message(anna.id)
        assert "одобрена (баллы: 20" in told.text and "отчёт — до 18.05.2026" in told.text
        expected = [
            ("2026-05-04", "Статья <b>№1"),             # the working day after publication
            ("2026-05-13", "осталось 3 рабочих дня"),  # 14, 15 and 18 May left
            ("2026-05-15", "остался 1 рабочий день"),
            ("2026-05-19", "нужно было сдать до 18.05.2026"),
        ]
        for day, text in expected:
            await run_job(bot, moment(day, 9, 58))
            await quiet(api, anna)
            await run_job(bot, moment(day))
            got = await api.next_message(anna.id)
            assert text in got.html, (day, got.html)
            assert got.button_texts() == ["📝 Отчитаться"]
        opened = await api.press(anna, got, "📝 Отчитаться")
        assert opened is not None
        opening = await api.next_message(anna.id)  # with the first question: the link
        assert "Отчёт по заявке №1" in opening.text and "Ссылка" in opening.html


async def test_an_event_day_application_is_told_it_earns_nothing_and_still_reaches_a_manager(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(1707, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-1707")
    q = await start_applying(api, anna, "Вебинар")
    q = await say(api, anna, ahead(0))
    assert "Мероприятие уже сегодня" in q.text and "баллы и компенсация не начисляются" in q.text
    script = [(a, v) for a, v in KIND_SCRIPTS["Вебинар"][1:] if v != "Только анонс"]
    for action, value in script:
        q = await say(api, anna, value) if action == "type" else await tap(api, anna, q, value)
    # Too late for info support: «none» alone is left, so the summary comes without asking.
    assert "Поддержка: не успеть" in q.text and "Не нужна" not in q.button_texts()
    assert "Баллы: 0" in q.text and "§1: Активность не согласована с менеджером заранее" in q.text
    await tap(api, anna, q, "✅ Отправить")
    card = await api.next_message(maria.id)
    assert "Заявка №1" in card.text and "не согласована с менеджером заранее" in card.text


async def test_a_pause_with_figures_to_pick_is_carried_through_the_picks(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(1708, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-1708")
    script = federal_month_seminar("Сайт и CRM", "Сайт и CRM")
    topic = script.index(("tap", "Битрикс24"))
    script[topic:topic + 1] = [("tap", "Смешанная"), ("tap", "Битрикс24")]  # and its program
    await partner_sends(api, anna, "Семинар", script)
    card = await api.next_message(maria.id)
    await api.press(maria, card, "✅ Одобрить, инфоподдержку приостановить")
    await api.wait_until(lambda: "50" in card.button_texts())  # the points are the manager's
    await api.press(maria, card, "50")
    await api.wait_until(lambda: any(b.startswith("0") for b in card.button_texts()))
    await api.press(maria, card, next(b for b in card.button_texts() if b.startswith("0")))
    told = await api.next_message(anna.id)
    assert "баллы: 50" in told.text and "Инфоподдержку менеджер приостановил" in told.text
    assert db_rows(bot_env, "SELECT points, info_support_paused FROM decisions") == [(50, 1)]
