"""How a bonus balance pays an order (§1, §2.7.3, §5.2.5): the ORDER and SPEND contracts.

Each licence line takes bonus up to the rulebook's share of its price (rounded down, so the money
part is never below the rest), line by line in order while the bonus lasts; Marketplace solutions
and physical goods take none. Usable lots are spent oldest first; a lot past its last valid day
on `today` is expired.
"""

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, model_validator

from bot.rules.deadlines import expires_on
from bot.rules.isodate import IsoDate
from bot.rules.money import Rubles, kopecks_to_rubles
from bot.rules.rulebook import Rulebook
from bot.rules.vocabulary import LineKind


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Lot(_Input):
    amount: Rubles
    credited_on: IsoDate


class OrderLine(_Input):
    name: str
    price: Rubles
    kind: LineKind


class Order(_Input):
    today: IsoDate
    lots: tuple[Lot, ...] = ()
    lines: tuple[OrderLine, ...] = ()

    @model_validator(mode="after")
    def _credited_by_today(self) -> "Order":
        for index, lot in enumerate(self.lots):
            if lot.credited_on > self.today:
                raise ValueError(f"lots[{index}].credited_on is after today")
        return self


@dataclass(frozen=True, slots=True)
class PaidLine:
    name: str
    bonus: int
    cash: int


@dataclass(frozen=True, slots=True)
class LotLeft:
    credited_on: date
    expires_on: date
    amount: int


@dataclass(frozen=True, slots=True)
class Spend:
    """Money in kopecks."""

    lines: tuple[PaidLine, ...]
    bonus_used: int
    bonus_left: int
    expired: int
    lots_left: tuple[LotLeft, ...]

    def to_json_dict(self) -> dict[str, object]:
        return {
            "lines": [
                {
                    "name": line.name,
                    "bonus": kopecks_to_rubles(line.bonus),
                    "cash": kopecks_to_rubles(line.cash),
                }
                for line in self.lines
            ],
            "bonus_used": kopecks_to_rubles(self.bonus_used),
            "bonus_left": kopecks_to_rubles(self.bonus_left),
            "expired": kopecks_to_rubles(self.expired),
            "lots_left": [
                {
                    "credited_on": lot.credited_on.isoformat(),
                    "expires_on": lot.expires_on.isoformat(),
                    "amount": kopecks_to_rubles(lot.amount),
                }
                for lot in self.lots_left
            ],
        }


@dataclass(slots=True)
class _Usable:
    credited_on: date
    expires_on: date
    left: int


def spend(rulebook: Rulebook, order: Order) -> Spend:
    rules = rulebook.bonus
    usable: list[_Usable] = []  # oldest first
    expired = 0
    for lot in sorted(order.lots, key=lambda lot: lot.credited_on):
        last_day = expires_on(rulebook, lot.credited_on)
        if last_day < order.today:
            expired += lot.amount
        elif lot.amount:
            usable.append(_Usable(lot.credited_on, last_day, lot.amount))
    balance = sum(entry.left for entry in usable)
    paid: list[PaidLine] = []
    used = 0
    for line in order.lines:
        bonus = 0
        if line.kind not in rules.not_payable:
            bonus = min(line.price * rules.max_bonus_percent // 100, balance - used)
        used += bonus
        paid.append(PaidLine(line.name, bonus, line.price - bonus))
    to_draw = used
    for entry in usable:
        take = min(entry.left, to_draw)
        entry.left -= take
        to_draw -= take
    return Spend(
        lines=tuple(paid),
        bonus_used=used,
        bonus_left=balance - used,
        expired=expired,
        lots_left=tuple(LotLeft(e.credited_on, e.expires_on, e.left) for e in usable if e.left),
    )
