"""What a person does on the phone, step by step, for tests to reuse."""

from __future__ import annotations

from bot.localapi import LocalBotApi
from bot.localapi.models import BotMessage, TgUser


async def say(api: LocalBotApi, user: TgUser, text: str) -> BotMessage:
    """Type a message and return the bot's next message in that chat."""
    await api.send_text(user, text)
    return await api.next_message(user.id)


async def tap(api: LocalBotApi, user: TgUser, message: BotMessage, button: str) -> BotMessage:
    """Press a button and return the bot's next message in that chat."""
    await api.press(user, message, button)
    return await api.next_message(user.id)


async def join_new_partner(
    api: LocalBotApi, user: TgUser, *, code: str = "P-100", company: str = "Ромашка",
    city: str = "Казань", status: str = "Золотой", phone: str = "+79991234567",
) -> BotMessage:
    """/start → the joining questions of a partner new to the program; returns the last reply."""
    await api.send_text(user, "/start")
    await api.next_message(user.id)  # the welcome with the partner ID question
    await say(api, user, code)  # → a note and the company question come as one message
    await say(api, user, company)
    status_question = await say(api, user, city)
    name_question = await tap(api, user, status_question, status)
    full_name = " ".join(filter(None, (user.first_name, user.last_name)))
    await tap(api, user, name_question, full_name)
    await api.send_contact(user, phone_number=phone)
    return await api.next_message(user.id)
