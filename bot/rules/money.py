"""Money is integer kopecks inside; rubles (up to 2 decimals) only at the edges."""

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator

KOPECKS_PER_RUBLE = 100
MAX_RUBLES = 10**12  # far above any marketing budget; keeps Decimal arithmetic exact


def rubles_to_kopecks(value: object) -> int:
    """A non-negative amount of rubles (int, Decimal or float, at most 2 decimals) in kopecks."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("must be a number of rubles")
    # str() of a float is its shortest round-trip form: 0.1 stays 0.1, not 0.1000…0555
    amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not amount.is_finite():
        raise ValueError("must be a finite number of rubles")
    if amount < 0:
        raise ValueError("must not be negative")
    if amount > MAX_RUBLES:
        raise ValueError(f"must be at most {MAX_RUBLES:,} rubles")
    kopecks = amount * KOPECKS_PER_RUBLE
    if kopecks != kopecks.to_integral_value():
        raise ValueError("must have at most 2 decimals (kopecks)")
    return int(kopecks)


def kopecks_to_rubles(kopecks: int) -> int | float:
    """Whole rubles as an int, otherwise a float with kopecks (exact to 2 decimals in JSON)."""
    rubles, rest = divmod(kopecks, KOPECKS_PER_RUBLE)
    if rest == 0:
        return rubles
    return float(Decimal(kopecks) / KOPECKS_PER_RUBLE)


Rubles = Annotated[int, BeforeValidator(rubles_to_kopecks)]
"""A pydantic field given in rubles and held in kopecks (so a dump is kopecks, not input)."""
