"""Cases built from the few fields a test is about."""

from typing import Any

from bot.rules import Assessment, Case, Effect, Rulebook, assess

# Approved well in advance and outside the Federal Program months, so that only the fields a
# test sets decide the answer.
BASE: dict[str, Any] = {
    "kind": "seminar",
    "event_date": "2026-04-30",
    "applied_on": "2026-03-02",
}


def case(**fields: Any) -> Case:
    return Case.model_validate({**BASE, **fields})


def assessed(rulebook: Rulebook, **fields: Any) -> Assessment:
    return assess(rulebook, case(**fields))


def rub(amount: float) -> int:
    """Rubles in kopecks, to compare with an assessment's compensation."""
    return round(amount * 100)


def points(result: Assessment) -> tuple[int, int] | None:
    return None if result.points is None else (result.points.min, result.points.max)


def compensation_rub(result: Assessment) -> tuple[float, float] | None:
    comp = result.compensation
    return None if comp is None else (comp.min / 100, comp.max / 100)


def effects(result: Assessment) -> set[Effect]:
    return {f.effect for f in result.findings}


def finding_rules(result: Assessment) -> dict[Effect, str]:
    return {f.effect: f.rule for f in result.findings}
