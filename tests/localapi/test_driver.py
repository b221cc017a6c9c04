"""The driver side: users acting, and reading what the bot did."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.localapi import LocalBotApi
from tests.localapi.conftest import make_png


async def test_commands_get_bot_command_entities(api: LocalBotApi) -> None:
    anna = api.user(111, "Anna", language_code="ru")
    start = await api.send_text(anna, "/start ref_42")
    assert start["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    addressed = await api.send_text(anna, "/help@partnerdesk_test_bot")
    assert addressed["entities"][0]["length"] == len("/help@partnerdesk_test_bot")
    plain = await api.send_text(anna, "no command here, a/b is a path")
    assert "entities" not in plain
    assert start["from"] == {
        "id": 111,
        "is_bot": False,
        "first_name": "Anna",
        "language_code": "ru",
    }


async def test_user_photo_can_be_fetched_by_the_bot(api: LocalBotApi, bot: Bot) -> None:
    anna = api.user(111, "Anna")
    png = make_png(64, 48)
    sent = await api.send_photo(anna, png, caption="receipt")
    largest = sent["photo"][-1]
    assert (largest["width"], largest["height"]) == (64, 48)
    assert sent["caption"] == "receipt"
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.photo[-1].file_id == largest["file_id"]
    file = await bot.get_file(largest["file_id"])
    assert bytes(await file.download_as_bytearray()) == png
    # Same content, same file_unique_id; file_id differs per upload, as on Telegram.
    again = await api.send_photo(anna, png)
    assert again["photo"][-1]["file_unique_id"] == largest["file_unique_id"]
    assert again["photo"][-1]["file_id"] != largest["file_id"]


async def test_album_items_share_a_media_group_id(api: LocalBotApi, bot: Bot) -> None:
    anna = api.user(111, "Anna")
    items = await api.send_album(anna, [make_png(seed=1), make_png(seed=2), make_png(seed=3)])
    group_ids = {item["media_group_id"] for item in items}
    assert len(group_ids) == 1
    updates = await bot.get_updates()
    assert len(updates) == 3
    assert {u.message.media_group_id for u in updates if u.message} == group_ids
    other = await api.send_album(anna, [make_png(seed=4), make_png(seed=5)])
    assert other[0]["media_group_id"] not in group_ids
    with pytest.raises(ValueError, match="2-10"):
        await api.send_album(anna, [make_png()])


async def test_user_document_keeps_name_and_type(api: LocalBotApi) -> None:
    anna = api.user(111, "Anna")
    sent = await api.send_document(
        anna, b"%PDF-1.7", filename="scan.pdf", mime_type="application/pdf", caption="contract"
    )
    assert sent["document"]["file_name"] == "scan.pdf"
    assert sent["document"]["mime_type"] == "application/pdf"
    assert sent["caption"] == "contract"


async def test_press_uses_the_message_as_it_is_now(api: LocalBotApi, bot: Bot) -> None:
    anna = api.user(111, "Anna", started=True)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Approve", callback_data="ok")]])
    sent = await bot.send_message(111, "Request #1", reply_markup=markup)
    message = await api.next_message(anna)
    await bot.edit_message_reply_markup(111, sent.message_id, reply_markup=None)
    await api.wait_until(lambda: message.buttons == [])
    with pytest.raises(LookupError, match="no button 'Approve'"):
        await api.press(anna, message, "Approve")

    link = InlineKeyboardMarkup([[InlineKeyboardButton("Site", url="https://example.com")]])
    await bot.send_message(111, "See", reply_markup=link)
    with pytest.raises(LookupError, match="sends no callback"):
        await api.press(anna, await api.next_message(anna), "Site")


async def test_group_messages_and_presses_by_members(api: LocalBotApi, bot: Bot) -> None:
    anna, boris, olga = api.user(111, "Anna"), api.user(112, "Boris"), api.user(113, "Olga")
    team = api.group(-1001234567890, "Marketing team", members=[anna, boris])
    said = await api.send_text(boris, "/report@partnerdesk_test_bot", chat=team)
    assert said["chat"] == {"id": team.id, "type": "supergroup", "title": "Marketing team"}
    with pytest.raises(ValueError, match="not a member"):
        await api.send_text(olga, "hi", chat=team)

    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Take", callback_data="take")]])
    await bot.send_message(team.id, "New case", reply_markup=markup)
    message = await api.next_message(team)
    pressing = asyncio.create_task(api.press(anna, message, "Take"))
    updates = await bot.get_updates(timeout=2)
    query = updates[-1].callback_query
    assert query is not None and query.message is not None
    assert query.from_user.id == anna.id
    assert query.message.chat.id == team.id
    await query.answer()
    assert (await pressing).text is None


async def test_next_message_cursor_and_helpful_timeout(api: LocalBotApi, bot: Bot) -> None:
    anna = api.user(111, "Anna")
    await api.send_text(anna, "/start")
    await bot.send_message(111, "one")
    await bot.send_message(111, "two")
    assert (await api.next_message(111)).text == "one"
    assert (await api.next_message(anna)).text == "two"
    with pytest.raises(TimeoutError) as caught:
        await api.next_message(anna, timeout=0.1)
    report = str(caught.value)
    assert "no new bot message in chat 111" in report
    assert "#1 user: '/start'" in report
    assert "#3 bot text: 'two' (already returned)" in report


async def test_next_message_waits_for_a_message_sent_later(api: LocalBotApi, bot: Bot) -> None:
    api.user(111, "Anna", started=True)
    waiting = asyncio.create_task(api.next_message(111, timeout=2))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    await bot.send_message(111, "late")
    assert (await waiting).text == "late"


async def test_wait_until_sees_edits(api: LocalBotApi, bot: Bot) -> None:
    api.user(111, "Anna", started=True)
    sent = await bot.send_message(111, "Pending")
    message = await api.next_message(111)

    async def edit_later() -> None:
        await asyncio.sleep(0.05)
        await bot.edit_message_text("Done", chat_id=111, message_id=sent.message_id)

    editing = asyncio.create_task(edit_later())
    await api.wait_until(lambda: message.text == "Done", timeout=2)
    await editing
    assert message.edit_count == 1
    with pytest.raises(TimeoutError):
        await api.wait_until(lambda: message.text == "Never", timeout=0.05)


async def test_block_and_restart_send_my_chat_member_updates(api: LocalBotApi, bot: Bot) -> None:
    anna = api.user(111, "Anna")
    await api.send_text(anna, "/start")
    api.block(anna)
    await api.send_text(anna, "/start")
    updates = await bot.get_updates()
    kinds = [
        u.my_chat_member.new_chat_member.status
        if u.my_chat_member
        else (u.message.text if u.message else None)
        for u in updates
    ]
    assert kinds == ["/start", "kicked", "member", "/start"]


async def test_one_time_keyboard_hides_after_the_user_answers(api: LocalBotApi, bot: Bot) -> None:
    anna = api.user(111, "Anna", started=True)
    markup = ReplyKeyboardMarkup([["Yes", "No"]], one_time_keyboard=True)
    await bot.send_message(111, "Agree?", reply_markup=markup)
    keys = api.keyboard(anna)
    assert keys is not None and [b.text for b in keys[0]] == ["Yes", "No"]
    await api.send_text(anna, "Yes")
    assert api.keyboard(anna) is None
