"""Telegram-HTML parsing: what it accepts, the entities it yields, what it refuses."""

from __future__ import annotations

import pytest

from bot.localapi.html import HtmlParseError, parse_html


def test_plain_text_and_escapes_become_characters() -> None:
    text, entities = parse_html("a &lt;b&gt; &amp; &quot;c&quot; &#65;&#x42;")
    assert text == 'a <b> & "c" AB'
    assert entities == []


def test_the_supported_tags_give_their_entities() -> None:
    text, entities = parse_html(
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>x</s><strike>k</strike>"
        '<del>d</del><tg-spoiler>p</tg-spoiler><span class="tg-spoiler">q</span>'
        '<a href="https://example.com/?a=1&amp;b=2">link</a><code>c</code>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert text == "bsieunxkdpqlinkc👍"
    types = [e["type"] for e in entities]
    assert types == [
        "bold", "bold", "italic", "italic", "underline", "underline", "strikethrough",
        "strikethrough", "strikethrough", "spoiler", "spoiler", "text_link", "code",
        "custom_emoji",
    ]  # fmt: skip
    link = entities[11]
    assert link == {
        "offset": 11,
        "length": 4,
        "type": "text_link",
        "url": "https://example.com/?a=1&b=2",
    }
    assert entities[-1]["custom_emoji_id"] == "5368324170671202286"


def test_pre_with_inner_language_code_is_one_pre_entity() -> None:
    text, entities = parse_html('<pre><code class="language-python">print(1)</code></pre>')
    assert text == "print(1)"
    assert entities == [{"offset": 0, "length": 8, "type": "pre", "language": "python"}]


def test_blockquotes_plain_and_expandable() -> None:
    _, entities = parse_html("<blockquote>a</blockquote><blockquote expandable>b</blockquote>")
    assert [e["type"] for e in entities] == ["blockquote", "expandable_blockquote"]


def test_offsets_are_utf16_and_nested_entities_are_sorted() -> None:
    text, entities = parse_html("😀 <b>x<i>y</i></b>")
    assert text == "😀 xy"
    assert entities == [
        {"offset": 3, "length": 2, "type": "bold"},
        {"offset": 4, "length": 1, "type": "italic"},
    ]


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("Tom & Jerry", 'Character "&" at byte offset 4 must be escaped as "&amp;"'),
        ("&nbsp;", 'Character "&" at byte offset 0 must be escaped as "&amp;"'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("жж<u>", 'Can\'t find end tag corresponding to start tag "u"'),
        ("жж<p>", 'Unsupported start tag "p" at byte offset 4'),
    ],
)
def test_invalid_html_is_refused_with_telegrams_explanation(source: str, error: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(source)
    assert str(caught.value) == error
