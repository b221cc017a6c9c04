"""Fetching what a person sent from Telegram, for the services that keep it."""

from __future__ import annotations

import logging

from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.services.files import Refused

log = logging.getLogger(__name__)


async def download(context: ContextTypes.DEFAULT_TYPE, file_id: str) -> bytes:
    """The file's bytes. When Telegram refuses them (too big, gone, a network failure), the
    person is asked to send the file again instead of being told that something broke."""
    try:
        telegram_file = await context.bot.get_file(file_id)
        return bytes(await telegram_file.download_as_bytearray())
    except TelegramError as exc:
        log.warning("a file download was refused: %s", type(exc).__name__)
        raise Refused("download_failed") from exc
