"""`python -m bot.localapi` and its console, for manual use and demos."""

from __future__ import annotations

import asyncio
import sys

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.localapi import LocalBotApi
from bot.localapi.console import Console


async def test_module_prints_its_base_url_and_serves_until_terminated() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.localapi", "--port", "0", "--token", "42:ABC",
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        base_url = ""
        while not base_url:
            line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
            assert line, "the server exited before printing its base URL"
            if line.startswith("base_url: "):
                base_url = line.removeprefix("base_url: ").strip()
        async with httpx.AsyncClient() as client:
            me = (await client.get(f"{base_url}42:ABC/getMe")).json()
        assert me["result"]["id"] == 42
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), 10) == 0


async def test_console_sends_as_users_and_shows_bot_messages(api: LocalBotApi, bot: Bot) -> None:
    output: list[str] = []
    console = Console(api, write=output.append)
    await console.handle("111 /start")
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.text == "/start"
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Approve", callback_data="ok")]])
    sent = await bot.send_message(111, "Welcome", reply_markup=markup)
    console.show_changes()
    assert output == [f"[chat 111 #{sent.message_id}] Welcome\n    [Approve]"]
    await bot.edit_message_text("Welcome!", chat_id=111, message_id=sent.message_id)
    console.show_changes()
    console.show_changes()
    assert output[1:] == [f"[chat 111 #{sent.message_id} edited] Welcome!"]
    await console.handle("111 !press 99 Approve")
    assert output[-1] == "no bot message 99 in chat 111"
    await console.handle("nonsense")
    assert output[-1].startswith("? 'nonsense'")
