"""The one place that reads the time, so tests and the demo can move it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


class Clock:
    """The wall clock in the program's timezone, optionally shifted (demo "jump a day")."""

    def __init__(self, tz: ZoneInfo, offset: timedelta = timedelta()) -> None:
        self.tz = tz
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC).astimezone(self.tz) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta
