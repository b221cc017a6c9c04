"""What people do that the bot did not plan for: it answers, and never with «Something went
wrong» — a double tap, a far-off date, a 400-digit number, a refused download, a manager's
name with HTML in it, stickers and voice notes, buttons of an old version of the bot."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import AnyApplication
from bot.localapi import LocalBotApi
from bot.localapi.models import TgUser
from tests.conftest import SPECIALIST
from tests.e2e.steps import OTHER_MESSAGES, garbage_data, join_new_partner, say, tap
from tests.e2e.test_apply import KIND_SCRIPTS, TODAY, ahead, start_applying
from tests.e2e.test_decide import db_rows, manager, partner_sends
from tests.e2e.test_report import answer_figures, approved_seminar
from tests.localapi.conftest import make_png

WENT_WRONG = "Что-то пошло не так"

def all_said(api: LocalBotApi, user: TgUser) -> str:
    return "\n".join(m.text for m in api.bot_messages(user.id))


async def webinar_summary(api: LocalBotApi, anna: TgUser) -> None:
    q = await start_applying(api, anna, "Вебинар")
    for action, value in KIND_SCRIPTS["Вебинар"]:
        q = await say(api, anna, value) if action == "type" else await tap(api, anna, q, value)
    assert "Проверьте заявку" in q.text


async def test_a_double_tap_on_send_sends_once_and_says_nothing_went_wrong(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    anna = api.user(3101, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-3101")
    await webinar_summary(api, anna)
    summary = api.bot_messages(anna.id)[-1]
    html = summary.html
    # Both taps leave the phone before the bot has handled the first.
    first, second = await asyncio.gather(api.press(anna, summary, "✅ Отправить"),
                                         api.press(anna, summary, "✅ Отправить"))
    assert first.text == "Отправлено"
    assert second.text is not None and "позади" in second.text
    await api.next_message_or_edit(anna.id, summary, html)  # the summary becomes «sent»
    await asyncio.sleep(0.3)
    assert all_said(api, anna).count("Заявка №1") == 1  # «…ждёт в очереди», once
    assert WENT_WRONG not in all_said(api, anna)
    assert db_rows(bot_env, "SELECT COUNT(*) FROM applications") == [(1,)]


async def test_a_date_beyond_the_rulebooks_year_is_refused_and_asked_again(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    anna = api.user(3102, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-3102")
    q = await start_applying(api, anna, "Вебинар")
    for far in ("31.12.9999", "9999-12-31", "31.12.99", ahead(400)):
        q = await say(api, anna, far)
        assert "Так далеко вперёд" in q.text, q.text
        assert TODAY.replace(year=TODAY.year + 1).strftime("%d.%m.%Y") in q.text
        assert "Шаг 2 из" in q.text  # the same question again
    q = await say(api, anna, ahead(360))
    assert "⚠️" not in q.text and "Шаг 3 из" in q.text
    for action, value in KIND_SCRIPTS["Вебинар"][1:]:
        q = await say(api, anna, value) if action == "type" else await tap(api, anna, q, value)
    assert "Проверьте заявку" in q.text
    assert WENT_WRONG not in all_said(api, anna)


async def test_numbers_of_400_digits_are_refused_with_the_allowed_range(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    huge = "9" * 400
    anna = api.user(3103, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-3103")
    q = await start_applying(api, anna, "Семинар")
    for value in (ahead(40), "Казань", "Битрикс24 для бизнеса"):
        q = await say(api, anna, value)
    q = await tap(api, anna, q, "Потенциальные клиенты")  # the topic is read from the title
    q = await say(api, anna, f"Битрикс24 для продаж — {huge}")  # a talk's minutes
    assert "Строка 1" in q.text and "от 5 до 600" in q.text
    q = await say(api, anna, "Битрикс24 для продаж — 40")
    q = await tap(api, anna, q, "Нет")
    q = await say(api, anna, huge)  # listeners
    assert "Нужно число от" in q.text
    q = await say(api, anna, "1" + "0" * 399 + ",5")
    assert "Нужно число от" in q.text
    q = await tap(api, anna, q, "30")
    q = await say(api, anna, "рассылка")
    q = await say(api, anna, f"Аренда зала — {huge}")  # a cost line
    assert "Строка 1" in q.text and "Нужно число от 0 до" in q.text
    q = await say(api, anna, "Аренда зала — 15000")
    assert "⚠️" not in q.text
    assert WENT_WRONG not in all_said(api, anna)


async def test_a_photo_telegram_refuses_to_hand_over_is_asked_for_again(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    _, anna = await approved_seminar(api, bot, 3104)
    await answer_figures(api, anna)
    api.fail_next("getFile", 400, description="file is too big")
    await api.send_photo(anna, make_png(seed=1))
    refused = await api.next_message(anna.id)
    assert "Не удалось получить это фото" in refused.text and "ещё раз" in refused.text
    assert db_rows(bot_env, "SELECT COUNT(*) FROM files") == [(0,)]
    await api.send_photo(anna, make_png(seed=1))
    taken = await api.next_message(anna.id)
    assert "1 из 4" in taken.text
    assert db_rows(bot_env, "SELECT COUNT(*) FROM files") == [(1,)]
    assert WENT_WRONG not in all_said(api, anna)


async def test_a_manager_named_with_html_is_asked_for_a_reason_in_the_team_chat(
    api: LocalBotApi, team_bot: AnyApplication
) -> None:
    maria = await manager(api, SPECIALIST, "Maria <Sales> & Co")
    team = api.group(-100777, "Партнёрский маркетинг", members=[maria])
    anna = api.user(3105, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-3105")
    await partner_sends(api, anna)
    card = await api.next_message(team.id)
    await api.press(maria, card, "❌ Отклонить")
    await api.wait_until(lambda: "✍️ Своя причина" in card.button_texts())
    await api.press(maria, card, "✍️ Своя причина")
    prompt = await api.next_message(team.id)
    assert prompt.text.startswith("Maria <Sales> & Co, ") and prompt.force_reply
    await api.send_text(maria, "Повтор", chat=team, reply_to=prompt)
    assert "отклонена: Повтор" in (await api.next_message(anna.id)).text


@pytest.mark.parametrize("kind", sorted(OTHER_MESSAGES))
async def test_other_messages_outside_a_form_are_told_what_the_bot_understands(
    api: LocalBotApi, bot: AnyApplication, kind: str
) -> None:
    anna = api.user(3106, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-3106")
    await OTHER_MESSAGES[kind](api, anna)
    answer = await api.next_message(anna.id)
    assert "Такое я не читаю" in answer.text and "/help" in answer.text


async def test_other_messages_in_a_form_get_its_current_question_again(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    anna = api.user(3107, first_name="Анна", language_code="ru")
    await api.send_text(anna, "/start")
    welcome = await api.next_message(anna.id)
    assert "ID партнёра" in welcome.text
    for kind, send in OTHER_MESSAGES.items():
        await send(api, anna)
        again = await api.next_message(anna.id)
        assert "Такое я не читаю" in again.text, kind
        assert "ID партнёра" in again.text and "Шаг 1 из" in again.text, kind
    assert "Название компании" in (await say(api, anna, "P-3107")).text


async def test_other_messages_at_a_photo_question_ask_for_photos(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    _, anna = await approved_seminar(api, bot, 3108)
    await answer_figures(api, anna)
    await api.send_video(anna)
    again = await api.next_message(anna.id)
    assert "Такое я не читаю" in again.text and "фото" in again.text
    assert "0 из 4" in again.text


async def test_other_messages_at_a_summary_point_to_its_buttons(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    anna = api.user(3109, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-3109")
    await webinar_summary(api, anna)
    await api.send_sticker(anna)
    answer = await api.next_message(anna.id)
    assert "Такое я не читаю" in answer.text and "«Отправить»" in answer.text


async def test_every_button_press_is_answered_however_garbled_its_data(
    api: LocalBotApi, bot: AnyApplication, caplog: pytest.LogCaptureFixture
) -> None:
    anna = api.user(3110, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-3110")
    kinds = await say(api, anna, "/apply")
    for data in [*garbage_data(), "\u200b", "😀" * 16]:
        await api.press_data(anna, kinds, data)  # fails unless the spinner is stopped
    for unknown in ("zzz", "x:1:2", "\u200b"):
        assert (await api.press_data(anna, kinds, unknown)).text == "Эта кнопка устарела."
    assert WENT_WRONG not in all_said(api, anna)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    # the real buttons still work
    await api.press(anna, kinds, "Вебинар")
    await api.wait_until(lambda: "Шаг 2 из" in kinds.text)  # the kind question moved on
