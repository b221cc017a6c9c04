"""Chat messages as the page shows them: Telegram's entities back to safe HTML, files by id."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from html import escape
from typing import Any

from bot.localapi.entities import Entity
from bot.localapi.models import BotMessage, Button, StoredMessage, UserMessage

_SIMPLE = {"bold": "b", "italic": "i", "underline": "u", "strikethrough": "s", "code": "code",
           "pre": "pre", "blockquote": "blockquote", "expandable_blockquote": "blockquote"}
_SPANS = {"spoiler": "spoiler", "mention": "mention", "hashtag": "tag", "cashtag": "tag",
          "email": "link", "phone_number": "link", "custom_emoji": "emoji"}


# What a Telegram app makes tappable in a message's plain text: /commands and web links.
_TAPPABLE = re.compile(r"(?P<cmd>(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?)"
                       r"|(?P<url>https?://[^\s<>\"«»]*[^\s<>\"«».,;:!?)])")


def _command_link(command: str) -> str:
    return f'<a class="cmd" href="#" data-cmd="{escape(command)}">'


def _link(href: str) -> str:
    return f'<a href="{escape(href)}" target="_blank" rel="noopener noreferrer">'


def _plain(text: str) -> str:
    """Escaped text whose /commands and links are tappable, as in a Telegram app."""
    out, position = [], 0
    for match in _TAPPABLE.finditer(text):
        out.append(escape(text[position:match.start()], quote=False))
        found = match.group()
        opening = _command_link(found) if match.group("cmd") else _link(found)
        out.append(f"{opening}{escape(found, quote=False)}</a>")
        position = match.end()
    out.append(escape(text[position:], quote=False))
    return "".join(out)


def _safe_url(url: str) -> str | None:
    return url if url.startswith(("http://", "https://", "tg://")) else None


def _open_tag(entity: Entity, covered: str) -> str:
    kind = str(entity.get("type"))
    if kind in _SIMPLE:
        return f"<{_SIMPLE[kind]}>"
    if kind in ("text_link", "url"):
        href = _safe_url(str(entity.get("url") or covered))
        if href is None:
            return "<span>"
        return _link(href)
    if kind == "bot_command":
        return _command_link(covered)
    return f'<span class="{_SPANS.get(kind, "entity")}">'


def _closing(opening: str) -> str:
    name = opening[1:].split(">", 1)[0].split(" ", 1)[0]
    return f"</{name}>"


def to_html(text: str, entities: list[Entity]) -> str:
    """The text with its entities as HTML tags; everything else escaped. Entities come from
    Telegram's own parsing, so they nest; offsets are in UTF-16 code units."""
    units = text.encode("utf-16-le")

    def piece(start: int, stop: int) -> str:
        return units[2 * start: 2 * stop].decode("utf-16-le", "replace")

    ordered = sorted(entities, key=lambda e: (int(e["offset"]), -int(e["length"])))
    out: list[str] = []
    stack: list[tuple[int, str]] = []  # (end, closing tag)

    def text_of(start: int, stop: int) -> str:
        """Plain text; inside a link already, its words are not made links again."""
        inside_link = any(closing == "</a>" for _, closing in stack)
        return escape(piece(start, stop), quote=False) if inside_link else _plain(
            piece(start, stop))

    position = 0
    for entity in ordered:
        start, end = int(entity["offset"]), int(entity["offset"]) + int(entity["length"])
        while stack and stack[-1][0] <= start:
            stop, closing = stack[-1]
            out.append(text_of(position, stop))
            stack.pop()
            out.append(closing)
            position = stop
        out.append(text_of(position, start))
        position = start
        covered = piece(start, end)
        opening = _open_tag(entity, covered)
        out.append(opening)
        stack.append((end, _closing(opening)))
    while stack:
        stop, closing = stack[-1]
        out.append(text_of(position, stop))
        stack.pop()
        out.append(closing)
        position = stop
    out.append(text_of(position, len(units) // 2))
    return "".join(out)


def _buttons(rows: list[list[Button]]) -> list[list[dict[str, Any]]]:
    return [[{"text": b.text, "data": b.callback_data, "url": b.url,
              "contact": b.request_contact} for b in row] for row in rows]


def _file(file_id: str, name: str | None, kind: str) -> dict[str, Any]:
    return {"url": f"/files/{file_id}", "name": name, "kind": kind}


def sent_at(timestamp: int, zone: tzinfo) -> str:
    """When a message came, as the page shows it: «Пн 14.12 09:05»."""
    return datetime.fromtimestamp(timestamp, zone).strftime("%a %d.%m %H:%M")


def message(stored: StoredMessage, zone: tzinfo) -> dict[str, Any]:
    if isinstance(stored, BotMessage):
        return {
            "id": stored.message_id, "from": "bot", "kind": stored.kind,
            "at": sent_at(stored.date, zone),
            "html": to_html(stored.text, stored.entities),
            "buttons": _buttons(stored.buttons), "edited": stored.edit_count > 0,
            "edits": stored.edit_count, "deleted": stored.deleted,
            "force_reply": stored.force_reply, "reply_to": stored.reply_to_message_id,
            "file": _file(stored.file.file_id, stored.file.filename, stored.kind)
            if stored.file is not None else None,
        }
    return _user_message(stored, zone)


def _user_message(stored: UserMessage, zone: tzinfo) -> dict[str, Any]:
    payload = stored.payload
    file = None
    kind = "text"
    html = escape(stored.text, quote=False)
    if payload.get("photo"):
        kind, file = "photo", _file(str(payload["photo"][-1]["file_id"]), None, "photo")
    elif payload.get("document"):
        document = payload["document"]
        kind = "document"
        file = _file(str(document["file_id"]), document.get("file_name"), "document")
    elif payload.get("contact"):
        kind = "contact"
        html = "📞 " + escape(str(payload["contact"].get("phone_number", "")), quote=False)
    replied = payload.get("reply_to_message")
    return {
        "id": stored.message_id, "from": "user", "kind": kind, "html": html, "buttons": [],
        "at": sent_at(int(payload.get("date", 0)), zone),
        "edited": False, "edits": 0, "deleted": False, "force_reply": False,
        "reply_to": int(replied["message_id"]) if replied else None, "file": file,
    }
