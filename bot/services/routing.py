"""Who decides what (RULEBOOK §5): activity kind → manager role."""

from __future__ import annotations

from datetime import datetime

from bot.config import Role, Settings
from bot.storage import audit
from bot.storage.database import Database

ROLE_BY_KIND: dict[str, Role] = {
    "seminar": Role.SPECIALIST,
    "webinar": Role.SPECIALIST,
    "business_breakfast": Role.SPECIALIST,
    "external_talk": Role.SPECIALIST,
    "exhibition": Role.SPECIALIST,
    "promo_materials": Role.SPECIALIST,
    "other": Role.SPECIALIST,
    "formula": Role.HEAD,
    "federal_program": Role.HEAD,
    "article": Role.PR,
    # Requests besides applications (seed §8, §9):
    "info_support": Role.SPECIALIST,
    "promotion": Role.PARTNERS,
    "case_study": Role.PR,
    "marketplace": Role.MARKETPLACE,
    "profile": Role.PARTNERS,
    "talk": Role.EVENTS,  # a talk at the vendor's own event in Moscow or St Petersburg
}


def role_for(kind: str) -> Role:
    return ROLE_BY_KIND.get(kind, Role.SPECIALIST)


def may_decide(settings: Settings, user_id: int, role: str) -> bool:
    """The role's members decide; the head decides anything; a role nobody holds falls to the
    head (Settings.members_of)."""
    return user_id in settings.members_of(Role(role)) or user_id in settings.managers.get(
        Role.HEAD, ()
    )


async def note_forbidden(db: Database, *, action: str, subject: str, user_id: int, data: str,
                         now: datetime) -> None:
    """A press on a card by someone who may not decide it: changes nothing, but is kept
    (`activity.forbidden`, `report.forbidden`, `request.forbidden`)."""
    async with db.transaction() as conn:
        await audit.record(conn, at=now, actor_id=user_id, action=action, subject=subject,
                           details={"data": data})
