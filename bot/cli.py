"""The `partnerdesk` command: run, db migrate, db backup, rules …"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.cli_rules import add_rules_commands
from bot.config import ConfigError, Settings, load_settings
from bot.storage.database import Database

EXIT_USAGE = 2

NO_TOKEN = """\
TELEGRAM_BOT_TOKEN is not set.
Get a token from @BotFather in Telegram (send /newbot, choose a name and a username),
then start the bot with it:
    TELEGRAM_BOT_TOKEN=123456:ABC... partnerdesk run"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return func(args)
    except ConfigError as exc:
        print(f"partnerdesk: configuration error\n{exc}", file=sys.stderr)
        return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partnerdesk", description="Partner Desk: the partner marketing program in Telegram."
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser("run", help="start the bot (long polling)")
    run.set_defaults(func=cmd_run)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(title="db commands", metavar="DB_COMMAND")
    migrate = db_commands.add_parser("migrate", help="apply pending migrations")
    migrate.set_defaults(func=cmd_db_migrate)
    backup = db_commands.add_parser(
        "backup", help="online backup into FILE, then integrity_check on the copy"
    )
    backup.add_argument("file", type=Path, metavar="FILE")
    backup.set_defaults(func=cmd_db_backup)

    add_rules_commands(commands)
    return parser


def _configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request at INFO: one line per getUpdates is noise.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def cmd_run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.telegram_bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_USAGE
    from bot.app import ALLOWED_UPDATES, build_application  # only `run` needs telegram

    _configure_logging()
    app = build_application(settings)
    app.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0


def cmd_db_migrate(args: argparse.Namespace) -> int:
    settings = load_settings()

    async def migrate() -> list[str]:
        db = await Database.open(settings.database)
        try:
            return await db.migrate()
        finally:
            await db.close()

    applied = asyncio.run(migrate())
    print(f"{settings.database}: " + (", ".join(applied) if applied else "up to date"))
    return 0


def cmd_db_backup(args: argparse.Namespace) -> int:
    settings: Settings = load_settings()
    target: Path = args.file
    if not settings.database.exists():
        print(f"partnerdesk: no database at {settings.database}", file=sys.stderr)
        return 1

    async def backup() -> str:
        db = await Database.open(settings.database)
        try:
            return await db.backup_to(target)
        finally:
            await db.close()

    verdict = asyncio.run(backup())
    if verdict != "ok":
        print(f"partnerdesk: backup {target} failed integrity_check: {verdict}", file=sys.stderr)
        return 1
    print(f"backup written to {target} (integrity_check: ok)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
