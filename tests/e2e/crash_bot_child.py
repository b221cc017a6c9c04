"""The crash test's bot: `partnerdesk run` as the command runs it, with the clock moved forward
by argv[1] days (the report phase happens after the events). Configured by the environment."""

from __future__ import annotations

import sys
from datetime import timedelta

from bot.app import build_application
from bot.cli import configure_logging, serve
from bot.clock import Clock
from bot.config import load_settings


def main() -> None:
    settings = load_settings()
    configure_logging()
    app = build_application(settings, clock=Clock(settings.timezone,
                                                  offset=timedelta(days=int(sys.argv[1]))))
    serve(app, settings)


if __name__ == "__main__":
    main()
