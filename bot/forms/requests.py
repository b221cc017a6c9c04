"""The small request forms (seed §8, RULEBOOK §5): a promotion, a case study, a Marketplace
solution, the company profile, a talk at the vendor's event; and the manager's invitation.

Texts: `forms.<form>.<key>.*`. A form's name is the request's kind.
"""

from __future__ import annotations

from bot.forms.engine import Form
from bot.forms.fields import Answers, Choice, FutureDate, Text, Url, YesNo
from bot.forms.request_fields import OneFile, Toggles
from bot.forms.support import IMAGES, INFO_SUPPORT, PROMO_MATERIALS

PROMOTION = Form(
    name="promotion",
    fields=(
        Text("name", max_length=200),
        OneFile("logo", missing_reason="request.logo_missing", accepts=IMAGES),
        Text("announcement", min_length=20, max_length=1000),
        Text("rules", min_length=20, max_length=3000),
        Url("link"),
    ),
)

CASE_STUDY = Form(
    name="case_study",
    fields=(
        Text("client", max_length=200),
        Text("industry", max_length=200),
        Text("project", min_length=30, max_length=3000),
        Text("products", max_length=300),
        Text("results", min_length=10, max_length=2000),
        Url("link", optional=True),
        YesNo("interview"),
    ),
)

MARKETPLACE = Form(
    name="marketplace",
    fields=(
        Text("solution", max_length=200),
        Url("link"),
        Text("about", min_length=20, max_length=2000),
    ),
)

PROFILE_PARTS = ("description", "logo", "address", "site", "contacts", "projects")


def _logo_changes(answers: Answers) -> bool:
    return "logo" in (answers.get("parts") or ())


PROFILE = Form(
    name="profile",
    fields=(
        Toggles("parts", options=PROFILE_PARTS, labels="forms.profile.parts"),
        Text("details", min_length=10, max_length=3000),
        OneFile("logo", when=_logo_changes, missing_reason="request.logo_missing",
                accepts=IMAGES),
    ),
)

# A talk at the vendor's event: the draft starts with `invitation_id`.
TALK = Form(
    name="talk",
    fields=(
        Text("talk_title", max_length=200),
        OneFile("presentation", missing_reason="request.presentation_missing",
                accepts=("application/pdf",)),
    ),
)

INVITE = Form(
    name="invite",
    fields=(
        Choice("what", options=("seminar", "webinar", "stand"), labels="forms.invite.what",
               columns=1),
        Text("title", max_length=200),
        FutureDate("event_date"),
        Choice("city", options=("moscow", "spb", "online"), labels="forms.invite.city",
               columns=3),
        Text("place", max_length=300),
        YesNo("talks", when=lambda a: a.get("what") != "stand"),
    ),
)

# Request kind → its form; the kind names the form, the texts and the card.
REQUEST_FORMS: dict[str, Form] = {
    form.name: form
    for form in (INFO_SUPPORT, PROMO_MATERIALS, PROMOTION, CASE_STUDY, MARKETPLACE, PROFILE, TALK)
}
# Kinds for an approved event, and kinds a partner starts from /request on its own.
EVENT_KINDS = (INFO_SUPPORT.name, PROMO_MATERIALS.name)
OWN_KINDS = (PROMOTION.name, CASE_STUDY.name, MARKETPLACE.name, PROFILE.name)
