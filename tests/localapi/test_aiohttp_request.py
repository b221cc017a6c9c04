"""The bot's aiohttp client for the Bot API does what PTB's httpx client does: parameters,
uploads, downloads, Telegram's errors, and TimedOut / NetworkError when the network fails."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.bot_api_http import AiohttpRequest
from bot.localapi import LocalBotApi
from tests.localapi.conftest import TOKEN, make_png


@pytest.fixture
async def bot(api: LocalBotApi) -> AsyncIterator[Bot]:
    client = Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url,
                 request=AiohttpRequest(), get_updates_request=AiohttpRequest())
    await client.initialize()
    try:
        yield client
    finally:
        await client.shutdown()


async def test_messages_with_markup_uploads_and_downloads_go_through(
    api: LocalBotApi, bot: Bot
) -> None:
    anna = api.user(111, "Anna", started=True)
    assert bot.username == "partnerdesk_test_bot"
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Да", callback_data="yes")]])
    sent = await bot.send_message(anna.id, "<b>Привет</b> &amp; добро пожаловать",
                                  parse_mode=ParseMode.HTML, reply_markup=markup)
    seen = await api.next_message(anna)
    assert seen.text == "Привет & добро пожаловать" and seen.button_texts() == ["Да"]
    assert sent.message_id == seen.message_id

    png = make_png(seed=3)
    photo = await bot.send_photo(anna.id, png, caption="чек")
    assert photo.photo and photo.caption == "чек"
    file = await bot.get_file(photo.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == png

    document = await bot.send_document(anna.id, b"a;b\n1;2\n", filename="отчёт.csv")
    assert document.document is not None and document.document.file_name == "отчёт.csv"
    data = await (await bot.get_file(document.document.file_id)).download_as_bytearray()
    assert bytes(data) == b"a;b\n1;2\n"


async def test_telegram_refusals_come_back_as_ptb_errors(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(987654, "nobody is there")


async def test_a_closed_port_is_a_network_error() -> None:
    request = AiohttpRequest()
    client = Bot(TOKEN, base_url="http://127.0.0.1:9/bot", request=request)
    with pytest.raises(NetworkError) as caught:
        await client.initialize()
    assert not isinstance(caught.value, TimedOut)
    await request.shutdown()  # the Bot shuts down only what it initialised in full


async def test_a_server_that_never_answers_times_out() -> None:
    hold_up = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        await hold_up.wait()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = AiohttpRequest(read_timeout=0.3)
    client = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=request)
    try:
        with pytest.raises(TimedOut):
            await client.initialize()
    finally:
        await request.shutdown()
        hold_up.set()
        server.close()
        await server.wait_closed()


async def test_a_proxy_from_the_environment_carries_the_requests_unless_no_proxy_says_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[bytes] = []
    me = (b'{"ok": true, "result": {"id": 1, "is_bot": true, "first_name": "Desk",'
          b' "username": "desk_bot"}}')

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readline())
        while (await reader.readline()).strip():  # the headers; getMe has no body
            pass
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                     + str(len(me)).encode() + b"\r\nConnection: close\r\n\r\n" + me)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(proxy, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    telegram_api = "http://api.telegram.example:9/bot"
    request = AiohttpRequest()
    try:
        client = Bot(TOKEN, base_url=telegram_api, request=request)
        await client.initialize()
        assert client.username == "desk_bot"
        assert seen == [f"POST {telegram_api}{TOKEN}/getMe HTTP/1.1\r\n".encode()]

        monkeypatch.setenv("NO_PROXY", "api.telegram.example")
        direct = AiohttpRequest()  # read once per host: a new client sees the change
        with pytest.raises(NetworkError):
            await Bot(TOKEN, base_url=telegram_api, request=direct).initialize()
        await direct.shutdown()
        assert len(seen) == 1
    finally:
        await request.shutdown()
        server.close()
        await server.wait_closed()
