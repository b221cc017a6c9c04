"""Telegram-HTML (parse_mode=HTML) to plain text plus message entities.

Follows the structure of tdlib's `parse_html`, so the error texts match Telegram's
("Unsupported start tag "x" at byte offset N" and so on). It is stricter than Telegram in one
way, deliberately: a `&` that does not start one of the documented entities (&lt; &gt; &amp;
&quot; &#NNN; &#xHH;) is refused, because the documentation requires escaping it and a bot
that forgets will also forget to escape `<`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.localapi.entities import Entity, sort_entities, utf16_len

_SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del",
        "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip
_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
}
_MARKUP = re.compile("[&<]")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; str() is Telegram's explanation."""


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset in the output text
    attributes: set[str] = field(default_factory=set)


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[Entity] = []

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8"))

    def peek(self, index: int) -> str:
        return self.src[index] if index < len(self.src) else ""

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.utf16 += utf16_len(text)

    def run(self) -> tuple[str, list[Entity]]:
        while self.pos < len(self.src):
            char = self.src[self.pos]
            if char == "&":
                self.entity_reference()
            elif char == "<":
                if self.peek(self.pos + 1) == "/":
                    self.end_tag()
                else:
                    self.start_tag()
            else:  # plain text up to the next tag or entity, in one piece
                end = _MARKUP.search(self.src, self.pos)
                stop = end.start() if end else len(self.src)
                self.emit(self.src[self.pos : stop])
                self.pos = stop
        if self.stack:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        return "".join(self.out), sort_entities(self.entities)

    def entity_reference(self) -> None:
        decoded, end = decode_entity(self.src, self.pos)
        if decoded is None:
            raise HtmlParseError(
                f'Character "&" at byte offset {self.byte_offset(self.pos)} must be escaped '
                'as "&amp;"'
            )
        self.emit(decoded)
        self.pos = end

    def start_tag(self) -> None:
        begin = self.pos
        i = begin + 1
        while i < len(self.src) and not self.src[i].isspace() and self.src[i] != ">":
            i += 1
        if i >= len(self.src):
            raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = self.src[begin + 1 : i].lower()
        if name not in _SUPPORTED_TAGS:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        tag = _OpenTag(name=name, argument="", offset=self.utf16)
        i = self.attributes(tag, i, begin)
        if name == "span" and tag.argument != "spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        if name == "tg-emoji" and not tag.argument:
            raise HtmlParseError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset '
                f"{self.byte_offset(begin)}"
            )
        self.stack.append(tag)
        self.pos = i + 1

    def attributes(self, tag: _OpenTag, i: int, begin: int) -> int:
        """Parse attributes up to the closing `>`; returns its index."""
        src = self.src
        while self.peek(i) != ">":
            while i < len(src) and src[i].isspace():
                i += 1
            if self.peek(i) == ">":
                break
            if i >= len(src):
                raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            name_start = i
            while i < len(src) and not src[i].isspace() and src[i] not in "=>":
                i += 1
            attr = src[name_start:i].lower()
            if not attr:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag.name}" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            while i < len(src) and src[i].isspace():
                i += 1
            if self.peek(i) != "=":
                if tag.name == "blockquote" and attr == "expandable":
                    tag.attributes.add(attr)
                    continue
                raise HtmlParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag.name}" '
                    f"at byte offset {self.byte_offset(begin)}"
                )
            i += 1
            while i < len(src) and src[i].isspace():
                i += 1
            if i >= len(src):
                raise HtmlParseError(
                    f'Unclosed start tag "{tag.name}" at byte offset {self.byte_offset(begin)}'
                )
            value, i = self.attribute_value(i)
            if i >= len(src):
                raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            self.apply_attribute(tag, attr, value)
        return i

    def attribute_value(self, i: int) -> tuple[str, int]:
        src = self.src
        quote = src[i]
        if quote not in "'\"":
            start = i
            while i < len(src) and (src[i].isalnum() or src[i] in ".-"):
                i += 1
            if i < len(src) and not src[i].isspace() and src[i] != ">":
                raise HtmlParseError(
                    f"Unexpected end of name token at byte offset {self.byte_offset(start)}"
                )
            return src[start:i].lower(), i
        i += 1
        value: list[str] = []
        while i < len(src) and src[i] != quote:
            if src[i] == "&":
                decoded, end = decode_entity(src, i)
                if decoded is not None:
                    value.append(decoded)
                    i = end
                    continue
            value.append(src[i])
            i += 1
        if i < len(src):
            i += 1
        return "".join(value), i

    @staticmethod
    def apply_attribute(tag: _OpenTag, attr: str, value: str) -> None:
        tag.attributes.add(attr)
        if tag.name == "a" and attr == "href":
            tag.argument = value
        elif tag.name == "code" and attr == "class" and value.startswith("language-"):
            tag.argument = value.removeprefix("language-")
        elif tag.name == "span" and attr == "class" and value.startswith("tg-"):
            tag.argument = value.removeprefix("tg-")
        elif tag.name == "tg-emoji" and attr == "emoji-id":
            tag.argument = value

    def end_tag(self) -> None:
        begin = self.pos
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        i = begin + 2
        while i < len(self.src) and not self.src[i].isspace() and self.src[i] != ">":
            i += 1
        end_name = self.src[begin + 2 : i].lower()
        while i < len(self.src) and self.src[i].isspace():
            i += 1
        if self.peek(i) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        tag = self.stack[-1]
        if end_name and end_name != tag.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{tag.name}>", found "</{end_name}>"'
            )
        self.stack.pop()
        self.pos = i + 1
        self.close(tag)

    def close(self, tag: _OpenTag) -> None:
        length = self.utf16 - tag.offset
        if length <= 0:
            return
        entity: Entity = {"offset": tag.offset, "length": length}
        if tag.name in _SIMPLE_TYPES:
            entity["type"] = _SIMPLE_TYPES[tag.name]
            if tag.name == "code" and tag.argument:
                entity["language"] = tag.argument  # kept only when merged into a <pre>
        elif tag.name == "a":
            url = tag.argument or self.text_since(tag.offset)
            entity.update(type="text_link", url=url)
        elif tag.name == "tg-emoji":
            entity.update(type="custom_emoji", custom_emoji_id=tag.argument)
        elif tag.name == "blockquote":
            expandable = "expandable" in tag.attributes
            entity["type"] = "expandable_blockquote" if expandable else "blockquote"
        elif tag.name == "pre":
            entity["type"] = "pre"
            inner = self.entities[-1] if self.entities else None
            if (
                inner is not None
                and inner["type"] == "code"
                and inner["offset"] == tag.offset
                and inner["length"] == length
            ):
                self.entities.pop()
                if "language" in inner:
                    entity["language"] = inner["language"]
        self.entities.append(entity)

    def text_since(self, utf16_offset: int) -> str:
        text = "".join(self.out)
        encoded = text.encode("utf-16-le")[utf16_offset * 2 :]
        return encoded.decode("utf-16-le")


def decode_entity(text: str, pos: int) -> tuple[str | None, int]:
    """Decode the character reference at `pos` (which holds `&`): (character, end index)."""
    i = pos + 1
    if text[i : i + 1] == "#":
        i += 1
        hexadecimal = text[i : i + 1] in ("x", "X")
        if hexadecimal:
            i += 1
        digits_start = i
        allowed = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        while i < len(text) and text[i] in allowed:
            i += 1
        digits = text[digits_start:i]
        if not digits or text[i : i + 1] != ";":
            return None, pos
        code = int(digits, 16 if hexadecimal else 10)
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None, pos
        return chr(code), i + 1
    while i < len(text) and text[i].isalpha():
        i += 1
    name = text[pos + 1 : i]
    if name not in _NAMED or text[i : i + 1] != ";":
        return None, pos
    return _NAMED[name], i + 1


def parse_html(source: str) -> tuple[str, list[Entity]]:
    """Plain text and entities of a Telegram-HTML string; raises HtmlParseError."""
    text, entities = _Parser(source).run()
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return text, entities
