"""Joining (issue: partners on their phone): who the person is and which partner they belong to.

`existing` is filled by the join flow once the partner ID is known: an employee joining a partner
that is already registered skips the company questions and waits for confirmation.
"""

from __future__ import annotations

from bot.forms.engine import Form
from bot.forms.fields import Answers, Choice, Phone, Suggested, Text

STATUSES = ("gold", "certified", "other")


def _new_partner(answers: Answers) -> bool:
    return not answers.get("existing")


JOIN = Form(
    name="join",
    fields=(
        Text("partner_code", min_length=2, max_length=32),
        Text("company", max_length=200, when=_new_partner),
        Text("city", max_length=100, when=_new_partner),
        Choice("status", options=STATUSES, labels="forms.join.status", when=_new_partner,
               columns=3),
        Suggested("full_name", max_length=100, suggestion="telegram_name"),
        Phone("phone"),
    ),
)
