"""What takes points, compensation or support away from a case (the rulebook's `[[exclusions]]`)."""

from collections.abc import Callable

from bot.rules.case import Case
from bot.rules.effects import Condition, Effect, Finding, finding
from bot.rules.rulebook import Rulebook
from bot.rules.vocabulary import Audience, Support

_SUPPORT_WORDS = {
    Support.POINTS: "points",
    Support.COMPENSATION: "compensation",
    Support.INFO_SUPPORT: "info support",
    Support.PROMO_MATERIALS: "promo materials",
}


def _or_list(removes: tuple[Support, ...]) -> str:
    words = [_SUPPORT_WORDS[s] for s in removes]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def lead_days(case: Case) -> int | None:
    return None if case.applied_on is None else (case.event_date - case.applied_on).days


def _not_approved(rulebook: Rulebook, case: Case) -> str | None:
    lead = lead_days(case)
    return "" if lead is None or lead < rulebook.lead_times.approval_days else None


def _not_for_prospects(rulebook: Rulebook, case: Case) -> str | None:
    return "" if case.audience is not Audience.PROSPECTS else None


def _reserved_title(rulebook: Rulebook, case: Case) -> str | None:
    return rulebook.reserved_name_in(case.title) if case.title else None


def _vendor_event_alone(rulebook: Rulebook, case: Case) -> str | None:
    return "" if case.claims_vendor_event and not case.vendor_speaker else None


# A condition holds when its check returns a string: the reserved name for a title, else "".
# Conditions not listed here are the case's yes/no field of the same name.
CONDITION_CHECKS: dict[Condition, Callable[[Rulebook, Case], str | None]] = {
    Condition.NOT_APPROVED_IN_ADVANCE: _not_approved,
    Condition.AUDIENCE_NOT_PROSPECTS: _not_for_prospects,
    Condition.RESERVED_TITLE: _reserved_title,
    Condition.VENDOR_EVENT_WITHOUT_VENDOR_SPEAKER: _vendor_event_alone,
}


def _condition_holds(rulebook: Rulebook, case: Case, condition: Condition) -> str | None:
    check = CONDITION_CHECKS.get(condition)
    if check is not None:
        return check(rulebook, case)
    return "" if getattr(case, condition) else None


def apply_exclusions(rulebook: Rulebook, case: Case, findings: list[Finding]) -> set[Support]:
    removed: set[Support] = set()
    for rule in rulebook.exclusions_for(case.kind):
        name = _condition_holds(rulebook, case, rule.when)
        if name is None:
            continue
        removed.update(rule.removes)
        params = {"removes": ",".join(rule.removes)}
        if name:
            params["name"] = name
        words = {"removed": _or_list(rule.removes)}
        findings.append(finding(rule.section, Effect(rule.when), "", words, **params))
    return removed
