"""Info support and promo materials for an approved event: the templates, the page checklist,
the specialist's Publish, the limits said with the day they lift; promo too late to be sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.app import AnyApplication, build_application, polling
from bot.config import load_settings
from bot.localapi import LocalBotApi
from bot.localapi.models import BotMessage, TgUser
from bot.rules import load_rulebook
from bot.runtime import runtime_of
from tests.conftest import SPECIALIST
from tests.e2e.steps import join_new_partner, say, tap
from tests.e2e.test_apply import TODAY, toggle_and_finish
from tests.e2e.test_decide import db_rows, manager, partner_sends
from tests.localapi.conftest import make_png


def _quiet_start() -> int:
    """Days from today to a stretch of 70 days without a Federal Program month, when partners'
    announcements pause: the tests move the bot's clock there, whatever today is."""
    months = load_rulebook().federal_program.months
    return next(n for n in range(400) if all(
        (TODAY + timedelta(days=n + d)).month not in months for d in range(70)))


QUIET = _quiet_start()


def day(days: int) -> date:
    """`days` after the (moved) today of these tests."""
    return TODAY + timedelta(days=QUIET + days)


def ahead(days: int) -> str:
    return day(days).strftime("%d.%m.%Y")


async def quiet_clock(bot: AnyApplication) -> None:
    runtime_of(bot).clock.advance(timedelta(days=QUIET))


PAGE_ITEMS = ["дата", "место: адрес, площадка, схема проезда (или «онлайн»)",
              "описание мероприятия", "для кого (целевая аудитория)",
              "программа: доклады, спикеры, компании, тайминг", "форма регистрации",
              "контакты организатора"]
ANNOUNCEMENT = ("Приглашаем на семинар о Битрикс24: как навести порядок в продажах. "
                "Организатор — Ромашка, +7 843 000-00-00.")


def seminar(days: int, title: str, talk: str, support: str = "Только анонс") -> list[
        tuple[str, str]]:
    # A title naming Битрикс24 answers the topic question by itself.
    topic = [] if "Битрикс24" in title else [("tap", "Битрикс24")]
    script = [("type", ahead(days)), ("type", "Казань, ул. Баумана 1"), ("type", title),
              *topic, ("tap", "Потенциальные клиенты"),
              ("type", f"Битрикс24: {talk} — 40"), ("tap", "Нет"),
              ("tap", "30"), ("type", "рассылка"), ("type", "Аренда зала — 15000"),
              ("tap", support)]
    if support == "Анонс и материалы":
        script.append(("type", "листовки — 100"))
    return script


@pytest.fixture
async def templates_bot(
    api: LocalBotApi, bot_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[AnyApplication]:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "announcement.docx").write_bytes(b"PK\x03\x04 announcement template")
    (folder / "banner.psd").write_bytes(b"8BPS banner template")
    monkeypatch.setenv("PARTNERDESK_TEMPLATES_DIR", str(folder))
    async with polling(build_application(load_settings()), poll_timeout=1) as app:
        yield app


async def approved(api: LocalBotApi, maria: TgUser, anna: TgUser,
                   script: list[tuple[str, str]]) -> None:
    await partner_sends(api, anna, "Семинар", script)
    card = await api.next_message(maria.id)
    await api.press(maria, card, "✅ Одобрить")
    assert "одобрена" in (await api.next_message(anna.id)).text


async def event_details(api: LocalBotApi, anna: TgUser, number: int) -> BotMessage:
    events = await say(api, anna, "/events")
    button = next(b for b in events.button_texts() if b.startswith(f"#{number} "))
    return await tap(api, anna, events, button)


async def fill_announcement(api: LocalBotApi, anna: TgUser, first: BotMessage) -> BotMessage:
    """From the announcement question to the summary."""
    assert "Текст анонса" in first.text
    banner = await say(api, anna, ANNOUNCEMENT)
    assert "Баннер" in banner.text
    gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
    await api.send_document(anna, gif, filename="banner.gif", mime_type="image/gif")
    received = await api.next_message(anna.id)
    assert "Получено файлов: 1" in received.text
    page = await tap(api, anna, received, "Готово ✔")
    assert "Ссылка на страницу" in page.text
    checklist = await say(api, anna, "romashka.ru/seminar")
    assert "страницу мероприятия" in checklist.text
    return await toggle_and_finish(api, anna, checklist, *PAGE_ITEMS)


async def publish(api: LocalBotApi, maria: TgUser, anna: TgUser, number: int) -> BotMessage:
    """The partner asks for the announcement of event `number`; the specialist publishes it."""
    details = await event_details(api, anna, number)
    first = await tap(api, anna, details, "📣 Анонс и баннер")
    if "Анонс и баннер" in first.text:  # the intro (templates, if any, came before it)
        first = await api.next_message(anna.id)
    summary = await fill_announcement(api, anna, first)
    await tap(api, anna, summary, "✅ Отправить")
    await api.next_message(maria.id)  # the banner
    card = await api.next_message(maria.id)
    await api.press(maria, card, "📣 Опубликовать")
    return await api.next_message(anna.id)


async def test_info_support_is_requested_with_the_templates_and_published(
    api: LocalBotApi, templates_bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    await quiet_clock(templates_bot)
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(1201, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-1201")
    await approved(api, maria, anna, seminar(30, "Битрикс24 для продаж", "CRM для продаж"))

    details = await event_details(api, anna, 1)
    assert "📣 Анонс и баннер" in details.button_texts()
    assert "📦 Промо-материалы" not in details.button_texts()  # the application asked no promo
    await api.press(anna, details, "📣 Анонс и баннер")
    templates = [await api.next_message(anna.id) for _ in range(2)]
    assert [(m.kind, m.filename) for m in templates] == [
        ("document", "announcement.docx"), ("document", "banner.psd")]
    assert templates[1].data == b"8BPS banner template"
    intro = await api.next_message(anna.id)
    assert "Выше — шаблоны вендора" in intro.text and "только город, дату и логотип" in intro.text
    first = await api.next_message(anna.id)

    assert "Текст анонса" in first.text
    banner = await say(api, anna, ANNOUNCEMENT)
    await api.send_document(anna, b"%PDF-1.4\n%%EOF\n", filename="banner.pdf",
                            mime_type="application/pdf")
    received = await api.next_message(anna.id)
    wrong = await tap(api, anna, received, "Готово ✔")
    assert "JPG, GIF или PNG" in wrong.text and "Баннер" in wrong.text and banner
    await api.send_photo(anna, make_png(seed=3))
    received = await api.next_message(anna.id)
    page = await tap(api, anna, received, "Готово ✔")
    assert "Ссылка на страницу" in page.text
    checklist = await say(api, anna, "romashka.ru/seminar")
    incomplete = await toggle_and_finish(api, anna, checklist, *PAGE_ITEMS[:5])
    assert "Не отмечено: форма регистрации, контакты организатора" in incomplete.text
    assert "✅ дата" in incomplete.button_texts()  # what was ticked stays ticked
    summary = await toggle_and_finish(api, anna, incomplete, *PAGE_ITEMS[5:])
    assert "Проверьте запрос: 📣 анонс и баннер" in summary.text
    assert "На странице: всё есть (7 из 7)" in summary.text
    assert "Мероприятие №1" in summary.text and "1–3 рабочих дня" in summary.text
    sent = await tap(api, anna, summary, "✅ Отправить")
    assert "Запрос №1" in sent.text and "отправлен менеджеру" in sent.text

    banner_copy = await api.next_message(maria.id)
    assert banner_copy.kind == "photo"
    card = await api.next_message(maria.id)
    assert "Запрос №1" in card.text and "Ромашка (ID P-1201)" in card.text
    assert ANNOUNCEMENT[:40] in card.text and "https://romashka.ru/seminar" in card.text
    shown_from = day(16).strftime("%d.%m")
    assert f"Если опубликовать сегодня, сайт покажет: {shown_from}–{ahead(30)}" in card.text
    assert card.button_texts() == ["📣 Опубликовать", "↩️ Вернуть на доработку", "❌ Отказать"]

    answer = await api.press(maria, card, "📣 Опубликовать")
    assert answer.text == "Готово"
    told = await api.next_message(anna.id)
    assert "Анонс опубликуют на сайте вендора" in told.text
    assert f"Показ: {shown_from}–{ahead(30)}" in told.text
    await api.wait_until(lambda: "📣 Опубликовано — Мария" in card.text)
    assert card.buttons == [] or card.reply_markup is None

    assert db_rows(bot_env, "SELECT kind, status, shown_from FROM requests") == [
        ("info_support", "accepted", day(16).isoformat())]
    assert db_rows(bot_env, "SELECT action FROM audit_log WHERE subject = 'request:1'"
                            " ORDER BY id") == [("request.submitted",), ("request.accepted",)]
    listed = await say(api, anna, "/announcements")
    assert "Анонсы на сайте вендора: 1" in listed.text
    assert f"показ {shown_from}–{ahead(30)}" in listed.text
    everyone = await say(api, maria, "/announcements")
    assert "Ромашка" in everyone.text
    again = await tap(api, anna, await event_details(api, anna, 1), "📣 Анонс и баннер")
    assert "уже опубликован" in again.text


async def test_a_third_concurrent_announcement_is_refused_with_the_day_it_becomes_possible(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    await quiet_clock(bot)
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(1202, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-1202")
    await approved(api, maria, anna, seminar(20, "CRM за день", "CRM для продаж"))
    await approved(api, maria, anna, seminar(22, "Сайт за неделю", "Сайт на Битрикс"))
    await approved(api, maria, anna, seminar(30, "Портал для HR", "HR-портал"))
    assert "Показ:" in (await publish(api, maria, anna, 1)).text
    assert "Показ:" in (await publish(api, maria, anna, 2)).text

    details = await event_details(api, anna, 3)
    refused = await tap(api, anna, details, "📣 Анонс и баннер")
    assert "Анонс мероприятия №3 «Портал для HR» сейчас не получится" in refused.text
    assert "не больше 2 ближайших мероприятий партнёра" in refused.text
    assert "№1 «CRM за день»" in refused.text and "№2 «Сайт за неделю»" in refused.text
    # Event 1 is shown up to its day; from the next one a place is free.
    assert f"Станет возможно с {ahead(21)}" in refused.text
    assert db_rows(bot_env, "SELECT COUNT(*) FROM requests") == [(2,)]
    assert db_rows(bot_env, "SELECT action FROM audit_log WHERE action = 'request.limited'"
                   ) == [("request.limited",)]

    runtime_of(bot).clock.advance(timedelta(days=21))
    opened = await tap(api, anna, await event_details(api, anna, 3), "📣 Анонс и баннер")
    assert "Анонс и баннер" in opened.text and "Шаблоны анонса и баннера пришлёт менеджер" in (
        opened.text)


async def test_promo_materials_ordered_20_days_ahead_are_too_late_to_send_and_self_printed(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    await quiet_clock(bot)
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(1203, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-1203")
    await approved(api, maria, anna, seminar(25, "Битрикс24 для продаж", "CRM",
                                             support="Анонс и материалы"))
    runtime_of(bot).clock.advance(timedelta(days=5))

    details = await event_details(api, anna, 1)
    way = await tap(api, anna, details, "📦 Промо-материалы")
    assert "До мероприятия 20 дней" in way.text and "отправить уже не успеем" in way.text
    assert "напечатать их самим" in way.text and "компенсируется на 100%" in way.text
    assert way.button_texts()[0] == "🖨 Напечатаем сами по макетам вендора"
    assert "📦 Пришлёт вендор" not in way.button_texts()

    q = await tap(api, anna, way, "🖨 Напечатаем сами по макетам вендора")
    q = await say(api, anna, "Листовки по Битрикс24 с нашим логотипом")
    q = await tap(api, anna, q, "300")
    summary = await say(api, anna, "4 500")
    assert "Тираж: 300" in summary.text and "Стоимость печати: 4\u00a0500\u00a0₽" in summary.text
    assert "компенсируется на 100%" in summary.text and "чеки и фото напечатанного" in summary.text
    await tap(api, anna, summary, "✅ Отправить")

    card = await api.next_message(maria.id)
    assert "📦 промо-материалы" in card.text and "До мероприятия: 20 дней" in card.text
    await api.press(maria, card, "✅ Подтвердить")
    told = await api.next_message(anna.id)
    assert "Промо-материалы подтверждены" in told.text
    assert db_rows(bot_env, "SELECT kind, status, role FROM requests") == [
        ("promo_materials", "accepted", "specialist")]


async def test_promo_materials_in_time_are_sent_by_the_vendor_with_the_banner_picked_up(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    await quiet_clock(bot)
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(1204, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-1204")
    await approved(api, maria, anna, seminar(30, "Битрикс24 для продаж", "CRM",
                                             support="Анонс и материалы"))
    way = await tap(api, anna, await event_details(api, anna, 1), "📦 Промо-материалы")
    items = await tap(api, anna, way, "📦 Пришлёт вендор")
    leaflets = await toggle_and_finish(api, anna, items, "листовки",
                                       "напольный баннер (самовывоз из Москвы)")
    assert "забирают из московского офиса" in leaflets.text and "листовок" in leaflets.text
    banner = await tap(api, anna, leaflets, "200")
    address = await tap(api, anna, banner, "1")
    summary = await say(api, anna, "Казань, ул. Баумана 1, Анна, +7 999 123-45-67")
    assert "Листовки: 200" in summary.text and address
    assert "Напольный баннер (самовывоз): 1" in summary.text
    await tap(api, anna, summary, "✅ Отправить")
    card = await api.next_message(maria.id)
    await api.press(maria, card, "↩️ Вернуть на доработку")
    await api.wait_until(lambda: "уточните количество материалов" in card.button_texts())
    await api.press(maria, card, "уточните количество материалов")
    told = await api.next_message(anna.id)
    assert "вернули на доработку: уточните количество материалов" in told.text
    summary = await tap(api, anna, told, "✏️ Исправить и отправить снова")
    q = await tap(api, anna, summary, "✏️ Листовки")
    summary = await say(api, anna, "150")
    await tap(api, anna, summary, "✅ Отправить")
    second = await api.next_message(maria.id)
    assert "версия 2" in second.text and "Листовки: 150" in second.text and q
    await api.press(maria, second, "✅ Подтвердить")
    assert "подтверждены" in (await api.next_message(anna.id)).text
