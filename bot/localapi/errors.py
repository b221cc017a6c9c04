"""Errors the local Bot API answers with, worded like Telegram's."""

from __future__ import annotations

from typing import Any

_PREFIXES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class ApiError(Exception):
    """A Bot API refusal: becomes `{"ok": false, "error_code": ..., "description": ...}`."""

    def __init__(
        self,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        *,
        bot_bug: bool = True,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        # False for answers that say nothing about the bot's correctness (e.g. a long poll
        # superseded by the next one); those are not recorded as refusals.
        self.bot_bug = bot_bug

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    return ApiError(403, f"Forbidden: {reason}")


def conflict(reason: str) -> ApiError:
    return ApiError(409, f"Conflict: {reason}")


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized")


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def missing(name: str) -> ApiError:
    return bad_request(f'parameter "{name}" is required')


def flood(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def injected(error_code: int, retry_after: int | None, description: str | None = None) -> ApiError:
    """A failure requested through `fail_next`: flood control, a generic server error, or an
    error with Telegram's description after the status prefix."""
    if error_code == 429:
        error = flood(retry_after if retry_after is not None else 1)
    else:
        prefix = _PREFIXES.get(error_code, "Error")
        error = ApiError(error_code, f"{prefix}: {description}" if description else prefix)
    error.bot_bug = False
    return error


CHAT_NOT_FOUND = "chat not found"
MESSAGE_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
WRONG_FILE_ID = "wrong file identifier/HTTP URL specified"
