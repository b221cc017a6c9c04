"""`python -m bot.localapi --port 8081`: run the local Bot API server until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from bot.localapi.console import USAGE, Console
from bot.localapi.driver import LocalBotApi


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bot.localapi", description="A local Telegram Bot API server."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--bot-username", default="partnerdesk_test_bot")
    parser.add_argument(
        "--no-privacy",
        action="store_true",
        help="deliver every group message to the bot (privacy mode off)",
    )
    parser.add_argument(
        "--group-rate-limit",
        type=int,
        metavar="N",
        help="answer 429 beyond N bot messages a minute in one group (Telegram: about 20)",
    )
    parser.add_argument(
        "--console", action="store_true", help="read user actions from stdin, print bot messages"
    )
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


async def _serve(args: argparse.Namespace) -> None:
    api = LocalBotApi(
        token=args.token,
        bot_username=args.bot_username,
        host=args.host,
        port=args.port,
        privacy_mode=not args.no_privacy,
        group_rate_limit=args.group_rate_limit,
    )
    await api.start()
    print(f"Local Bot API for @{args.bot_username}, token {args.token}", flush=True)
    print(f"base_url: {api.base_url}", flush=True)
    print(f"base_file_url: {api.base_file_url}", flush=True)
    tasks: list[asyncio.Task[None]] = []
    if args.console:
        console = Console(api, write=lambda text: print(text, flush=True))
        print(USAGE, flush=True)
        tasks = [asyncio.create_task(console.watch()), asyncio.create_task(console.read_stdin())]
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        for task in tasks:
            task.cancel()
        await api.stop()


if __name__ == "__main__":
    main()
