"""Message entities: UTF-16 offsets, bot commands in user text, whitespace trimming."""

from __future__ import annotations

import re
from typing import Any

Entity = dict[str, Any]

_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
# @username as Telegram apps mark it: 5-32 characters, starting with a letter; not inside a
# word, an e-mail address or a /command@bot.
_MENTION = re.compile(r"(?<![\w@/])@[A-Za-z][A-Za-z0-9_]{4,31}(?![\w@])")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's offsets and length limits."""
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[Entity]:
    """`bot_command` entities for every /command (or /command@bot) in a user's text."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: match.start()]),
            "length": utf16_len(match.group()),
        }
        for match in _COMMAND.finditer(text)
    ]


def mention_entities(text: str) -> list[Entity]:
    """`mention` entities for every @username in a user's text."""
    return [
        {
            "type": "mention",
            "offset": utf16_len(text[: match.start()]),
            "length": utf16_len(match.group()),
        }
        for match in _MENTION.finditer(text)
    ]


def user_text_entities(text: str) -> list[Entity]:
    """The entities a Telegram app adds to typed text: /commands and @mentions, in order."""
    return sort_entities(command_entities(text) + mention_entities(text))


def trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip surrounding whitespace the way Telegram does, keeping entities aligned."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    end = utf16_len(stripped)
    result: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        stop = min(entity["offset"] + entity["length"] - shift, end)
        if stop > start:
            result.append({**entity, "offset": start, "length": stop - start})
    return stripped, result


def sort_entities(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))
