"""Groups as Telegram runs them for bots: privacy mode and the per-group flood limit."""

from __future__ import annotations

import httpx
import pytest
from telegram import Bot, ForceReply, InputMediaPhoto, MessageEntity, Update
from telegram.error import RetryAfter
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler
from telegram.ext import filters as flt

from bot.localapi import LocalBotApi, UserMessage
from bot.localapi.groups import reaches_bot_in_privacy_mode
from tests.localapi.conftest import TOKEN, make_png

TEAM = -1001234567890


class FakeClock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# --- privacy mode -----------------------------------------------------------------------------


async def test_privacy_mode_lets_a_polling_bot_see_only_what_telegram_delivers(
    api: LocalBotApi,
) -> None:
    seen: list[str] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        seen.append(message.text)
        if message.text == "/reason":
            await message.reply_text("Your reason?", reply_markup=ForceReply(selective=True))

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    app.add_handler(MessageHandler(flt.TEXT, record))
    maria = api.user(501, "Maria", username="maria_m")
    team = api.group(TEAM, "Managers", members=[maria])
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            plain = await api.send_text(maria, "hello team", chat=team)
            await api.send_text(maria, "/reason", chat=team)
            prompt = await api.next_message(team)
            assert prompt.force_reply
            await api.send_text(maria, "too expensive", chat=team, reply_to=prompt)
            await api.send_text(maria, "a reply to a person", chat=team, reply_to=plain)
            await api.send_text(maria, "@partnerdesk_test_bot status?", chat=team)
            await api.send_text(maria, "@maria_m see above", chat=team)
            await api.send_text(maria, "/help@other_bot", chat=team)
            await api.send_text(maria, "/help@PartnerDesk_Test_Bot", chat=team)
            await api.send_text(maria, "just chatting in private")  # private: unaffected
            await api.wait_until(lambda: "just chatting in private" in seen)
        finally:
            await app.updater.stop()
            await app.stop()
    assert seen == [
        "/reason",
        "too expensive",
        "@partnerdesk_test_bot status?",
        "/help@PartnerDesk_Test_Bot",
        "just chatting in private",
    ]
    # Every message is in the transcript; the ones the bot never got are marked.
    users = [m for m in api.transcript(team) if isinstance(m, UserMessage)]
    hidden = [m.text for m in users if not m.delivered]
    assert hidden == ["hello team", "a reply to a person", "@maria_m see above", "/help@other_bot"]
    assert api.state.updates == []
    api.assert_no_refusals()


async def test_without_privacy_mode_every_group_message_arrives(api: LocalBotApi, bot: Bot) -> None:
    assert (await bot.get_me()).can_read_all_group_messages is False
    api.privacy_mode = False
    assert (await bot.get_me()).can_read_all_group_messages is True
    maria = api.user(501, "Maria")
    team = api.group(TEAM, "Managers", members=[maria])
    await api.send_text(maria, "hello team", chat=team)
    await api.send_text(maria, "/help@other_bot", chat=team)
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["hello team", "/help@other_bot"]
    assert all(isinstance(m, UserMessage) and m.delivered for m in api.transcript(team))
    assert LocalBotApi(privacy_mode=False).privacy_mode is False


async def test_plain_group_message_is_returned_but_not_queued(api: LocalBotApi, bot: Bot) -> None:
    maria = api.user(501, "Maria")
    team = api.group(-500, "Managers", members=[maria])  # a basic group behaves the same
    sent = await api.send_text(maria, "hello team", chat=team)
    assert sent["text"] == "hello team" and sent["chat"]["type"] == "group"
    assert await bot.get_updates() == ()
    with pytest.raises(TimeoutError, match="not delivered to the bot: privacy mode"):
        await api.next_message(team, timeout=0.05)


async def test_send_text_marks_mentions(api: LocalBotApi, bot: Bot) -> None:
    maria = api.user(501, "Maria")
    team = api.group(TEAM, "Managers", members=[maria])
    sent = await api.send_text(maria, "привет @partnerdesk_test_bot, /pending", chat=team)
    assert sent["entities"] == [
        {"type": "mention", "offset": 7, "length": 21},
        {"type": "bot_command", "offset": 30, "length": 8},
    ]
    (update,) = await bot.get_updates()
    assert update.message is not None
    assert update.message.parse_entities([MessageEntity.MENTION]) == {
        MessageEntity(MessageEntity.MENTION, 7, 21): "@partnerdesk_test_bot"
    }
    addressed = await api.send_text(maria, "/help@partnerdesk_test_bot", chat=team)
    assert [e["type"] for e in addressed["entities"]] == ["bot_command"]
    email = await api.send_text(maria, "write to a@example.com", chat=team)
    assert "entities" not in email


def test_service_messages_and_caption_mentions_reach_a_private_bot(api: LocalBotApi) -> None:
    bot = api.bot_user
    maria = api.user(501, "Maria").to_dict()
    assert reaches_bot_in_privacy_mode({"new_chat_members": [maria]}, bot)
    assert reaches_bot_in_privacy_mode(
        {
            "caption": "see @partnerdesk_test_bot",
            "caption_entities": [{"type": "mention", "offset": 4, "length": 21}],
        },
        bot,
    )
    assert not reaches_bot_in_privacy_mode({"caption": "see @partnerdesk_test_bot"}, bot)
    assert not reaches_bot_in_privacy_mode({"photo": []}, bot)


# --- group flood limit ------------------------------------------------------------------------


async def test_group_rate_limit_answers_429_until_the_window_frees(
    api: LocalBotApi, http: httpx.AsyncClient
) -> None:
    clock = FakeClock()
    api.clock = clock
    api.group_rate_limit = 3
    anna = api.user(111, "Anna", started=True)
    team = api.group(TEAM, "Managers", members=[anna])
    other = api.group(-1009999999999, "Other team", members=[anna])

    async def send(chat_id: int, text: str) -> httpx.Response:
        return await http.post("sendMessage", json={"chat_id": chat_id, "text": text})

    for n in range(3):
        assert (await send(team.id, f"card {n}")).status_code == 200
        clock.advance(10)  # sent at 1000, 1010, 1020
    refused = await send(team.id, "card 3")  # at 1030: the first leaves the window at 1060
    assert refused.status_code == 429
    assert refused.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 30",
        "parameters": {"retry_after": 30},
    }
    # Edits, other groups and private chats are not counted against this group.
    edited = await http.post(
        "editMessageText", json={"chat_id": team.id, "message_id": 1, "text": "card 0 (done)"}
    )
    assert edited.status_code == 200
    assert (await send(other.id, "hello")).status_code == 200
    assert (await send(anna.id, "hello")).status_code == 200

    clock.advance(29)  # 1059: still full
    assert (await send(team.id, "card 3")).json()["parameters"] == {"retry_after": 1}
    clock.advance(1)  # 1060: the message of 1000 has left the window
    assert (await send(team.id, "card 3")).status_code == 200
    assert (await send(team.id, "card 4")).json()["parameters"] == {"retry_after": 10}

    texts = [m.text for m in api.bot_messages(team)]
    assert texts == ["card 0 (done)", "card 1", "card 2", "card 3"]
    assert api.refusals == []
    assert [(f.method, f.chat_id, f.retry_after) for f in api.flood_refusals] == [
        ("sendMessage", team.id, 30),
        ("sendMessage", team.id, 1),
        ("sendMessage", team.id, 10),
    ]


async def test_ptb_raises_retry_after_on_the_group_limit(
    api: LocalBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after warns otherwise
    clock = FakeClock()
    api.clock = clock
    api.group_rate_limit = 3
    anna = api.user(111, "Anna")
    team = api.group(TEAM, "Managers", members=[anna])
    # An album counts one message per item; photos and documents count like texts.
    await bot.send_media_group(
        team.id, [InputMediaPhoto(make_png(seed=1)), InputMediaPhoto(make_png(seed=2))]
    )
    clock.advance(5)
    await bot.send_photo(team.id, make_png(seed=3))
    clock.advance(5)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_document(team.id, b"%PDF-1.7", filename="report.pdf")
    assert caught.value.retry_after.total_seconds() == 50  # type: ignore[union-attr]
    with pytest.raises(RetryAfter):
        await bot.send_message(team.id, "card")
    clock.advance(50)  # both album items leave the window together
    await bot.send_message(team.id, "card")
    await bot.send_document(team.id, b"%PDF-1.7", filename="report.pdf")
    assert [f.method for f in api.flood_refusals] == ["sendDocument", "sendMessage"]
    api.assert_no_refusals()


async def test_an_album_may_overshoot_and_then_the_group_waits_longer(
    api: LocalBotApi, bot: Bot
) -> None:
    clock = FakeClock(0.0)
    api.clock = clock
    api.group_rate_limit = 2
    anna = api.user(111, "Anna")
    team = api.group(TEAM, "Managers", members=[anna])
    await bot.send_message(team.id, "card")  # t=0
    clock.advance(10)
    photos = [InputMediaPhoto(make_png(seed=n)) for n in range(3)]
    await bot.send_media_group(team.id, photos)  # t=10: under the limit, so all 3 go
    clock.advance(50)  # t=60: 3 messages (of t=10) still in the window
    with pytest.raises(RetryAfter):
        await bot.send_message(team.id, "card")
    assert api.flood_refusals[-1].retry_after == 10
    clock.advance(10)
    await bot.send_message(team.id, "card")


def test_group_rate_limit_takes_a_positive_number_or_none() -> None:
    assert LocalBotApi(group_rate_limit=20).group_rate_limit == 20
    assert LocalBotApi().group_rate_limit is None
    with pytest.raises(ValueError, match="at least 1"):
        LocalBotApi(group_rate_limit=0)
