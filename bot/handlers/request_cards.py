"""The manager's card of a partner's request: its files, its text, Accept (Publish, Confirm…) /
Send back / Decline with a reason by button or force-reply, every copy closed once decided
(the flow: bot/handlers/decision_card.py).

Callback data: `rc:<request>:<version>:<step>[:…]`. The service re-checks the presser's role
and that this version still waits; publishing an announcement re-checks the limits.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from markupsafe import Markup
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler

from bot.forms.engine import Form
from bot.forms.request_fields import OneFile
from bot.forms.requests import REQUEST_FORMS
from bot.handlers import cards, decision_card, outbox
from bot.handlers.callbacks import encode
from bot.handlers.decision_card import Choice, Decided, Ending, Facts, Kind, Texts
from bot.handlers.render import answer_lines, fitted, short_date
from bot.rules.announcement_limits import Limit
from bot.runtime import Runtime
from bot.services import requests as requests_service
from bot.services import support as support_service
from bot.services.outbox import Subject
from bot.services.requests import Outcome, Verb
from bot.storage import applications as applications_repo
from bot.storage import files as files_repo
from bot.storage import invitations as invitations_repo
from bot.storage import partners as partners_repo
from bot.storage import requests as requests_repo
from bot.storage.applications import ApplicationRow
from bot.storage.files import FileRow
from bot.storage.requests import RequestRow

log = logging.getLogger(__name__)
ACTION = "rc"
FIX_ACTION = "rq"  # handled by handlers/request_flow.py: rq:fix:<request>
PURPOSE_PREFIX = "request_"
ENDINGS = {Outcome.DONE: Ending.DONE, Outcome.REFUSED: Ending.DONE,
           Outcome.ALREADY: Ending.ALREADY, Outcome.NOT_ALLOWED: Ending.NOT_ALLOWED}
# Common reasons, by the button that asks for one; a kind may have its own.
REASONS: dict[str, dict[str, tuple[str, ...]]] = {
    "back": {"info_support": ("template", "banner", "page"),
             "promo_materials": ("quantities", "address", "print_cost"),
             "": ("details",)},
    "no": {"": ("not_suitable",)},
}


def reason_text(rt: Runtime, language: str, reason: str | None) -> str:
    """A common reason by its code (`rq:page`), a limit (`limit:too_many`) or what was typed."""
    if not reason:
        return ""
    if reason.startswith("rq:"):
        return Markup(rt.texts.render(language, f"requests.reason.{reason.removeprefix('rq:')}"))
    if reason.startswith("limit:"):
        return Markup(rt.texts.render(language,
                                      f"requests.limit.{reason.removeprefix('limit:')}"))
    return reason  # typed by the manager: escaped where it is shown


def day(iso: str | None) -> date | None:
    return date.fromisoformat(iso) if iso else None


def limit_text(rt: Runtime, language: str, limit: str, possible_from: date | None,
               blocking: list[ApplicationRow] | None = None) -> str:
    """Why the rules refuse an announcement, and from which day it becomes possible."""
    t = rt.speaker(language)
    events = ", ".join(t("requests.event_short", id=r.id, title=r.title,
                         date=short_date(r.event_date)) for r in blocking or [])
    parts = [t(f"requests.limit.{limit}"), t(f"requests.rule.{limit}", events=events)]
    if possible_from is not None:
        parts.append(t("requests.possible_from", date=possible_from.strftime("%d.%m.%Y")))
    elif limit not in (Limit.NOT_PROSPECTS, Limit.PASSED):
        parts.append(t("requests.not_possible"))
    # Rendered texts are escaped HTML already: Markup keeps a template from escaping them twice.
    return Markup("\n".join(p for p in parts if p))


def periods_text(periods: list[tuple[date, date]]) -> str:
    return ", ".join(f"{a.strftime('%d.%m')}–{b.strftime('%d.%m.%Y')}" for a, b in periods)


async def subject_line(rt: Runtime, language: str, answers: dict[str, Any]) -> str | None:
    """The event (or the vendor's invitation) a request is for, as one line."""
    t = rt.speaker(language)
    if answers.get("application_id") is not None:
        row = await applications_repo.get(rt.db.conn, int(answers["application_id"]))
        if row is not None:
            return Markup(t("requests.for_event", id=row.id,
                            kind=t(f"forms.apply.kind_short.{row.kind}"), title=row.title,
                            date=short_date(row.event_date)))
    if answers.get("invitation_id") is not None:
        invitation = await invitations_repo.get(rt.db.conn, int(answers["invitation_id"]))
        if invitation is not None:
            return Markup(t("requests.for_invitation",
                            title=invitation.answers.get("title", ""),
                            date=short_date(invitation.event_date)))
    return None


async def _outlook(rt: Runtime, language: str, row: RequestRow) -> str | None:
    """For the manager: what publishing now would give (info support), or how late it is."""
    t = rt.speaker(language)
    today = rt.clock.now().date()
    event = (await applications_repo.get(rt.db.conn, row.application_id)
             if row.application_id is not None else None)
    if event is None:
        return None
    if row.kind == support_service.INFO:
        verdict = await support_service.info_verdict(rt.db.conn, rt.rulebook, event,
                                                     as_of=today, publishing=True)
        if verdict.allowed and verdict.shown_from and verdict.shown_until:
            return t("requests.card.would_show",
                     shown=periods_text([(verdict.shown_from, verdict.shown_until)]))
        assert verdict.limit is not None
        return "⚠️ " + limit_text(rt, language, verdict.limit, verdict.possible_from)
    days = (date.fromisoformat(event.event_date) - today).days
    return t("requests.card.days_left", days=days)


async def card_text(rt: Runtime, language: str, row: RequestRow, decided: bool = False) -> str:
    t = rt.speaker(language)
    partner = await partners_repo.by_id(rt.db.conn, row.partner_id)
    assert partner is not None
    head = [t("requests.card.title", kind=t(f"requests.kind.{row.kind}"), id=row.id,
              version=row.version),
            t("cards.partner", company=partner.company, code=partner.code, city=partner.city,
              status=t(f"forms.join.status.{partner.status}"))]
    subject = await subject_line(rt, language, row.answers)
    head += [subject] if subject else []
    tail = []
    if decided:
        tail.append(await decision_line(rt, language, row))
    elif (outlook := await _outlook(rt, language, row)) is not None:
        tail.append(outlook)
    form = REQUEST_FORMS[row.kind]
    return fitted(lambda limit: "\n\n".join([
        *head, "\n".join(answer_lines(rt, language, form, f"forms.{row.kind}", row.answers,
                                      limit)), *tail]))


async def decision_line(rt: Runtime, language: str, row: RequestRow) -> str:
    t = rt.speaker(language)
    who = await cards.person_name(rt, row.decided_by) if row.decided_by else "—"
    at = datetime.fromisoformat(row.decided_at or row.submitted_at).astimezone(
        rt.settings.timezone)
    shown = day(row.shown_from), day(row.shown_until)
    return t(f"requests.decided.{row.status}", who=who, at=at.strftime("%d.%m.%Y %H:%M"),
             kind=row.kind, reason=reason_text(rt, language, row.reason),
             shown=periods_text([(shown[0], shown[1])]) if shown[0] and shown[1] else "")


def buttons(rt: Runtime, language: str, row: RequestRow) -> InlineKeyboardMarkup:
    t = rt.speaker(language)

    def button(label: str, *parts: object) -> InlineKeyboardButton:
        return InlineKeyboardButton(t(label), callback_data=encode(ACTION, row.id, row.version,
                                                                   *parts))

    return InlineKeyboardMarkup([
        [button(f"requests.card.ok.{row.kind}", "ok")],
        [button("requests.card.back", "back"), button("requests.card.no", "no")],
    ])


def _files(kept: list[FileRow]) -> outbox.Prelude:
    """The request's files (banner, logo, presentation) before its card."""

    async def send(bot: Bot, chat_id: int) -> None:
        for file in kept:
            if file.kind == "photo":
                await bot.send_photo(chat_id, file.file_id)
            else:
                await bot.send_document(chat_id, file.file_id)

    return send


# --- the request's messages in the outbox (bot/handlers/outbox.py) -----------------------------

async def _open_card(rt: Runtime, language: str, request_id: int, version: int, chat_id: int,
                     note: dict[str, Any] | None) -> outbox.Outgoing | None:
    row = await requests_repo.get(rt.db.conn, request_id)
    if row is None or row.version != version or row.status != "pending":
        return None  # decided meanwhile
    ids = [int(i) for f in REQUEST_FORMS[row.kind].active(row.answers)
           if isinstance(f, OneFile) for i in row.answers.get(f.key) or ()]
    kept = await files_repo.by_ids(rt.db.conn, ids)
    return outbox.Outgoing(await card_text(rt, language, row), buttons(rt, language, row),
                           prelude=_files(kept) if kept else None)


async def _closed_card(rt: Runtime, language: str, request_id: int, version: int) -> str | None:
    row = await requests_repo.get(rt.db.conn, request_id)
    return None if row is None else await card_text(rt, language, row, decided=True)


async def _outcome(rt: Runtime, language: str, request_id: int,
                   version: int) -> outbox.Outgoing | None:
    row = await requests_repo.get(rt.db.conn, request_id)
    if row is None or row.version != version:
        return None
    t = rt.speaker(language)
    subject = await subject_line(rt, language, row.answers) or ""
    kind = t(f"requests.kind.{row.kind}")
    markup = None
    if row.status == "refused" and row.reason:
        text = t("requests.tell.refused", id=row.id, kind=kind, subject=subject,
                 why=limit_text(rt, language, row.reason.removeprefix("limit:"),
                                day(row.possible_from)))
    else:
        shown = ""
        if row.shown_from and row.shown_until:
            shown = periods_text([(date.fromisoformat(row.shown_from),
                                   date.fromisoformat(row.shown_until))])
        key = f"requests.tell.{row.status}"
        if f"{key}.{row.kind}" in rt.texts.keys(language):
            key = f"{key}.{row.kind}"
        elif f"{key}.default" in rt.texts.keys(language):
            key = f"{key}.default"
        text = t(key, id=row.id, kind=kind, subject=subject, shown=shown,
                 reason=reason_text(rt, language, row.reason))
    if row.status == Verb.RETURN.value:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(
            t("requests.fix"), callback_data=encode(FIX_ACTION, "fix", row.id))]])
    return outbox.Outgoing(text, markup)


async def _answers(rt: Runtime, request_id: int) -> tuple[Form, str, dict[str, Any]] | None:
    row = await requests_repo.get(rt.db.conn, request_id)
    return None if row is None else (REQUEST_FORMS[row.kind], f"forms.{row.kind}", row.answers)


outbox.register_views(Subject.REQUEST,
                      outbox.CardViews(_open_card, _closed_card, _outcome, _answers))


def _facts(row: RequestRow) -> Facts:
    return Facts(id=row.id, version=row.version, role=row.role, open=row.status == "pending",
                 number=row.id, audit="request", subject=f"request:{row.id}", kind=row.kind)


async def _decide(rt: Runtime, row: RequestRow, manager_id: int, verdict: str,
                  reason: str | None, points: int | None,
                  compensation: int | None) -> Decided[RequestRow]:
    result = await requests_service.decide(
        rt.db, rt.settings, rt.rulebook, request_id=row.id, version=row.version,
        manager_id=manager_id, verb=Verb(verdict), now=rt.clock.now(), reason=reason)
    status = result.request.status if result.request else verdict
    return Decided(ENDINGS[result.outcome], result.request, done=f"requests.done.{status}",
                   alert=result.outcome is Outcome.REFUSED)


REQUEST_CARD: Kind[RequestRow] = Kind(
    action=ACTION, purpose=PURPOSE_PREFIX, id_key="request_id",
    texts=Texts(reason="requests.reason", reason_prompt="requests.type_reason"),
    reason_code="rq",
    choices={"ok": Choice(Verb.ACCEPT.value),
             "back": Choice(Verb.RETURN.value, reasons=REASONS["back"]),
             "no": Choice(Verb.DECLINE.value, reasons=REASONS["no"])},
    load=lambda rt, request_id: requests_service.get(rt.db, request_id),
    facts=_facts, buttons=lambda rt, language, row, _: buttons(rt, language, row),
    decided_text=decision_line, decide=_decide, back="bk",
)


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return decision_card.handlers(REQUEST_CARD)
