"""sendMessage, edits, deleteMessage, sendChatAction, answerCallbackQuery."""

from __future__ import annotations

from typing import Any

from bot.localapi.errors import MESSAGE_NOT_MODIFIED, QUERY_TOO_OLD, bad_request, missing
from bot.localapi.methods.common import (
    apply_markup,
    current_inline_markup,
    editable_message,
    new_bot_message,
    reply_markup,
    reply_target,
)
from bot.localapi.methods.registry import method
from bot.localapi.models import BotMessage, CallbackAnswer
from bot.localapi.params import Params
from bot.localapi.state import BotState
from bot.localapi.validate import (
    CHAT_ACTIONS,
    MAX_CALLBACK_ANSWER,
    FormattedText,
    Markup,
    format_text,
)


@method("sendMessage")
async def send_message(state: BotState, p: Params) -> dict[str, Any]:
    chat_id = p.chat_id()
    formatted = format_text(
        p.get_str("text"), p.get_str("parse_mode"), p.get_json("entities"), caption=False
    )
    markup = reply_markup(p)
    chat = state.chat_for_send(chat_id)
    reply_to = reply_target(state, chat, p)
    state.admit_group_send("sendMessage", chat)
    message = new_bot_message(state, chat, "text", formatted, markup, reply_to)
    return state.message_dict(message)


@method("editMessageText")
async def edit_message_text(state: BotState, p: Params) -> dict[str, Any]:
    formatted = format_text(
        p.get_str("text"), p.get_str("parse_mode"), p.get_json("entities"), caption=False
    )
    markup = reply_markup(p, inline_only=True)
    message = editable_message(state, p)
    if message.kind != "text":
        raise bad_request("there is no text in the message to edit")
    _apply_edit(state, message, formatted, markup)
    return state.message_dict(message)


@method("editMessageCaption")
async def edit_message_caption(state: BotState, p: Params) -> dict[str, Any]:
    formatted = format_text(
        p.get_str("caption"), p.get_str("parse_mode"), p.get_json("caption_entities"), caption=True
    )
    markup = reply_markup(p, inline_only=True)
    message = editable_message(state, p)
    if message.kind == "text":
        raise bad_request("there is no caption in the message to edit")
    _apply_edit(state, message, formatted, markup)
    return state.message_dict(message)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(state: BotState, p: Params) -> dict[str, Any]:
    markup = reply_markup(p, inline_only=True)
    message = editable_message(state, p)
    if (markup.raw if markup else None) == current_inline_markup(message):
        raise bad_request(MESSAGE_NOT_MODIFIED)
    apply_markup(state, message, markup)
    _mark_edited(state, message)
    return state.message_dict(message)


def _apply_edit(
    state: BotState, message: BotMessage, formatted: FormattedText, markup: Markup | None
) -> None:
    # Like Telegram, an edit without reply_markup removes the inline keyboard.
    unchanged = (
        formatted.text == message.text
        and formatted.entities == message.entities
        and (markup.raw if markup else None) == current_inline_markup(message)
    )
    if unchanged:
        raise bad_request(MESSAGE_NOT_MODIFIED)
    message.text = formatted.text
    message.html = formatted.raw
    message.parse_mode = formatted.parse_mode
    message.entities = formatted.entities
    apply_markup(state, message, markup)
    _mark_edited(state, message)


def _mark_edited(state: BotState, message: BotMessage) -> None:
    state.mark_edited(message)


@method("deleteMessage")
async def delete_message(state: BotState, p: Params) -> bool:
    chat = state.lookup_chat(p.chat_id())
    message_id = p.require_int("message_id", bad_request("message identifier is not specified"))
    message = state.get_message(chat.id, message_id)
    if message is None or (isinstance(message, BotMessage) and message.deleted):
        raise bad_request("message to delete not found")
    if isinstance(message, BotMessage):
        message.deleted = True
        if state.keyboards.get(chat.id) is message:
            del state.keyboards[chat.id]
    elif chat.type != "private":
        raise bad_request("message can't be deleted")  # the bot is no admin of driver groups
    else:
        del state.messages[chat.id][message_id]
    state.changed.fire()
    return True


@method("sendChatAction")
async def send_chat_action(state: BotState, p: Params) -> bool:
    chat_id = p.chat_id()
    action = p.require_str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat = state.chat_for_send(chat_id)
    state.chat_actions.append((chat.id, action))
    return True


@method("answerCallbackQuery")
async def answer_callback_query(state: BotState, p: Params) -> bool:
    query_id = p.get_str("callback_query_id")
    if not query_id:
        raise missing("callback_query_id")
    text = p.get_str("text")
    if text is not None and len(text) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    pending = state.callbacks.get(query_id)
    if pending is None or pending.answered:
        raise bad_request(QUERY_TOO_OLD)
    pending.answer = CallbackAnswer(
        text=text or None, show_alert=p.get_bool("show_alert"), url=p.get_str("url")
    )
    pending.answered_event.set()
    state.changed.fire()
    return True
