"""Changing the buttons of a message someone pressed, where a double tap is normal."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup
from telegram.error import BadRequest


async def remove_buttons(query: CallbackQuery) -> None:
    """Take the buttons off the pressed message. A second tap that left the phone before the
    first was handled finds them gone: Telegram's «message is not modified» is no error."""
    await set_buttons(query, None)


async def set_buttons(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    try:
        await query.edit_message_reply_markup(markup)
    except BadRequest as exc:
        if not already_so(exc):
            raise


def already_so(exc: BadRequest) -> bool:
    """The edit had nothing to do: the message already looks so, or is gone."""
    text = str(exc)
    return "not modified" in text or "message to edit not found" in text


def cannot_edit(exc: BadRequest) -> bool:
    """The message is no longer there to edit: deleted by the person, or too old for Telegram."""
    text = str(exc).lower()
    return "message to edit not found" in text or "can't be edited" in text
