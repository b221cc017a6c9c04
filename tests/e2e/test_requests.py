"""/request for a promotion (Gold and Certified only) and a case study; /invite to the vendor's
own event, answered by two partners, one of them with a talk sent for approval."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import AnyApplication, build_application, polling
from bot.config import load_settings
from bot.localapi import LocalBotApi
from bot.localapi.models import BotMessage, TgUser
from tests.conftest import MANAGERS, PR
from tests.e2e.steps import join_new_partner, say, tap
from tests.e2e.test_apply import ahead
from tests.e2e.test_decide import db_rows, manager
from tests.localapi.conftest import make_png

EVENTS, PARTNERS = 9004, 9005
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
async def roles_bot(
    api: LocalBotApi, bot_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[AnyApplication]:
    """Every role of §5 held by someone, so each request reaches its own manager."""
    monkeypatch.setenv("PARTNERDESK_MANAGERS", f"{MANAGERS};events={EVENTS};partners={PARTNERS}")
    async with polling(build_application(load_settings()), poll_timeout=1) as app:
        yield app


async def choose(api: LocalBotApi, user: TgUser, what: str) -> BotMessage:
    menu = await say(api, user, "/request")
    assert "О чём попросить вендора" in menu.text
    return await tap(api, user, menu, what)


async def test_a_promotion_is_for_gold_and_certified_partners_only(
    api: LocalBotApi, roles_bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    dept = await manager(api, PARTNERS, "Ирина")
    boris = api.user(1301, first_name="Борис", language_code="ru")
    await join_new_partner(api, boris, code="P-1301", company="Лютик", status="Другой")
    refused = await choose(api, boris, "🏷 Опубликовать акцию")
    assert "только партнёры со статусом: Золотой, Сертифицированный (§8)" in refused.text
    assert "ваш статус — «Другой»" in refused.text
    assert db_rows(bot_env, "SELECT COUNT(*) FROM drafts WHERE form = 'promotion'") == [(0,)]

    anna = api.user(1302, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-1302", status="Золотой")
    intro = await choose(api, anna, "🏷 Опубликовать акцию")
    assert "разделе акций партнёров" in intro.text
    await api.next_message(anna.id)  # the name question
    logo = await say(api, anna, "Скидка 20% на внедрение Битрикс24")
    await api.send_photo(anna, make_png(seed=11))
    received = await api.next_message(anna.id)
    await tap(api, anna, received, "Готово ✔")
    await say(api, anna, "Внедрим CRM на 20% дешевле до конца квартала")
    await say(api, anna, "Скидка 20% на работы по внедрению, договор до 31 марта.")
    summary = await say(api, anna, "romashka.ru/promo")
    assert "Проверьте запрос: 🏷 акция" in summary.text and logo
    await tap(api, anna, summary, "✅ Отправить")

    assert (await api.next_message(dept.id)).kind == "photo"  # the logo
    card = await api.next_message(dept.id)
    assert "🏷 акция" in card.text and "Ромашка (ID P-1302)" in card.text
    await api.press(dept, card, "✅ Опубликовать акцию")
    assert "принят" in (await api.next_message(anna.id)).text
    assert db_rows(bot_env, "SELECT kind, role, status FROM requests") == [
        ("promotion", "partners", "accepted")]


async def test_a_case_study_declined_with_a_typed_reason(
    api: LocalBotApi, roles_bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    olga = await manager(api, PR, "Ольга")
    anna = api.user(1303, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-1303")
    await choose(api, anna, "📰 Кейс (история успеха)")
    await api.next_message(anna.id)  # the client question
    for answer in ("Завод «Прогресс»", "Машиностроение",
                   "Внедрили Битрикс24 для отдела продаж из 40 человек, интеграция с 1С",
                   "Битрикс24"):
        await say(api, anna, answer)
    link = await say(api, anna, "Продажи выросли на 15% за полгода")
    interview = await tap(api, anna, link, "Пропустить")
    summary = await tap(api, anna, interview, "Да")
    assert "вендор вправе отказать" in summary.text
    await tap(api, anna, summary, "✅ Отправить")

    card = await api.next_message(olga.id)
    assert "📰 кейс" in card.text
    await api.press(olga, card, "❌ Отказать")
    await api.wait_until(lambda: "✍️ Своя причина" in card.button_texts())
    await api.press(olga, card, "✍️ Своя причина")
    prompt = await api.next_message(olga.id)
    assert prompt.force_reply and "Почему отказываете по запросу №1" in prompt.text
    await api.send_text(olga, "Похожий кейс уже публиковали в этом году", reply_to=prompt)
    told = await api.next_message(anna.id)
    assert "отказано: Похожий кейс уже публиковали в этом году" in told.text
    await api.wait_until(lambda: "❌ Отказано — Ольга" in card.text)
    assert db_rows(bot_env, "SELECT status, decided_by FROM requests") == [("declined", PR)]


async def test_an_invitation_is_broadcast_and_answered_by_two_partners(
    api: LocalBotApi, roles_bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    elina = await manager(api, EVENTS, "Элина")
    anna = api.user(1304, first_name="Анна", language_code="ru")
    boris = api.user(1305, first_name="Борис", language_code="ru")
    await join_new_partner(api, anna, code="P-1304", company="Ромашка")
    await join_new_partner(api, boris, code="P-1305", company="Лютик", status="Другой")
    assert "event-менеджеры" in (await say(api, anna, "/invite")).text

    q = await say(api, elina, "/invite")
    q = await tap(api, elina, q, "Семинар вендора")
    await say(api, elina, "Битрикс24: что нового")
    q = await say(api, elina, ahead(20))
    await tap(api, elina, q, "Москва")
    q = await say(api, elina, "Офис вендора, 11:00")
    summary = await tap(api, elina, q, "Да")
    assert "его получат 2 человека из 2 компаний-партнёров" in summary.text
    sent = await tap(api, elina, summary, "📨 Разослать (2)")
    assert "Приглашение №1 отправлено: его получили 2 человека." in sent.text

    invited = {user.id: await api.next_message(user.id) for user in (anna, boris)}
    assert "Семинар вендора «Битрикс24: что нового»" in invited[anna.id].text
    assert invited[anna.id].button_texts() == ["✅ Придём", "🎤 Придём с докладом",
                                               "❌ Не сможем"]
    noted = await api.press(anna, invited[anna.id], "✅ Придём")
    assert noted.text == "Записал: придёте"
    await api.wait_until(lambda: "Ваш ответ: ✅ Придём" in invited[anna.id].text)
    first = await api.next_message(elina.id)
    assert "Ромашка (P-1304)" in first.text and "придут 1, с докладом 0" in first.text

    await api.press(boris, invited[boris.id], "🎤 Придём с докладом")
    second = await api.next_message(elina.id)
    assert "Лютик (P-1305)" in second.text and "придут 1, с докладом 1, не смогут 0" in second.text
    assert "презентацию (PDF)" in (await api.next_message(boris.id)).text
    await api.next_message(boris.id)  # the talk's title
    await say(api, boris, "Битрикс24 в рознице: кейс Лютика")
    await api.send_document(boris, PDF, filename="talk.pdf", mime_type="application/pdf")
    received = await api.next_message(boris.id)
    summary = await tap(api, boris, received, "Готово ✔")
    assert "Мероприятие вендора «Битрикс24: что нового»" in summary.text
    await tap(api, boris, summary, "✅ Отправить")

    presentation = await api.next_message(elina.id)
    assert presentation.kind == "document" and presentation.data == PDF
    card = await api.next_message(elina.id)
    assert "🎤 доклад на мероприятии вендора" in card.text and "Лютик" in card.text
    await api.press(elina, card, "✅ Одобрить доклад")
    assert "Доклад одобрен" in (await api.next_message(boris.id)).text

    await api.press(anna, invited[anna.id], "❌ Не сможем")  # a change of mind
    third = await api.next_message(elina.id)
    assert "придут 0, с докладом 1, не смогут 1" in third.text
    assert db_rows(bot_env, "SELECT partner_id, answer FROM invitation_answers"
                            " ORDER BY partner_id") == [(1, "no"), (2, "talk")]
    assert db_rows(bot_env, "SELECT sent_to FROM invitations") == [(2,)]
    assert db_rows(bot_env, "SELECT kind, role, status FROM requests") == [
        ("talk", "events", "accepted")]
