"""Input errors in words that name the field at fault."""

from pydantic import ValidationError

_PLAIN = {
    "extra_forbidden": "unknown field",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
}


def field_path(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def describe_validation_error(exc: ValidationError) -> list[str]:
    """One line per problem: `field: what is wrong` (`(input)` when not about one field)."""
    lines = []
    for error in exc.errors(include_url=False):
        where = field_path(tuple(error["loc"])) or "(input)"
        message = _PLAIN.get(error["type"]) or error["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {message}")
    return lines
