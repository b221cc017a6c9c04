"""/events: a partner's activities, seen by all its employees and by nobody else."""

from __future__ import annotations

from bot.app import AnyApplication
from bot.localapi import LocalBotApi
from bot.localapi.models import TgUser
from tests.e2e.steps import answer_anew, join_new_partner, say, tap
from tests.e2e.test_apply import KIND_SCRIPTS, start_applying


async def apply_for_webinar(api: LocalBotApi, user: TgUser, title: str) -> None:
    q = await start_applying(api, user, "Вебинар")
    script = list(KIND_SCRIPTS["Вебинар"])
    script[1:2] = [("type", title), ("tap", "Битрикс24")]  # a title without the topic in it
    for action, value in script:
        q = await say(api, user, value) if action == "type" else await tap(api, user, q, value)
        q = await answer_anew(api, user, q)
    await tap(api, user, q, "✅ Отправить")


async def test_two_partners_each_see_only_their_own_activities(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    anna = api.user(701, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-701", company="Ромашка")
    boris = api.user(702, first_name="Борис", language_code="ru")
    await join_new_partner(api, boris, code="P-702", company="Лютик")
    await apply_for_webinar(api, anna, "Вебинар Ромашки")
    await apply_for_webinar(api, boris, "Вебинар Лютика")

    anna_events = await say(api, anna, "/events")
    boris_events = await say(api, boris, "/events")
    assert "Вебинар Ромашки" in anna_events.text and "Лютика" not in anna_events.text
    assert "Вебинар Лютика" in boris_events.text and "Ромашки" not in boris_events.text
    assert all("Ромашки" not in b for b in boris_events.button_texts())


async def test_a_colleague_sees_the_activity_and_can_withdraw_it_before_a_decision(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    anna = api.user(703, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-703", company="Ромашка")
    await apply_for_webinar(api, anna, "Вебинар Ромашки")
    boris = api.user(704, first_name="Борис", language_code="ru")
    await api.send_text(boris, "/start")
    await api.next_message(boris.id)
    q = await say(api, boris, "P-703")
    await tap(api, boris, q, "Борис")
    await api.send_contact(boris, phone_number="+79990000003")
    await api.next_message(boris.id)
    card = await api.next_message(anna.id)
    await api.press(anna, card, "✅ Подтвердить")
    await api.next_message(boris.id)

    events = await say(api, boris, "/events")
    assert "Вебинар Ромашки" in events.text and "ждёт решения" in events.text
    details = await tap(api, boris, events, events.button_texts()[0])
    assert "Статус: ждёт решения" in details.text
    assert "менеджер рассмотрит заявку" in details.text
    await api.press(boris, details, "Отозвать заявку")
    await api.wait_until(lambda: "Да, отозвать" in details.button_texts())
    done = await tap(api, boris, details, "Да, отозвать")
    assert "отозвана" in done.text
    assert "отозвано" in (await say(api, anna, "/events")).text


async def test_a_rejected_event_shows_why_and_a_past_one_says_when_the_report_is_due(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    from datetime import timedelta

    from bot.runtime import runtime_of
    from tests.conftest import SPECIALIST
    from tests.e2e.test_decide import manager

    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(705, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-705")
    await apply_for_webinar(api, anna, "Первый вебинар")
    card = await api.next_message(maria.id)
    await api.press(maria, card, "❌ Отклонить")
    await api.wait_until(lambda: "повтор уже согласованного мероприятия" in card.button_texts())
    await api.press(maria, card, "повтор уже согласованного мероприятия")
    await api.next_message(anna.id)
    await apply_for_webinar(api, anna, "Второй вебинар")
    await api.press(maria, await api.next_message(maria.id), "✅ Одобрить")
    await api.next_message(anna.id)

    def titled(buttons: list[str], title: str) -> str:
        return next(b for b in buttons if title in b)

    events = await say(api, anna, "/events")
    rejected = await tap(api, anna, events, titled(events.button_texts(), "Первый"))
    assert "Заявка отклонена: повтор уже согласованного мероприятия." in rejected.text
    approved = await tap(api, anna, events, titled(events.button_texts(), "Второй"))
    assert "Дальше: проведите мероприятие" in approved.text
    runtime_of(bot).clock.advance(timedelta(days=31))  # the webinar's day has passed
    events = await say(api, anna, "/events")
    later = await tap(api, anna, events, titled(events.button_texts(), "Второй"))
    assert "Дальше: отчёт — до" in later.text and "проведите" not in later.text
