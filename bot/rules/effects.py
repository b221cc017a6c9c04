"""Finding codes (stable: the bot localises texts by them) and their English sentences.

A code names what happened, not the number involved: `points_may_reduce_20` keeps its name if a
rulebook changes the reduction, and the actual figure travels in the finding's params.
"""

from enum import StrEnum
from typing import NamedTuple


class Effect(StrEnum):
    # exclusions: the condition is the code (see Condition)
    NOT_APPROVED_IN_ADVANCE = "not_approved_in_advance"
    AUDIENCE_NOT_PROSPECTS = "audience_not_prospects"
    RESERVED_TITLE = "reserved_title"
    VENDOR_EVENT_WITHOUT_VENDOR_SPEAKER = "vendor_event_without_vendor_speaker"
    COMPETITORS = "competitors"
    PAID_EVENT = "paid_event"
    BARTER_WITHOUT_DOCUMENTS = "barter_without_documents"
    VENDOR_BRANDING = "vendor_branding"
    VENDOR_AT_EXHIBITION = "vendor_at_exhibition"
    COMPETING_PRODUCTS_ON_STAND = "competing_products_on_stand"
    AT_VENDOR_EVENT = "at_vendor_event"
    # what the summary table gives
    NO_POINTS = "no_points"
    NO_COMPENSATION = "no_compensation"
    NEEDS_REPORT = "needs_report"
    POINTS_SET_BY_MANAGER = "points_set_by_manager"
    POINTS_MANAGER_PICKS = "points_manager_picks"
    COMPENSATION_AGREED_INDIVIDUALLY = "compensation_agreed_individually"
    COMPENSATION_CAPPED = "compensation_capped"
    NO_COST_ESTIMATE = "no_cost_estimate"
    ACTUAL_COSTS_BELOW_AGREED = "actual_costs_below_agreed"
    # reductions
    POINTS_MAY_REDUCE_20 = "points_may_reduce_20"
    COMPENSATION_MAY_REDUCE_10PCT_PER_SPEAKER = "compensation_may_reduce_10pct_per_speaker"
    COMPENSATION_REDUCED_20PCT_PER_VENDOR = "compensation_reduced_20pct_per_vendor"
    # support asked for
    INFO_SUPPORT_TOO_LATE = "info_support_too_late"
    PROMO_MATERIALS_TOO_LATE = "promo_materials_too_late"
    INFO_SUPPORT_NOT_OFFERED = "info_support_not_offered"
    PROMO_MATERIALS_NOT_OFFERED = "promo_materials_not_offered"
    INFO_SUPPORT_MAY_PAUSE = "info_support_may_pause"
    # program
    PROGRAM_CHOICE_NEEDED = "program_choice_needed"
    PROGRAM_IGNORED = "program_ignored"
    # articles
    ARTICLE_TOO_SHORT = "article_too_short"
    ARTICLE_VENDOR_SHARE_TOO_LOW = "article_vendor_share_too_low"
    ARTICLE_NOT_ORIGINAL = "article_not_original"
    ARTICLE_OUTLET_TOO_SMALL = "article_outlet_too_small"
    # other
    OUTSIDE_FEDERAL_PROGRAM_MONTHS = "outside_federal_program_months"
    PRINTING_COSTS_SEPARATE = "printing_costs_separate"


class Condition(StrEnum):
    """What can exclude a case from points, compensation or support (rulebook `[[exclusions]]`)."""

    NOT_APPROVED_IN_ADVANCE = "not_approved_in_advance"
    AUDIENCE_NOT_PROSPECTS = "audience_not_prospects"
    RESERVED_TITLE = "reserved_title"
    VENDOR_EVENT_WITHOUT_VENDOR_SPEAKER = "vendor_event_without_vendor_speaker"
    COMPETITORS = "competitors"
    PAID_EVENT = "paid_event"
    BARTER_WITHOUT_DOCUMENTS = "barter_without_documents"
    VENDOR_BRANDING = "vendor_branding"
    VENDOR_AT_EXHIBITION = "vendor_at_exhibition"
    COMPETING_PRODUCTS_ON_STAND = "competing_products_on_stand"
    AT_VENDOR_EVENT = "at_vendor_event"


TEXTS: dict[str, str] = {
    # keyed by effect code, or "code/variant" where one code has more than one sentence
    "not_approved_in_advance": (
        "The activity was not approved by a manager before it took place, so it gets no {removed}."
    ),
    "audience_not_prospects": (
        "Only events for prospective clients are rewarded; one for existing clients or "
        "developers gets no {removed}."
    ),
    "reserved_title": (
        "The title uses the name of a special program (\u201c{name}\u201d), so the event gets "
        "no {removed}."
    ),
    "vendor_event_without_vendor_speaker": (
        "An event presented as the vendor's own without a vendor speaker gets no {removed}."
    ),
    "competitors": ("Talks about competing products or mentions of competitors mean no {removed}."),
    "paid_event": "An event that listeners pay for gets no {removed}.",
    "barter_without_documents": (
        "Costs settled by barter without official barter documents get no {removed}."
    ),
    "vendor_branding": (
        "Exhibiting under the vendor's brand or as its representative office gets no {removed}."
    ),
    "vendor_at_exhibition": (
        "The vendor itself exhibits at this exhibition, so the partner's stand gets no {removed}."
    ),
    "competing_products_on_stand": (
        "Competing products are shown on the stand, so the stand gets no {removed}."
    ),
    "at_vendor_event": "A talk or stand work at the vendor's own event gets no {removed}.",
    "no_points": "{activity} earns no points.",
    "no_points/listeners": (
        "{activity} earns points only from {needed} listeners; the report has {listeners}."
    ),
    "no_compensation": "{activity} earns no compensation.",
    "no_compensation/listeners": (
        "{activity} earns compensation only from {needed} listeners; the report has {listeners}."
    ),
    "needs_report": (
        "Points depend on the actual listeners in the report, so the range covers the whole "
        "scale for {activity}."
    ),
    "needs_report/article": (
        "Points depend on the published article (length, share about the vendor, originality, "
        "reach of the outlet), which is not fully described yet."
    ),
    "points_set_by_manager": (
        "From {needed} listeners the manager sets the points for {activity} individually."
    ),
    "points_set_by_manager/always": "The manager sets the points for {activity} individually.",
    "points_manager_picks": "The manager picks the points for {activity} from {min} to {max}.",
    "compensation_agreed_individually": (
        "Compensation for {activity} is agreed individually with the manager."
    ),
    "compensation_capped": (
        "{percent}% of the compensable costs is more than the cap, so compensation is capped "
        "at {cap} RUB."
    ),
    "no_cost_estimate": (
        "Compensation needs the compensable costs agreed with the application, and none were given."
    ),
    "actual_costs_below_agreed": (
        "The documented actual costs are below the agreed ones, so compensation is counted on "
        "the actual costs."
    ),
    "points_may_reduce_20": (
        "A vendor speaker gave all the vendor-product talks or other software is in the "
        "program, so the manager may reduce the points by {reduction}."
    ),
    "compensation_may_reduce_10pct_per_speaker": (
        "More than {over} non-partner companies take part, so the manager may reduce "
        "compensation by {percent}% for each of the {speakers} third-party speakers."
    ),
    "compensation_reduced_20pct_per_vendor": (
        "Other software vendors on the stand ({vendors}) reduce compensation by {percent}% each."
    ),
    "info_support_too_late": (
        "Info support needs the application at least {needed} days before the event, so it is "
        "no longer possible; the event can go on without it."
    ),
    "promo_materials_too_late": (
        "Promo materials from the vendor need the application at least {needed} days before "
        "the event, so they are no longer possible; the event can go on without them."
    ),
    "info_support_not_offered": "Info support is not offered for {activity}.",
    "promo_materials_not_offered": (
        "Promo materials from the vendor are not offered for {activity}."
    ),
    "info_support_may_pause": (
        "Info support for partners' own events may be paused in this month while a special "
        "program runs."
    ),
    "program_choice_needed": (
        "For a mixed topic the partner chooses the program to credit the points to, and none "
        "was chosen."
    ),
    "program_ignored": (
        "The topic decides the program ({program}); a partner chooses only for a mixed topic."
    ),
    "article_too_short": "An article must be longer than {over} characters to earn points.",
    "article_vendor_share_too_low": (
        "More than {over}% of an article must be about the vendor or its products to earn points."
    ),
    "article_not_original": (
        "Only an original article, not a reprint from the vendor's site, earns points."
    ),
    "article_outlet_too_small": (
        "The outlet needs a circulation of at least {circulation} copies or at least "
        "{daily_views} views a day for the article to earn points."
    ),
    "outside_federal_program_months": (
        "The Federal Program runs only in months {months} of the year, and this date is "
        "outside them."
    ),
    "printing_costs_separate": (
        "Printing promo materials is compensated as its own promo_materials case, not as part "
        "of this one."
    ),
}


class Finding(NamedTuple):
    """One rule that fired: its section, its stable code, an English sentence, and the figures
    (`params`) a translation needs; `variant` tells apart the sentences of one code."""

    rule: str
    effect: Effect
    text: str
    params: dict[str, str | int]
    variant: str = ""

    def to_json_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"rule": self.rule, "effect": self.effect.value, "text": self.text}
        if self.variant:
            out["variant"] = self.variant
        if self.params:
            out["params"] = dict(self.params)
        return out


def finding(
    rule: str,
    effect: Effect,
    variant: str = "",
    words: dict[str, str] | None = None,
    **params: str | int,
) -> Finding:
    """A finding whose text is the effect's sentence; `words` fill the English text only, while
    `params` also travel with the finding for the bot's own wording."""
    template = TEXTS[f"{effect}/{variant}" if variant else effect]  # a StrEnum is its value
    text = template.format(**params, **(words or {}))
    return Finding(rule, effect, text[:1].upper() + text[1:], params, variant)
