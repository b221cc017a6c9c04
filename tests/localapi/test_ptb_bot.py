"""A real `telegram.Bot` against the local server: what works, and what Telegram would refuse."""

from __future__ import annotations

import asyncio

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    KeyboardButton,
    MenuButtonCommands,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter

from bot.localapi import LocalBotApi
from tests.localapi.conftest import make_png


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in buttons]]
    )


async def refused(call: object, api: LocalBotApi, description: str) -> None:
    """Await `call`, expect BadRequest with exactly `description`, recorded as a refusal."""
    before = len(api.refusals)
    with pytest.raises(BadRequest) as caught:
        await call  # type: ignore[misc]
    # PTB drops the "Bad Request: " prefix and capitalizes the rest.
    assert caught.value.message.lower() == description.removeprefix("Bad Request: ").lower()
    assert len(api.refusals) == before + 1
    assert api.refusals[-1].description == description


async def test_send_message_with_html_and_buttons(api: LocalBotApi, bot: Bot) -> None:
    anna = api.user(111, "Anna", started=True)
    sent = await bot.send_message(
        anna.id,
        "<b>Hello</b>, <i>Anna</i> &lt;3",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(("Approve", "approve:1"), ("Reject", "reject:1")),
    )
    assert sent.text == "Hello, Anna <3"
    assert [e.type for e in sent.entities] == ["bold", "italic"]
    message = await api.next_message(anna)
    assert message.message_id == sent.message_id
    assert message.text == "Hello, Anna <3"
    assert message.html == "<b>Hello</b>, <i>Anna</i> &lt;3"
    assert message.parse_mode == "HTML"
    assert message.button_texts() == ["Approve", "Reject"]
    assert message.buttons[0][1].callback_data == "reject:1"
    assert api.refusals == []


async def test_message_ids_share_one_sequence_per_chat(api: LocalBotApi, bot: Bot) -> None:
    anna = api.user(111, "Anna")
    first = await api.send_text(anna, "/start")
    reply = await bot.send_message(anna.id, "hi")
    second = await api.send_text(anna, "ok")
    assert [first["message_id"], reply.message_id, second["message_id"]] == [1, 2, 3]


async def test_reply_keyboard_force_reply_and_replies(api: LocalBotApi, bot: Bot) -> None:
    anna = api.user(111, "Anna")
    request = await api.send_text(anna, "/phone")
    await bot.send_message(
        anna.id,
        "Share your phone",
        reply_markup=ReplyKeyboardMarkup([[KeyboardButton("Send phone", request_contact=True)]]),
        reply_to_message_id=request["message_id"],
    )
    asked = await api.next_message(anna)
    assert asked.reply_to_message_id == request["message_id"]
    keys = api.keyboard(anna)
    assert keys is not None and keys[0][0].request_contact
    shared = await api.send_contact(anna, phone_number="+79990000000")
    assert shared["contact"] == {
        "phone_number": "+79990000000",
        "first_name": "Anna",
        "user_id": 111,
    }
    await bot.send_message(anna.id, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert api.keyboard(anna) is None
    await bot.send_message(anna.id, "Your company?", reply_markup=ForceReply())
    assert (await api.next_message(anna)).text == "Thanks"
    prompt = await api.next_message(anna)
    assert prompt.force_reply
    answer = await api.send_text(anna, "ACME", reply_to=prompt)
    assert answer["reply_to_message"]["text"] == "Your company?"


async def test_refused_message_content(api: LocalBotApi, bot: Bot) -> None:
    api.user(111, "Anna", started=True)
    await refused(bot.send_message(111, "x" * 4097), api, "Bad Request: message is too long")
    await bot.send_message(111, "x" * 4096)  # the limit itself is fine
    await bot.send_message(111, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    await refused(bot.send_message(111, "<b></b>", parse_mode="HTML"), api,
                  "Bad Request: message text is empty")  # fmt: skip
    await refused(bot.send_message(111, "  \n "), api, "Bad Request: message text is empty")
    await refused(
        bot.send_message(111, "Price < 5", parse_mode="HTML"),
        api,
        'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 6',
    )
    await refused(
        bot.send_message(111, "<br>line", parse_mode="HTML"),
        api,
        'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 0',
    )
    await refused(
        bot.send_message(111, "<b>bold", parse_mode="HTML"),
        api,
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
    )
    await refused(
        bot.send_message(111, "R&D", parse_mode="HTML"),
        api,
        'Bad Request: can\'t parse entities: Character "&" at byte offset 1 must be escaped '
        'as "&amp;"',
    )
    assert len(api.bot_messages(111)) == 2


async def test_refused_keyboards(api: LocalBotApi, bot: Bot) -> None:
    api.user(111, "Anna", started=True)
    for data in ("", "x" * 65, "я" * 33):  # 66 bytes of UTF-8
        markup = {"inline_keyboard": [[{"text": "A", "callback_data": data}]]}
        await refused(
            bot.send_message(111, "pick", api_kwargs={"reply_markup": markup}),
            api,
            "Bad Request: BUTTON_DATA_INVALID",
        )
    await bot.send_message(111, "pick", reply_markup=keyboard(("A", "x" * 64)))
    await refused(
        bot.send_message(111, "pick", reply_markup=keyboard(("", "a"))),
        api,
        "Bad Request: BUTTON_TEXT_INVALID",
    )
    text_only = {"inline_keyboard": [[{"text": "A"}]]}
    await refused(
        bot.send_message(111, "pick", api_kwargs={"reply_markup": text_only}),
        api,
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
        "inline keyboard",
    )


async def test_caption_limit_and_photo_upload(api: LocalBotApi, bot: Bot) -> None:
    api.user(111, "Anna", started=True)
    png = make_png(40, 30)
    await refused(
        bot.send_photo(111, png, caption="c" * 1025),
        api,
        "Bad Request: message caption is too long",
    )
    sent = await bot.send_photo(111, png, caption="<b>Report</b>", parse_mode="HTML")
    assert sent.caption == "Report"
    assert (sent.photo[-1].width, sent.photo[-1].height) == (40, 30)
    message = await api.next_message(111)
    assert message.kind == "photo"
    assert message.text == "Report"
    assert message.data == png
    file = await bot.get_file(sent.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == png

    again = await bot.send_photo(111, sent.photo[-1].file_id)  # by file_id: no upload
    assert again.photo[-1].file_id == sent.photo[-1].file_id
    await refused(bot.send_photo(111, b"not an image"), api, "Bad Request: IMAGE_PROCESS_FAILED")
    await refused(
        bot.send_photo(111, "AgACAgIAAxkBAAI-no-such-file"),
        api,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )


async def test_document_upload_and_download(api: LocalBotApi, bot: Bot) -> None:
    api.user(111, "Anna", started=True)
    sent = await bot.send_document(111, b"a,b\n1,2\n", filename="report.csv", caption="CSV")
    assert sent.document is not None
    assert sent.document.file_name == "report.csv"
    assert sent.document.mime_type == "text/csv"
    message = await api.next_message(111)
    assert (message.kind, message.filename, message.data) == (
        "document",
        "report.csv",
        b"a,b\n1,2\n",
    )
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"a,b\n1,2\n"
    await refused(
        bot.send_document(111, sent.document.file_id.replace("B", "C")),
        api,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )


async def test_big_files_cannot_be_fetched(api: LocalBotApi, bot: Bot) -> None:
    anna = api.user(111, "Anna")
    big = await api.send_document(anna, b"\0" * (20 * 1024 * 1024 + 1), filename="huge.zip")
    await refused(bot.get_file(big["document"]["file_id"]), api, "Bad Request: file is too big")


async def test_media_group_sizes(api: LocalBotApi, bot: Bot) -> None:
    api.user(111, "Anna", started=True)
    photos = [InputMediaPhoto(make_png(seed=i)) for i in range(3)]
    sent = await bot.send_media_group(111, photos, caption="three")
    assert len(sent) == 3
    assert len({m.media_group_id for m in sent}) == 1 and sent[0].media_group_id
    assert sent[0].caption == "three"
    assert [m.data for m in api.bot_messages(111)] == [make_png(seed=i) for i in range(3)]
    await refused(
        bot.send_media_group(111, [InputMediaPhoto(make_png())]),
        api,
        "Bad Request: too few messages to send as an album",
    )
    await refused(
        bot.send_media_group(111, [InputMediaDocument(b"d", filename="d.txt")] * 11),
        api,
        "Bad Request: too many messages to send as an album",
    )


async def test_edits(api: LocalBotApi, bot: Bot) -> None:
    anna = api.user(111, "Anna")
    hello = await api.send_text(anna, "hello")
    sent = await bot.send_message(111, "Pending", reply_markup=keyboard(("OK", "ok")))
    message = await api.next_message(anna)

    await bot.edit_message_text("Approved", chat_id=111, message_id=sent.message_id)
    assert (message.text, message.edit_count, message.buttons) == ("Approved", 1, [])
    await refused(
        bot.edit_message_text("Approved", chat_id=111, message_id=sent.message_id),
        api,
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message",
    )
    await bot.edit_message_reply_markup(111, sent.message_id, reply_markup=keyboard(("A", "a")))
    assert message.button_texts() == ["A"]
    await refused(
        bot.edit_message_reply_markup(111, sent.message_id, reply_markup=keyboard(("A", "a"))),
        api,
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message",
    )
    await refused(
        bot.edit_message_text("x", chat_id=111, message_id=999),
        api,
        "Bad Request: message to edit not found",
    )
    await refused(
        bot.edit_message_text("x", chat_id=111, message_id=hello["message_id"]),
        api,
        "Bad Request: message can't be edited",
    )
    await refused(
        bot.edit_message_caption(111, sent.message_id, caption="c"),
        api,
        "Bad Request: there is no caption in the message to edit",
    )
    await bot.delete_message(111, sent.message_id)
    assert message.deleted and api.bot_messages(anna) == []
    await refused(
        bot.edit_message_text("x", chat_id=111, message_id=sent.message_id),
        api,
        "Bad Request: message to edit not found",
    )
    await refused(
        bot.delete_message(111, sent.message_id), api, "Bad Request: message to delete not found"
    )


async def test_edit_caption(api: LocalBotApi, bot: Bot) -> None:
    api.user(111, "Anna", started=True)
    sent = await bot.send_photo(111, make_png(), caption="old")
    edited = await bot.edit_message_caption(
        111, sent.message_id, caption="<i>new</i>", parse_mode="HTML"
    )
    assert not isinstance(edited, bool) and edited.caption == "new"
    assert api.bot_messages(111)[0].text == "new"
    assert api.bot_messages(111)[0].edit_count == 1
    await refused(
        bot.edit_message_text("t", chat_id=111, message_id=sent.message_id),
        api,
        "Bad Request: there is no text in the message to edit",
    )


async def test_chats_the_bot_cannot_write_to(api: LocalBotApi, bot: Bot) -> None:
    await refused(bot.send_message(424242, "hi"), api, "Bad Request: chat not found")
    lurker = api.user(222, "Lurker")
    api.group(-1001, "Marketing team", members=[lurker])
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(lurker.id, "hi")
    anna = api.user(111, "Anna")
    await api.send_text(anna, "/start")
    api.block(anna)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(anna.id, "hi")
    assert api.refusals[-1].error_code == 403
    assert api.refusals[-1].description == "Forbidden: bot was blocked by the user"
    await api.send_text(anna, "/start")  # restarting the bot unblocks it
    await bot.send_message(anna.id, "welcome back")


async def test_callback_queries(api: LocalBotApi, bot: Bot) -> None:
    anna = api.user(111, "Anna")
    await api.send_text(anna, "/start")
    await bot.send_message(111, "Choose", reply_markup=keyboard(("Approve", "approve:7")))
    message = await api.next_message(anna)

    with pytest.raises(LookupError, match="no button 'Delete'"):
        await api.press(anna, message, "Delete")

    pressing = asyncio.create_task(api.press(anna, message, "approve:7"))  # by callback_data
    updates = await bot.get_updates(timeout=2)
    query = updates[-1].callback_query
    assert query is not None and query.message is not None
    assert (query.data, query.from_user.id, query.message.message_id) == (
        "approve:7",
        111,
        message.message_id,
    )
    await refused(query.answer("x" * 201), api, "Bad Request: MESSAGE_TOO_LONG")
    assert await query.answer("Done", show_alert=True)
    answer = await pressing
    assert (answer.text, answer.show_alert) == ("Done", True)
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    await refused(query.answer("again"), api, too_old)
    await refused(bot.answer_callback_query("12345"), api, too_old)


async def test_unanswered_callback_times_out(api: LocalBotApi, bot: Bot) -> None:
    anna = api.user(111, "Anna", started=True)
    await bot.send_message(111, "Choose", reply_markup=keyboard(("Go", "go")))
    with pytest.raises(TimeoutError, match="did not answer the callback query"):
        await api.press(anna, await api.next_message(anna), "Go", timeout=0.2)


async def test_commands_per_scope_and_language(api: LocalBotApi, bot: Bot) -> None:
    anna = api.user(111, "Anna", language_code="ru", started=True)
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    await bot.set_my_commands([BotCommand("start", "Начать")], language_code="ru")
    await bot.set_my_commands([BotCommand("queue", "Queue")], scope=BotCommandScopeChat(111))
    assert api.commands() == [
        {"command": "start", "description": "Start"},
        {"command": "help", "description": "Help"},
    ]
    assert api.commands(language_code="ru") == [{"command": "start", "description": "Начать"}]
    assert [c.command for c in await bot.get_my_commands(language_code="ru")] == ["start"]
    assert api.visible_commands(anna) == [{"command": "queue", "description": "Queue"}]
    await bot.delete_my_commands(scope=BotCommandScopeChat(111))
    assert api.visible_commands(anna) == [{"command": "start", "description": "Начать"}]

    await refused(bot.set_my_commands([BotCommand("Start", "x")]), api,
                  "Bad Request: BOT_COMMAND_INVALID")  # fmt: skip
    await refused(bot.set_my_commands([BotCommand("x" * 33, "x")]), api,
                  "Bad Request: BOT_COMMAND_INVALID")  # fmt: skip
    await refused(bot.set_my_commands([BotCommand("ok", "")]), api,
                  "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")  # fmt: skip
    await refused(bot.set_my_commands([BotCommand("ok", "d" * 257)]), api,
                  "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")  # fmt: skip
    many = [BotCommand(f"c{i}", "d") for i in range(101)]
    await refused(bot.set_my_commands(many), api, "Bad Request: BOT_COMMANDS_TOO_MUCH")
    await refused(
        bot.set_my_commands([BotCommand("ok", "d")], scope=BotCommandScopeChat(999)),
        api,
        "Bad Request: chat not found",
    )


async def test_chat_info_members_actions_and_menu(api: LocalBotApi, bot: Bot) -> None:
    anna = api.user(111, "Anna", username="anna", started=True)
    boris = api.user(112, "Boris")
    outsider = api.user(113, "Olga")
    group = api.group(-1001, "Marketing team", members=[anna, boris], owner=anna)
    chat = await bot.get_chat(group.id)
    assert (chat.type, chat.title) == ("group", "Marketing team")
    assert (await bot.get_chat(anna.id)).username == "anna"
    assert (await bot.get_chat_member(group.id, anna.id)).status == "creator"
    assert (await bot.get_chat_member(group.id, boris.id)).status == "member"
    assert (await bot.get_chat_member(group.id, outsider.id)).status == "left"
    api.remove_member(group, boris)
    assert (await bot.get_chat_member(group.id, boris.id)).status == "left"
    await refused(bot.get_chat_member(group.id, 5555), api, "Bad Request: user not found")

    await bot.send_chat_action(anna.id, ChatAction.TYPING)
    assert api.chat_actions(anna) == ["typing"]
    await bot.set_chat_menu_button(anna.id, MenuButtonCommands())
    assert api.menu_button(anna) == {"type": "commands"}
    assert await bot.log_out() and await bot.close()


async def test_flood_control_can_be_injected(
    api: LocalBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after warns otherwise
    api.user(111, "Anna", started=True)
    api.fail_next("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(111, "hi")
    assert caught.value.retry_after.total_seconds() == 3  # type: ignore[union-attr]
    await bot.send_message(111, "hi")  # only the next call fails
    assert api.refusals == []
    (failure,) = api.injected_failures
    assert (failure.method, failure.error.description) == (
        "sendMessage",
        "Too Many Requests: retry after 3",
    )
    api.fail_next("SENDMESSAGE", error_code=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(111, "hi")
    assert api.refusals == []


async def test_webhook_conflict_through_ptb(api: LocalBotApi, bot: Bot) -> None:
    await bot.set_webhook("https://example.com/partnerdesk")
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()
