"""`partnerdesk rules assess CASE.json` and `partnerdesk rules spend ORDER.json`.

No token, database or network: a manager asks "what would this earn?", outside tools check the
rules. Bad input exits 2 with a message naming the field; it never prints a half-right answer.
"""

import argparse
import json
import os
import sys
import types
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from bot.rules import (
    Case,
    Order,
    Rulebook,
    RulebookError,
    assess,
    describe_validation_error,
    load_rulebook,
    rulebook_path_from_env,
    spend,
)

EXIT_OK = 0
EXIT_BAD_INPUT = 2

Model = TypeVar("Model", bound=BaseModel)


class BadInput(Exception):
    """Input the command refuses; the message says what and where."""


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise BadInput(f"{key}: given twice")
        out[key] = value
    return out


def read_json(source: str) -> Any:
    """JSON from a file ("-" for stdin) with exact decimals: 0.1 ruble stays 0.1."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {source}: {exc}") from None
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_constant=Decimal,  # NaN/Infinity: refused later by the field that gets them
            object_pairs_hook=_reject_duplicates,
        )
    except json.JSONDecodeError as exc:
        raise BadInput(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None


def _validate(model: type[Model], data: Any) -> Model:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BadInput("; ".join(describe_validation_error(exc))) from None


def _rulebook(args: argparse.Namespace) -> Rulebook:
    path: Path | None = args.rulebook or rulebook_path_from_env(os.environ)
    try:
        return load_rulebook(path)
    except RulebookError as exc:
        raise BadInput(f"rulebook {exc}") from None


def _answer(args: argparse.Namespace, answer: Callable[[Rulebook, Any], dict[str, object]]) -> int:
    try:
        data = read_json(args.file)
        result = answer(_rulebook(args), data)
    except BadInput as exc:
        print(f"partnerdesk rules {args.rules_command}: {args.file}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    # JSON may escape non-ASCII; do so only where stdout could not carry UTF-8
    utf8 = (sys.stdout.encoding or "").lower().replace("-", "") == "utf8"
    sys.stdout.write(json.dumps(result, ensure_ascii=not utf8, indent=2) + "\n")
    return EXIT_OK


def cmd_assess(args: argparse.Namespace) -> int:
    return _answer(args, lambda book, data: assess(book, _validate(Case, data)).to_json_dict())


def cmd_spend(args: argparse.Namespace) -> int:
    return _answer(args, lambda book, data: spend(book, _validate(Order, data)).to_json_dict())


_COMMANDS: tuple[tuple[str, Callable[[argparse.Namespace], int], str, str, type[BaseModel]],
                 ...] = (
    ("assess", cmd_assess, "CASE.json", "what a case would earn, as JSON", Case),
    ("spend", cmd_spend, "ORDER.json", "how a bonus balance pays an order, as JSON", Order),
)


def describe_fields(model: type[BaseModel], indent: str = "  ") -> str:
    """The JSON object's fields as `--help` shows them, read from the model itself (so the help
    cannot drift from what is accepted): name, what it takes, and its default."""
    lines = []
    for name, field in model.model_fields.items():
        what, nested = _what(field.annotation, list(field.metadata))
        default = "required" if field.is_required() else (
            f"default {json.dumps(_plain(field.default))}")
        lines.append(f"{indent}{name}: {what} ({default})")
        if nested is not None:
            lines.append(describe_fields(nested, indent + "    "))
    return "\n".join(lines)


def _what(annotation: Any, metadata: list[Any]) -> tuple[str, type[BaseModel] | None]:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, types.UnionType):
        return _what(next(a for a in args if a is not type(None)), metadata)
    if origin is Annotated:
        return _what(args[0], [*metadata, *args[1:]])
    if origin is tuple and args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        return "a list of objects with the fields below", args[0]
    validators = {getattr(getattr(m, "func", None), "__name__", "") for m in metadata}
    if "rubles_to_kopecks" in validators:
        return "rubles, a number (kopecks after the point)", None
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "one of " + ", ".join(str(member.value) for member in annotation), None
    if annotation is date:
        return "a date, YYYY-MM-DD", None
    if annotation is bool:
        return "true or false", None
    if annotation is int:
        return "a whole number, 0 or more", None
    if annotation in (float, Decimal):
        return "a number", None
    return "text", None


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _add_assess_and_spend(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]",
) -> None:
    for name, func, metavar, summary, model in _COMMANDS:
        command = commands.add_parser(
            name, help=summary, description=summary,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            epilog=f"{metavar} is one JSON object; unknown fields are refused. Its fields:\n"
                   + describe_fields(model))
        command.add_argument("file", metavar=metavar, help='a JSON file, or "-" for stdin')
        command.add_argument(
            "--rulebook",
            metavar="FILE",
            type=Path,
            help="the rulebook to use (default: $PARTNERDESK_RULEBOOK, else the shipped one)",
        )
        command.set_defaults(func=func, rules_command=name)


def add_rules_commands(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    rules = subparsers.add_parser(
        "rules",
        help="assess a case or a bonus spend from JSON (no token, database or network)",
        description="Answer from the rulebook alone: what a case earns, how a bonus pays.",
    )
    commands = rules.add_subparsers(title="rules commands", metavar="RULES_COMMAND")
    _add_assess_and_spend(commands)

    def show_help(args: argparse.Namespace) -> int:
        rules.print_help(sys.stderr)
        return EXIT_BAD_INPUT

    rules.set_defaults(func=show_help)


def build_parser() -> argparse.ArgumentParser:
    """Just the rules commands, for `python -m bot.cli_rules assess CASE.json`."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.cli_rules", description="Partner Desk rules, without the bot."
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    _add_assess_and_spend(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    exit_code: int = args.func(args)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
