"""The partner list order (§1, §8a): by current, unexpired points."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

from bot.rules.deadlines import expires_on
from bot.rules.rulebook import Rulebook
from bot.rules.vocabulary import Program

PartnerId = TypeVar("PartnerId", int, str)


@dataclass(frozen=True, slots=True)
class PointsCredit(Generic[PartnerId]):
    partner_id: PartnerId
    program: Program
    points: int
    credited_on: date


@dataclass(frozen=True, slots=True)
class Standing(Generic[PartnerId]):
    partner_id: PartnerId
    total: int
    by_program: dict[Program, int] = field(default_factory=dict)
    next_expiry: date | None = None
    """The soonest last valid day among the points that count now."""

    def points(self, program: Program | None = None) -> int:
        return self.total if program is None else self.by_program.get(program, 0)


def rank_partners(
    rulebook: Rulebook,
    credits: Iterable[PointsCredit[PartnerId]],
    as_of: date,
    program: Program | None = None,
    partners: Iterable[PartnerId] = (),
) -> list[Standing[PartnerId]]:
    """Partners by points that count on `as_of` (credited by then, not yet expired), most first,
    in one program or in total (None); ties by partner id. `partners` adds those with none."""
    sums: dict[PartnerId, dict[Program, int]] = {p: {} for p in partners}
    soonest: dict[PartnerId, date] = {}
    for credit in credits:
        per_program = sums.setdefault(credit.partner_id, {})
        if credit.credited_on > as_of:
            continue
        last_day = expires_on(rulebook, credit.credited_on)
        if last_day < as_of:
            continue
        per_program[credit.program] = per_program.get(credit.program, 0) + credit.points
        known = soonest.get(credit.partner_id)
        if known is None or last_day < known:
            soonest[credit.partner_id] = last_day
    standings = [
        Standing(pid, sum(per.values()), per, soonest.get(pid)) for pid, per in sums.items()
    ]
    standings.sort(key=lambda s: (-s.points(program), s.partner_id))
    return standings
