"""The one codec for callback_data: `action:part:part`, at most 64 bytes (Telegram's limit).

Buttons carry opaque ids (application, member, field keys), never data to trust: every handler
looks the id up and re-checks who pressed.
"""

from __future__ import annotations

import re

MAX_BYTES = 64
SEPARATOR = ":"


def encode(action: str, *parts: object) -> str:
    data = SEPARATOR.join([action, *(str(p) for p in parts)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def decode(data: str) -> tuple[str, list[str]]:
    action, *parts = data.split(SEPARATOR)
    return action, parts


def pattern(action: str) -> re.Pattern[str]:
    """For CallbackQueryHandler(pattern=…): this action's buttons only."""
    return re.compile(rf"^{re.escape(action)}(?:{SEPARATOR}|$)")


MAX_ID = 2**63 - 1  # SQLite's INTEGER


def is_id(text: str) -> bool:
    """A row id as the bot writes it: ASCII digits that fit SQLite (`"²".isdigit()` is true,
    and 20 digits overflow the query)."""
    return text.isascii() and text.isdigit() and int(text) <= MAX_ID


def card_press(data: str) -> tuple[int, int, str, list[str]] | None:
    """`<action>:<id>:<version>:<step>[:…]` of a decision card → (id, version, step, rest)."""
    _, parts = decode(data)
    if len(parts) < 3 or not is_id(parts[0]) or not is_id(parts[1]):
        return None
    return int(parts[0]), int(parts[1]), parts[2], parts[3:]
