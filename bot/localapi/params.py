"""Typed access to a Bot API call's parameters.

PTB sends form fields where strings are raw and every other value is JSON text
(`_requestparameter.py`); a plain JSON body or a query string works too, as with Telegram.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.localapi.errors import ApiError, bad_request, missing

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


@dataclass(frozen=True)
class Upload:
    """One file part of a multipart request."""

    filename: str
    content_type: str
    body: bytes


class Params:
    def __init__(
        self, values: Mapping[str, Any], files: Mapping[str, Upload] | None = None
    ) -> None:
        self.values: dict[str, Any] = dict(values)
        self.files: dict[str, Upload] = dict(files or {})

    def __contains__(self, name: object) -> bool:
        return name in self.values or name in self.files

    def log_view(self) -> dict[str, Any]:
        """The parameters as recorded in `requests`/`refusals`: JSON text decoded, files named."""
        view: dict[str, Any] = {}
        for name, value in self.values.items():
            view[name] = _maybe_json(value)
        for name, upload in self.files.items():
            view[name] = f"<file {upload.filename!r}, {len(upload.body)} bytes>"
        return view

    def get_str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        return json.dumps(value)

    def require_str(self, name: str, error: ApiError | None = None) -> str:
        value = self.get_str(name)
        if value is None or value == "":
            raise error or missing(name)
        return value

    def get_int(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f'field "{name}" must be of type Integer')
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f'field "{name}" must be of type Integer') from None

    def require_int(self, name: str, error: ApiError | None = None) -> int:
        value = self.get_int(name)
        if value is None:
            raise error or missing(name)
        return value

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise bad_request(f'field "{name}" must be of type Boolean')

    def get_json(self, name: str, error: ApiError | None = None) -> Any:
        """A JSON-serialized parameter (object or array), decoded; None when absent."""
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise error or bad_request(f"can't parse {name} JSON object") from None

    def chat_id(self, name: str = "chat_id") -> int | str:
        """A chat identifier: an integer or an `@username`."""
        value = self.values.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        if text.startswith("@"):
            return text
        try:
            return int(text)
        except ValueError:
            raise bad_request("chat not found") from None


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
