"""Every text exists in both languages, renders, and is used by the code under a key that exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jinja2
import markupsafe
import pytest

from bot.i18n import LANGUAGES, Texts

ROOT = Path(__file__).resolve().parents[2]
TEXTS = Texts()


def test_russian_and_english_have_the_same_texts() -> None:
    assert set(TEXTS.keys("ru")) == set(TEXTS.keys("en"))


@pytest.mark.parametrize("key", sorted(TEXTS.keys("ru")))
def test_both_languages_take_the_same_parameters(key: str) -> None:
    params = {language: TEXTS.parameters(language, key) for language in LANGUAGES}
    assert params["ru"] == params["en"], key


def test_a_missing_parameter_is_an_error_not_an_empty_gap() -> None:
    with pytest.raises(jinja2.UndefinedError):
        TEXTS.render("en", "start.partner_back")


def test_user_input_is_escaped_for_telegram_html() -> None:
    text = TEXTS.render("en", "start.partner_back", name="<b>Ann & Co</b>")
    assert "&lt;b&gt;Ann &amp; Co&lt;/b&gt;" in text


@pytest.mark.parametrize(
    ("telegram_code", "expected"),
    [("en", "en"), ("en-GB", "en"), ("ru", "ru"), ("de", "ru"), (None, "ru")],
)
def test_the_language_follows_telegram_with_the_default_for_others(
    telegram_code: str | None, expected: str
) -> None:
    assert TEXTS.language_for(telegram_code) == expected


def _keys_named_in_code() -> set[str]:
    groups = {key.split(".")[0] for key in TEXTS.keys("ru")}
    pattern = re.compile(rf"^({'|'.join(map(re.escape, groups))})\.[a-z0-9_.]*[a-z0-9_]$")
    found = set()
    for path in (ROOT / "bot").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Audit action names (`action="report.sent"`) look like text keys but are not.
        audit_names = {id(k.value) for k in ast.walk(tree)
                       if isinstance(k, ast.keyword) and k.arg == "action"}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in audit_names and pattern.match(node.value)):
                found.add(node.value)
    return found


def test_every_text_the_code_names_exists() -> None:
    """A name in the code is a text, or the prefix of a group of texts (a form's options)."""
    named = _keys_named_in_code()
    assert named, "the scan found no text keys at all"
    keys = set(TEXTS.keys("ru"))
    missing = {n for n in named if n not in keys and not any(k.startswith(n + ".") for k in keys)}
    assert missing == set()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_typed_reason_keeps_one_full_stop(language: str) -> None:
    for key, source in TEXTS.keys(language).items():
        if "reason | clause" not in source:
            continue
        params = {name: "X" for name in TEXTS.parameters(language, key)}
        rendered = TEXTS.render(language, key, **{**params, "reason": "переделайте заново."})
        assert "заново." in rendered and ".." not in rendered, key
    assert not [key for key, source in TEXTS.keys(language).items()
                if "{{ reason }}." in source]


@pytest.mark.parametrize("language", LANGUAGES)
def test_names_are_quoted_by_the_filter_so_never_twice(language: str) -> None:
    hand_quoted = [key for key, source in TEXTS.keys(language).items()
                   if re.search(r"«\{\{", source)]
    assert not hand_quoted, hand_quoted


@pytest.mark.parametrize(("name", "shown"), [
    ("Веб-Студия Ромашка", "«Веб-Студия Ромашка»"),
    ("ООО «Веб-Студия Ромашка»", "ООО «Веб-Студия Ромашка»"),
    ('ООО "Ромашка"', "ООО &#34;Ромашка&#34;"),
    ("«Зерно»", "«Зерно»"),
])
def test_a_name_with_quotes_of_its_own_is_not_quoted_again(name: str, shown: str) -> None:
    for language in LANGUAGES:
        text = TEXTS.render(language, "stats.bad_period", period=name)
        assert shown in text and "»»" not in text and "««" not in text


def test_a_promise_reminder_does_not_guess_the_partner_gender() -> None:
    text = TEXTS.render("ru", "reminders.promise.them", id=1, title="Семинар",
                        event_date="10.12.2026", name="Кофейня «Зерно»", item="анонс")
    assert "выполнил" not in text and "партнёром <b>Кофейня «Зерно»</b>: анонс" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_line_ending_in_a_block_tag_keeps_its_line_break(language: str) -> None:
    """trim_blocks eats the line break after `{% endif %}`: «…ещё нет.Анонс» unless `+%}`."""
    glued = []
    for key, source in TEXTS.keys(language).items():
        lines = source.split("\n")
        glued += [key for line in lines[:-1]
                  if re.search(r"(?<!\+)%\}$", line) and not re.fullmatch(r"\s*\{%[^%]*%\}", line)]
    assert not glued, glued


def test_the_info_support_intro_keeps_its_sentences_apart() -> None:
    text = TEXTS.render("ru", "support.info_intro", id=1, title="Семинар", templates=False)
    assert "нет.\nАнонс" in text


def test_a_text_rendered_again_is_the_same_and_never_another_values(tmp_path: Path) -> None:
    """Recent renders are kept; values equal in Python but shown differently (1, 1.0, True; a
    name and markup) each get their own text, and a list is rendered anew every time."""
    for language in LANGUAGES:
        (tmp_path / language).mkdir()
        (tmp_path / language / "t.toml").write_text(
            'shown = "{{ v }}"\nitems = "{{ v | join(\', \') }}"\n', encoding="utf-8")
    texts = Texts(root=tmp_path)
    shown = [texts.render("en", "t.shown", v=v) for v in (1, 1.0, True, 1, "<b>",
                                                         markupsafe.Markup("<b>"), "<b>")]
    assert shown == ["1", "1.0", "True", "1", "&lt;b&gt;", "<b>", "&lt;b&gt;"]
    items = ["a"]
    assert texts.render("en", "t.items", v=items) == "a"
    items.append("b")
    assert texts.render("en", "t.items", v=items) == "a, b"
