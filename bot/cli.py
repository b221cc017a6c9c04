"""The `partnerdesk` command: run, db migrate, db backup, rules …"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bot.cli_rules import add_rules_commands
from bot.clock import Clock
from bot.config import ConfigError, Settings, load_settings
from bot.private_files import PRIVATE_UMASK
from bot.services import privacy
from bot.status import collect
from bot.storage.database import Database

if TYPE_CHECKING:  # only `run` needs telegram, imported there
    from bot.app import AnyApplication

EXIT_USAGE = 2
T = TypeVar("T")

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

    run = commands.add_parser(
        "run", help="start the bot (long polling; a webhook when PARTNERDESK_WEBHOOK_URL is set)"
    )
    run.set_defaults(func=cmd_run)

    demo = commands.add_parser(
        "demo", help="try the bot without Telegram: the real bot and a local Bot API on"
                     " 127.0.0.1, played in the browser (a partner's and a manager's chat)",
        description="Starts the real bot against the built-in local Bot API server with demo"
                    " data, and serves a page with a partner's and a manager's chat. No token,"
                    " no network beyond 127.0.0.1; the real database is never touched.")
    demo.add_argument("--port", type=int, default=8080,
                      help="the page's port on 127.0.0.1 (default 8080; 0: any free port)")
    demo.add_argument("--dir", type=Path, default=Path("partnerdesk-demo"), metavar="DIR",
                      help="the demo's own database, files and clock (default ./partnerdesk-demo)")
    demo.add_argument("--reset", action="store_true",
                      help="forget the demo's data and clock, and seed it afresh")
    demo.set_defaults(func=cmd_demo)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(title="db commands", metavar="DB_COMMAND")
    migrate = db_commands.add_parser("migrate", help="apply pending migrations")
    migrate.set_defaults(func=cmd_db_migrate)
    backup = db_commands.add_parser(
        "backup", help="online backup into FILE, then integrity_check on the copy"
    )
    backup.add_argument("file", type=Path, metavar="FILE")
    backup.set_defaults(func=cmd_db_backup)

    status = commands.add_parser(
        "status", help="pending decisions, reports waiting, due reminders, the last update"
    )
    status.add_argument("--json", action="store_true", help="as JSON")
    status.set_defaults(func=cmd_status)

    privacy = commands.add_parser("privacy", help="personal data: export, erase")
    privacy_commands = privacy.add_subparsers(title="privacy commands", metavar="PRIVACY_COMMAND")
    export = privacy_commands.add_parser(
        "export", help="everything stored about one partner, as JSON"
    )
    export.add_argument("--partner", required=True, metavar="ID",
                        help="the partner ID the vendor issued")
    export.set_defaults(func=cmd_privacy_export)
    erase = privacy_commands.add_parser(
        "erase", help="remove a person's name, username and phone (business records stay)"
    )
    erase.add_argument("--person", required=True, type=int, metavar="TELEGRAM_ID")
    erase.set_defaults(func=cmd_privacy_erase)

    export = commands.add_parser(
        "export", help="the period's partners, applications, decisions, reports and ledger as"
                       " XLSX (or one CSV per sheet); listener contacts are never exported")
    export.add_argument("--from", dest="start", required=True, type=date.fromisoformat,
                        metavar="YYYY-MM-DD", help="the first day")
    export.add_argument("--to", dest="end", required=True, type=date.fromisoformat,
                        metavar="YYYY-MM-DD", help="the last day (included)")
    export.add_argument("--format", choices=("xlsx", "csv"), default="xlsx",
                        help="xlsx (default): one file; csv: a folder with one file per sheet")
    export.add_argument("target", type=Path, metavar="FILE",
                        help="the .xlsx file, or the folder for --format csv")
    export.set_defaults(func=cmd_export)

    add_rules_commands(commands)
    return parser


def configure_logging() -> None:
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
    from bot.app import build_application  # only `run` needs telegram

    configure_logging()
    os.umask(PRIVATE_UMASK)  # whatever a library writes on its own is private too
    serve(build_application(settings), settings)
    return 0


def serve(app: AnyApplication, settings: Settings) -> None:
    """Take updates until stopped: a webhook server when a URL is set, else long polling."""
    if settings.webhook_url:
        from bot.webhook import run_webhook

        run_webhook(app, settings)
    else:
        from bot.app import run_polling

        run_polling(app)


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo.server import serve  # only the demo needs telegram and tornado

    if not 0 <= args.port <= 65535:
        print(f"partnerdesk: --port {args.port} is not a port", file=sys.stderr)
        return EXIT_USAGE
    if args.port and not _port_free(args.port):  # say so before seeding or resetting anything
        print(f"partnerdesk: port {args.port} is busy (another demo?) — try --port 0 for any"
              " free port", file=sys.stderr)
        return 1
    configure_logging()
    os.umask(PRIVATE_UMASK)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    try:
        asyncio.run(serve(args.dir, args.port, fresh=args.reset))
    except OSError as exc:
        print(f"partnerdesk: the demo could not start: {exc}", file=sys.stderr)
        return 1
    return 0


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the web server binds
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


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


def _say_no_database(settings: Settings) -> None:
    print(f"partnerdesk: no database at {settings.database} — set PARTNERDESK_DATABASE to the"
          " bot's database file", file=sys.stderr)


def cmd_db_backup(args: argparse.Namespace) -> int:
    settings: Settings = load_settings()
    target: Path = args.file
    if not settings.database.exists():
        _say_no_database(settings)
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



def _on_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T | None:
    """Run `work` on the existing database; None (after saying so) when there is none."""
    if not settings.database.exists():
        _say_no_database(settings)
        return None

    async def run() -> T:
        db = await Database.open(settings.database)
        try:
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(run())


def cmd_status(args: argparse.Namespace) -> int:
    settings = load_settings()
    now = Clock(settings.timezone).now()
    found = _on_database(settings, lambda db: collect(db, now=now, settings=settings))
    if found is None:
        return 1
    print(json.dumps(found.as_dict(), indent=2) if args.json else "\n".join(found.lines()))
    return 0


def cmd_privacy_export(args: argparse.Namespace) -> int:
    settings = load_settings()
    now = Clock(settings.timezone).now()
    exported = _on_database(settings, lambda db: privacy.export_partner(db, args.partner, now=now))
    if exported is None:
        if settings.database.exists():
            print(f"partnerdesk: no partner with ID {args.partner}", file=sys.stderr)
        return 1
    print(json.dumps(exported, indent=2, ensure_ascii=False, default=str))
    return 0


def cmd_privacy_erase(args: argparse.Namespace) -> int:
    settings = load_settings()
    now = Clock(settings.timezone).now()
    erased = _on_database(settings, lambda db: privacy.erase_person(db, args.person, now=now))
    if erased is None:
        if settings.database.exists():
            print(f"partnerdesk: nothing is stored about Telegram id {args.person}",
                  file=sys.stderr)
        return 1
    print(f"erased the name, username and phone of {erased.telegram_id}"
          f" ({erased.drafts} unfinished form(s) deleted); business records keep"
          f" {privacy.ERASED!r} in their place (audit: person.erased)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from bot.services import export
    from bot.services.stats import Period

    if args.start > args.end:
        print("partnerdesk: --from is after --to", file=sys.stderr)
        return EXIT_USAGE
    settings = load_settings()
    sheets = _on_database(settings, lambda db: export.collect(db, Period(args.start, args.end)))
    if sheets is None:
        return 1
    if args.format == "csv":
        export.write_csv(sheets, args.target)
    else:
        export.write_xlsx(sheets, args.target)
    counts = ", ".join(f"{sheet.name} {len(sheet.rows)}" for sheet in sheets)
    print(f"{args.target}: {counts} (listener contacts are not exported)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
