"""What a person does on the phone, step by step, for tests to reuse."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.localapi import LocalBotApi
from bot.localapi.models import BotMessage, TgUser

Send = Callable[[LocalBotApi, TgUser], Awaitable[object]]
# Everything a phone sends besides text, contacts, photos and files.
OTHER_MESSAGES: dict[str, Send] = {
    "sticker": lambda api, u: api.send_sticker(u),
    "voice": lambda api, u: api.send_voice(u),
    "video note": lambda api, u: api.send_video_note(u),
    "location": lambda api, u: api.send_location(u),
    "poll": lambda api, u: api.send_poll(u),
    "dice": lambda api, u: api.send_dice(u),
    "video": lambda api, u: api.send_video(u),
    "audio": lambda api, u: api.send_audio(u),
}


# Every prefix the bot's buttons use, and what an old version or a modified client may send.
PREFIXES = ("a", "rp", "rs", "rk", "d", "rv", "rc", "rq", "bl", "sp", "in", "iv", "cp", "cps",
            "ll", "j", "f", "ev", "rm", "zzz")
TAILS = ("", ":", ":x", ":1", ":1:2", ":1:2:x", ":x:y:z:w", ":99999999999999999999:1:ok",
         ":-1:0:ok", ":1:1:r:no:nope", ":apply:kind:nope", ":send", ":edit:nope", ":fix:x")


def garbage_data() -> list[str]:
    return [(prefix + tail)[:64] for prefix in PREFIXES for tail in TAILS]


async def say(api: LocalBotApi, user: TgUser, text: str) -> BotMessage:
    """Type a message and return the bot's next message in that chat."""
    await api.send_text(user, text)
    return await api.next_message(user.id)


def edits_in_place(callback_data: str) -> bool:
    """A form's answer (its question edited into the next) or a summary's «Send» (the summary
    edited into the confirmation)."""
    return (callback_data.startswith(("f:", "rq:s:"))
            or callback_data in ("a:send", "rs:send"))


async def tap(api: LocalBotApi, user: TgUser, message: BotMessage, button: str) -> BotMessage:
    """Press a button and return the bot's next message in that chat — or, for a form's
    button or a summary's «Send», the pressed message once edited (see `edits_in_place`)."""
    html = message.html
    form_step = any(b.text == button and edits_in_place(b.callback_data or "")
                    for row in message.buttons for b in row)
    await api.press(user, message, button)
    if form_step:
        return await api.next_message_or_edit(user.id, message, html)
    return await api.next_message(user.id)


ANEW = ("Ответить заново", "Answer anew")


async def answer_anew(api: LocalBotApi, user: TgUser, question: BotMessage) -> BotMessage:
    """On «As last time?» (the company applied before), answer every question again, as a
    script written for a first application does; any other message comes back as it is."""
    button = next((b for b in ANEW if b in question.button_texts()), None)
    return question if button is None else await tap(api, user, question, button)


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
