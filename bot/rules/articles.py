"""§6: the requirements an article must meet to earn its points."""

from bot.rules.case import Case
from bot.rules.effects import Effect, Finding, finding
from bot.rules.ranges import ZERO, Range
from bot.rules.rulebook import Rulebook


def article_points(rulebook: Rulebook, case: Case, points: Range, findings: list[Finding]) -> Range:
    rules = rulebook.article
    failed = len(findings)
    if case.article_length is not None and case.article_length <= rules.length_over:
        findings.append(finding(rules.section, Effect.ARTICLE_TOO_SHORT, over=rules.length_over))
    share = case.vendor_share_percent
    if share is not None and share <= rules.vendor_share_over:
        findings.append(
            finding(
                rules.section, Effect.ARTICLE_VENDOR_SHARE_TOO_LOW, over=rules.vendor_share_over
            )
        )
    if case.original is False:
        findings.append(finding(rules.section, Effect.ARTICLE_NOT_ORIGINAL))
    reach_known = case.circulation is not None or case.daily_views is not None
    if reach_known and not (
        (case.circulation or 0) >= rules.min_circulation
        or (case.daily_views or 0) >= rules.min_daily_views
    ):
        findings.append(
            finding(
                rules.section,
                Effect.ARTICLE_OUTLET_TOO_SMALL,
                circulation=rules.min_circulation,
                daily_views=rules.min_daily_views,
            )
        )
    if len(findings) > failed:
        return ZERO
    if case.article_length is None or share is None or case.original is None or not reach_known:
        findings.append(finding(rules.section, Effect.NEEDS_REPORT, "article"))
    return points
