"""Chat messages as the page shows them: Telegram's entities back to safe HTML, files by id."""

from __future__ import annotations

from html import escape
from typing import Any

from bot.localapi.entities import Entity
from bot.localapi.models import BotMessage, Button, StoredMessage, UserMessage

_SIMPLE = {"bold": "b", "italic": "i", "underline": "u", "strikethrough": "s", "code": "code",
           "pre": "pre", "blockquote": "blockquote", "expandable_blockquote": "blockquote"}
_SPANS = {"spoiler": "spoiler", "mention": "mention", "hashtag": "tag", "cashtag": "tag",
          "email": "link", "phone_number": "link", "custom_emoji": "emoji"}


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
        return f'<a href="{escape(href)}" target="_blank" rel="noopener noreferrer">'
    if kind == "bot_command":
        return f'<span class="cmd" data-cmd="{escape(covered)}">'
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
    position = 0
    for entity in ordered:
        start, end = int(entity["offset"]), int(entity["offset"]) + int(entity["length"])
        while stack and stack[-1][0] <= start:
            stop, closing = stack.pop()
            out.append(escape(piece(position, stop), quote=False))
            out.append(closing)
            position = stop
        out.append(escape(piece(position, start), quote=False))
        position = start
        covered = piece(start, end)
        opening = _open_tag(entity, covered)
        out.append(opening)
        stack.append((end, _closing(opening)))
    while stack:
        stop, closing = stack.pop()
        out.append(escape(piece(position, stop), quote=False))
        out.append(closing)
        position = stop
    out.append(escape(piece(position, len(units) // 2), quote=False))
    return "".join(out)


def _buttons(rows: list[list[Button]]) -> list[list[dict[str, Any]]]:
    return [[{"text": b.text, "data": b.callback_data, "url": b.url,
              "contact": b.request_contact} for b in row] for row in rows]


def _file(file_id: str, name: str | None, kind: str) -> dict[str, Any]:
    return {"url": f"/files/{file_id}", "name": name, "kind": kind}


def message(stored: StoredMessage) -> dict[str, Any]:
    if isinstance(stored, BotMessage):
        return {
            "id": stored.message_id, "from": "bot", "kind": stored.kind,
            "html": to_html(stored.text, stored.entities),
            "buttons": _buttons(stored.buttons), "edited": stored.edit_count > 0,
            "edits": stored.edit_count, "deleted": stored.deleted,
            "force_reply": stored.force_reply, "reply_to": stored.reply_to_message_id,
            "file": _file(stored.file.file_id, stored.file.filename, stored.kind)
            if stored.file is not None else None,
        }
    return _user_message(stored)


def _user_message(stored: UserMessage) -> dict[str, Any]:
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
        "edited": False, "edits": 0, "deleted": False, "force_reply": False,
        "reply_to": int(replied["message_id"]) if replied else None, "file": file,
    }
