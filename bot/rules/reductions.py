"""Reductions by the rulebook's `[modifiers]`: the exhibition's per-vendor cut applies to the whole
range; the manager's discretionary cuts lower only `min`."""

from bot.rules.case import Case
from bot.rules.effects import Effect, Finding, finding
from bot.rules.ranges import Range
from bot.rules.rulebook import Rulebook


def apply_reductions(
    rulebook: Rulebook,
    case: Case,
    points: Range | None,
    compensation: Range | None,
    findings: list[Finding],
) -> tuple[Range | None, Range | None]:
    modifiers = rulebook.modifiers
    stand = modifiers.other_vendors_on_stand
    vendors = case.other_vendors_on_stand
    if compensation and compensation.max and vendors and case.kind in stand.kinds:
        keep = max(0, 100 - stand.percent_per_vendor * vendors)
        compensation = Range(compensation.min * keep // 100, compensation.max * keep // 100)
        findings.append(
            finding(
                stand.section,
                Effect.COMPENSATION_REDUCED_20PCT_PER_VENDOR,
                vendors=vendors,
                percent=stand.percent_per_vendor,
            )
        )
    speaker = modifiers.vendor_speaker
    if (
        points
        and points.max
        and speaker.points_reduction
        and (case.vendor_speaker_did_all_talks or case.other_products_in_program)
        and case.kind in speaker.kinds
    ):
        points = Range(max(0, points.min - speaker.points_reduction), points.max)
        findings.append(
            finding(
                speaker.section, Effect.POINTS_MAY_REDUCE_20, reduction=speaker.points_reduction
            )
        )
    third = modifiers.third_party
    if (
        compensation
        and compensation.max
        and case.third_party_companies > third.companies_over
        and case.kind in third.kinds
    ):
        speakers = case.third_party_speakers
        if speakers is None:
            speakers = case.third_party_companies  # one talk per company unless told otherwise
        if speakers and third.percent_per_speaker:
            keep = max(0, 100 - third.percent_per_speaker * speakers)
            compensation = Range(compensation.min * keep // 100, compensation.max)
            findings.append(
                finding(
                    third.section,
                    Effect.COMPENSATION_MAY_REDUCE_10PCT_PER_SPEAKER,
                    over=third.companies_over,
                    percent=third.percent_per_speaker,
                    speakers=speakers,
                )
            )
    return points, compensation
