"""PTB's own Application and Updater, polling the local server like Telegram."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler
from telegram.ext import filters as flt

from bot.localapi import LocalBotApi
from tests.localapi.conftest import TOKEN


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_html(
        f"<b>echo:</b> {html.escape(update.effective_message.text)}",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Again", callback_data="again")]]),
        do_quote=True,
    )


async def again(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer("once more")


async def test_application_polls_and_echoes(api: LocalBotApi) -> None:
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    app.add_handler(MessageHandler(flt.TEXT & ~flt.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(again, pattern="^again$"))
    anna = api.user(111, "Anna")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            said = await api.send_text(anna, "hello & <bye>")
            reply = await api.next_message(anna)
            assert reply.text == "echo: hello & <bye>"
            assert reply.reply_to_message_id == said["message_id"]
            answer = await api.press(anna, reply, "Again")
            assert answer.text == "once more"
        finally:
            await app.updater.stop()
            await app.stop()
    # The Updater confirmed what it handled, and nothing it asked for was refused.
    assert api.state.updates == []
    api.assert_no_refusals()
