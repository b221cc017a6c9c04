"""The error log's scrubbing: an exception that quotes what a person typed loses the quote."""

from __future__ import annotations

from telegram import Update

from bot.handlers.errors import REDACTED, failure_text

UPDATE = {"update_id": 7, "message": {
    "message_id": 3, "date": 0, "text": "8 (999) 765-43-21\nИван Петров",
    "chat": {"id": 55, "type": "private", "first_name": "Зинаида"},
    "from": {"id": 55, "is_bot": False, "first_name": "Зинаида", "last_name": "Соколова"}}}


def failure() -> ValueError:
    try:
        int("8 (999) 765-43-21\nИван Петров")
    except ValueError as exc:
        return exc
    raise AssertionError("int() took it")


def test_an_exception_quoting_the_typed_text_is_logged_without_it() -> None:
    update = Update.de_json(UPDATE, None)
    trace = failure_text(failure(), update, with_content=False)
    assert "ValueError: invalid literal for int() with base 10" in trace
    assert REDACTED in trace and "765-43-21" not in trace and "Петров" not in trace
    assert "765-43-21" in failure_text(failure(), update, with_content=True)
