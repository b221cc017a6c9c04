"""«✅ Send» costs one Bot API call: the summary pressed becomes the «sent» confirmation (its
answers kept, its buttons gone), through the outbox; a summary deleted meanwhile gets the
confirmation as a new message."""

from __future__ import annotations

import pytest

from bot.app import AnyApplication
from bot.localapi import LocalBotApi
from bot.localapi.models import BotMessage, TgUser
from bot.runtime import runtime_of
from tests.conftest import SPECIALIST
from tests.e2e.steps import join_new_partner, say, tap
from tests.e2e.test_apply import ahead, start_applying
from tests.e2e.test_decide import manager

TEXTS = {
    "ru": {"status": "Золотой", "webinar": "Вебинар",
           "audience": "Потенциальные клиенты", "no": "Нет", "support": "Только анонс",
           "send": "✅ Отправить", "sent": "Заявка №1 отправлена менеджеру",
           "title_line": "Название: Битрикс24 за час", "check": "Проверьте заявку"},
    "en": {"status": "Gold", "webinar": "Webinar",
           "audience": "Prospective clients", "no": "No", "support": "Announcement only",
           "send": "✅ Send", "sent": "Application #1 went to the manager",
           "title_line": "Title: Bitrix24 in an hour", "check": "Check the application"},
}
TITLE = {"ru": "Битрикс24 за час", "en": "Bitrix24 in an hour"}
CHANGING = ("sendMessage", "editMessageText", "editMessageReplyMarkup", "editMessageCaption",
            "sendPhoto", "sendDocument", "sendMediaGroup")


async def webinar_summary(api: LocalBotApi, user: TgUser, language: str) -> BotMessage:
    t = TEXTS[language]
    await join_new_partner(api, user, code=f"P-{user.id}", status=t["status"])
    q = await start_applying(api, user, t["webinar"])
    await say(api, user, ahead(30))
    q = await say(api, user, TITLE[language])
    q = await tap(api, user, q, t["audience"])  # the topic is read from the title
    q = await say(api, user, "Bitrix24: CRM — 45")
    q = await tap(api, user, q, t["no"])
    q = await tap(api, user, q, "50")
    q = await say(api, user, "email, site")
    summary = await tap(api, user, q, t["support"])
    assert t["check"] in summary.text
    return summary


def calls_to(api: LocalBotApi, chat_id: int, since: int) -> list[str]:
    """The Bot API calls that changed what this chat shows, after the first `since` requests."""
    return [r.method for r in api.requests[since:]
            if r.method in CHANGING and str(r.params.get("chat_id")) == str(chat_id)]


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_send_turns_the_summary_into_the_confirmation_in_one_call(
    api: LocalBotApi, bot: AnyApplication, language: str
) -> None:
    t = TEXTS[language]
    maria = await manager(api, SPECIALIST, "Мария", language)
    anna = api.user(4101, first_name="Анна", language_code=language)
    summary = await webinar_summary(api, anna, language)
    messages_before, requests_before = len(api.bot_messages(anna.id)), len(api.requests)

    sent = await tap(api, anna, summary, t["send"])

    assert sent is summary  # the same message, edited
    assert sent.text.startswith(t["sent"]), sent.text
    assert t["title_line"] in sent.text  # the answers stay in view
    assert t["check"] not in sent.text
    assert sent.buttons == [] or sent.reply_markup is None
    await api.next_message(maria.id)  # the card reached the manager meanwhile
    assert len(api.bot_messages(anna.id)) == messages_before  # nothing new for the partner
    assert calls_to(api, anna.id, requests_before) == ["editMessageText"]


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_a_summary_deleted_before_the_confirmation_gets_it_as_a_new_message(
    api: LocalBotApi, bot: AnyApplication, language: str
) -> None:
    t = TEXTS[language]
    await manager(api, SPECIALIST, "Мария", language)
    anna = api.user(4111, first_name="Анна", language_code=language)
    summary = await webinar_summary(api, anna, language)
    outbox = runtime_of(bot).outbox
    waker, outbox.waker = outbox.waker, None  # the confirmation stays in the outbox a while
    try:
        await api.press(anna, summary, t["send"])
        summary.deleted = True  # the partner deleted the summary meanwhile
    finally:
        outbox.waker = waker
    outbox.wake()

    sent = await api.next_message(anna.id)
    assert sent is not summary
    assert sent.text.startswith(t["sent"]) and t["title_line"] in sent.text
    # Telegram refused the edit of the deleted summary, as it would: that is how the bot knew.
    assert [r.description for r in api.refusals] == ["Bad Request: message to edit not found"]
    api.refusals.clear()
