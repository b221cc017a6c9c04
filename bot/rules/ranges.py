"""A range the manager picks from: `min` with every discretionary reduction applied, `max`
without any."""

from typing import NamedTuple


class Range(NamedTuple):
    min: int
    max: int


ZERO = Range(0, 0)
