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


def card_press(data: str) -> tuple[int, int, str, list[str]] | None:
    """`<action>:<id>:<version>:<step>[:…]` of a decision card → (id, version, step, rest)."""
    _, parts = decode(data)
    if len(parts) < 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return int(parts[0]), int(parts[1]), parts[2], parts[3:]
