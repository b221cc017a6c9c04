"""Managers decide on a card: one tap to approve; a figure or a reason where one is needed.

Callback data: `d:<application>:<version>:<step>[:…]`. Every press re-checks, in the service,
that the presser holds the card's role and that this version is still undecided.
"""

from __future__ import annotations

import html
import logging
from datetime import date, datetime
from typing import Any

from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
    User,
)
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.config import Role
from bot.forms.fields import format_rubles
from bot.forms.parsing import Invalid, parse_money
from bot.handlers import cards
from bot.handlers.callbacks import card_press, encode, is_id, pattern
from bot.handlers.notify import send_each
from bot.handlers.render import short_date
from bot.rules import report_due
from bot.runtime import Runtime, runtime
from bot.services import decisions
from bot.services.decisions import Action, Outcome, Result
from bot.services.routing import may_decide
from bot.storage import applications as applications_repo
from bot.storage import decisions as decisions_repo
from bot.storage.applications import ApplicationRow
from bot.storage.decisions import Awaited

log = logging.getLogger(__name__)
ACTION = cards.ACTION
ACTIONS = {"ok": Action.APPROVE, "no": Action.REJECT, "ch": Action.CHANGES}
REASONS = {
    "no": ("late", "reserved_title", "competitors", "not_prospects", "duplicate"),
    "ch": ("program", "costs", "vendor_talks", "title", "details"),
}
POINT_STEPS = 5  # at most this many point buttons between the range's ends


def point_choices(low: int, high: int) -> list[int]:
    """Buttons for a range: every 10 when that is few enough (50 / 60 / 70), else evenly."""
    if (high - low) % 10 == 0 and (high - low) // 10 < POINT_STEPS:
        return list(range(low, high + 1, 10))
    step = (high - low) / (POINT_STEPS - 1)
    return sorted({round(low + i * step) for i in range(POINT_STEPS)})


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.data is None:
        return
    press = card_press(query.data)
    if press is None:
        await query.answer()
        return
    application_id, version, step, args = press
    row = await applications_repo.get(rt.db.conn, application_id)
    if row is None:
        await query.answer()
        return
    if not may_decide(rt.settings, user.id, row.role):
        log.warning("user %s pressed %r on a card not theirs", user.id, query.data)
        await decisions.note_forbidden(rt.db, user_id=user.id, application_id=row.id,
                                       data=query.data, now=rt.clock.now())
        await query.answer(rt.text(user, "cards.not_yours"), show_alert=True)
        return
    if row.version != version or row.status != "pending":
        await _already(update, context, row)
        return
    language = rt.language(user)
    t = rt.speaker(language)
    if step == "open":  # from /pending: a fresh card here
        await query.answer()
        await cards.send_card(context.bot, rt, row, query.message.chat.id if query.message
                              else user.id)
    elif step == "ok":
        await _approve_step(update, context, row, points=None)
    elif step == "p" and args and args[0].isdigit():
        await _approve_step(update, context, row, points=int(args[0]))
    elif step == "c" and len(args) == 2 and args[1].isdigit():
        points = int(args[0]) if args[0].isdigit() else None
        await _decide(update, context, row, Action.APPROVE, points=points,
                      compensation=int(args[1]))
    elif step == "ct" and args:
        await query.answer()
        low, high = decisions.compensation_range(row.assessment) or (0, None)
        await _ask_typed(update, context, row, "compensation",
                         t("cards.type_amount", id=row.id, low=format_rubles(low),
                           high=format_rubles(high) if high is not None else "∞"),
                         {"points": args[0]})
    elif step in ("no", "ch"):
        await query.answer()
        reasons = [
            [InlineKeyboardButton(t(f"cards.reason.{code}"),
                                  callback_data=encode(ACTION, row.id, row.version, "r", step,
                                                       code))]
            for code in REASONS[step]
        ]
        reasons.append([
            InlineKeyboardButton(t("cards.type_reason"),
                                 callback_data=encode(ACTION, row.id, row.version, "rt", step)),
            InlineKeyboardButton(t("cards.back"),
                                 callback_data=encode(ACTION, row.id, row.version, "back")),
        ])
        await query.edit_message_reply_markup(InlineKeyboardMarkup(reasons))
    elif step == "r" and len(args) == 2 and args[0] in ("no", "ch") and args[1] in REASONS[args[0]]:
        await _decide(update, context, row, ACTIONS[args[0]], reason=f"code:{args[1]}")
    elif step == "rt" and args and args[0] in ("no", "ch"):
        await query.answer()
        await _ask_typed(update, context, row, "reason",
                         t(f"cards.type_reason_prompt.{args[0]}", id=row.id),
                         {"action": args[0]})
    elif step == "back":
        await query.answer()
        head = user.id in rt.settings.managers.get(Role.HEAD, ())
        await query.edit_message_reply_markup(cards.decision_buttons(rt, language, row, head))
    elif step == "re":
        await query.answer()
        roles = [
            [InlineKeyboardButton(t(f"common.role.{role.value}"),
                                  callback_data=encode(ACTION, row.id, row.version, "to",
                                                       role.value))]
            for role in Role if role.value != row.role
        ]
        roles.append([InlineKeyboardButton(t("cards.back"), callback_data=encode(
            ACTION, row.id, row.version, "back"))])
        await query.edit_message_reply_markup(InlineKeyboardMarkup(roles))
    elif step == "to" and args and args[0] in {r.value for r in Role}:
        await _reassign(update, context, row, Role(args[0]))
    else:
        await query.answer()


async def _approve_step(update: Update, context: ContextTypes.DEFAULT_TYPE, row: ApplicationRow,
                        points: int | None) -> None:
    """Approve at once when the rules leave nothing to pick; otherwise ask for the figures."""
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    t = rt.speaker(rt.language(user))
    points_range = decisions.points_range(row.assessment)
    if points is None and points_range is not None:
        await query.answer(t("cards.pick_points"))
        if row.assessment.get("points") is None:  # set by the manager: common figures
            choices = [10, 20, 30, 50, 70, 100]
        else:
            choices = point_choices(*points_range)
        picks = [InlineKeyboardButton(str(p), callback_data=encode(ACTION, row.id, row.version,
                                                                   "p", p)) for p in choices]
        await query.edit_message_reply_markup(InlineKeyboardMarkup(
            [picks[i:i + 3] for i in range(0, len(picks), 3)]
            + [[InlineKeyboardButton(t("cards.back"),
                                     callback_data=encode(ACTION, row.id, row.version, "back"))]]
        ))
        return
    money_range = decisions.compensation_range(row.assessment)
    if money_range is not None:
        await query.answer(t("cards.pick_compensation"))
        await query.edit_message_reply_markup(cards.compensation_keyboard(
            rt, rt.language(user), ACTION, row.id, row.version, money_range,
            "-" if points is None else str(points)))
        return
    await _decide(update, context, row, Action.APPROVE, points=points)


async def _ask_typed(update: Update, context: ContextTypes.DEFAULT_TYPE, row: ApplicationRow,
                     purpose: str, prompt: str, data: dict[str, Any]) -> None:
    await ask_typed(update, context, purpose, prompt,
                    {**data, "application_id": row.id, "version": row.version})


async def ask_typed(update: Update, context: ContextTypes.DEFAULT_TYPE, purpose: str,
                    prompt: str, data: dict[str, Any]) -> None:
    """Ask with a force-reply, which also reaches the bot in a group with privacy mode on."""
    rt = runtime(context)
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    mention = f'<a href="tg://user?id={user.id}">{html.escape(user.first_name)}</a>, ' if (
        chat.type != "private"
    ) else ""
    prompt_message = await context.bot.send_message(
        chat.id, mention + prompt, parse_mode=ParseMode.HTML,
        reply_markup=ForceReply(selective=True),
    )
    await decisions.await_answer(
        rt.db, chat_id=chat.id, prompt_id=prompt_message.message_id, user_id=user.id,
        purpose=purpose, data=data, now=rt.clock.now(),
    )


async def on_awaited(update: Update, context: ContextTypes.DEFAULT_TYPE,
                     awaited: Awaited) -> None:
    """A manager's typed reason or amount for an application card."""
    rt = runtime(context)
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None and message.text is not None
    row = await applications_repo.get(rt.db.conn, int(awaited.data["application_id"]))
    if row is None:
        return
    if row.version != int(awaited.data["version"]) or row.status != "pending":
        await _already(update, context, row)
        return
    t = rt.speaker(rt.language(user))
    if awaited.purpose == "reason":
        await _decide(update, context, row, ACTIONS[str(awaited.data["action"])],
                      reason=message.text.strip()[:500])
        return
    carried = str(awaited.data.get("points", "-"))
    try:
        amount = parse_money(message.text)
    except Invalid:
        await _ask_typed(update, context, row, "compensation", t("cards.amount_again"),
                         {"points": carried})
        return
    await _decide(update, context, row, Action.APPROVE,
                  points=int(carried) if carried.isdigit() else None, compensation=amount)


async def _decide(update: Update, context: ContextTypes.DEFAULT_TYPE, row: ApplicationRow,
                  action: Action, *, reason: str | None = None, points: int | None = None,
                  compensation: int | None = None) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    assert user is not None
    result = await decisions.decide(
        rt.db, rt.settings, rt.rulebook, application_id=row.id, version=row.version,
        manager_id=user.id,
        action=action, now=rt.clock.now(), reason=reason, points=points,
        compensation=compensation,
    )
    t = rt.speaker(rt.language(user))
    if result.outcome is Outcome.ALREADY:
        await _already(update, context, row, result)
        return
    if result.outcome is Outcome.OUT_OF_RANGE:
        if query is not None:
            await query.answer(t("cards.out_of_range"), show_alert=True)
        elif update.effective_message is not None:
            await _ask_typed(update, context, row, "compensation", t("cards.amount_again"),
                             {"points": "-" if points is None else str(points)})
        return
    if result.outcome is not Outcome.DONE:
        if query is not None:
            await query.answer(t("cards.not_yours"), show_alert=True)
        return
    if query is not None:
        await query.answer(t(f"cards.done.{action.value}"))
    assert result.application is not None and result.decision is not None
    await cards.close_cards(context.bot, rt, result.application, result.decision)
    await _tell_partner(context, rt, result)


async def _already(update: Update, context: ContextTypes.DEFAULT_TYPE, row: ApplicationRow,
                   result: Result | None = None) -> None:
    """A second tap, another manager, or an old card: say who decided, change nothing."""
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    assert user is not None
    language = rt.language(user)
    decision = result.decision if result else await decisions_repo.latest(rt.db.conn, row.id)
    if decision is None:
        text = rt.texts.render(language, "cards.already_other", status=rt.texts.render(
            language, f"events.status.{row.status}"))
    else:
        text = (await cards.decision_line(rt, language, decision))[:200]
    if query is not None:  # the card itself was closed when the decision was taken
        await query.answer(text[:200], show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


async def _tell_partner(context: ContextTypes.DEFAULT_TYPE, rt: Runtime, result: Result) -> None:
    row, decision = result.application, result.decision
    assert row is not None and decision is not None
    language = await cards.language_of(rt, row.author_id)
    t = rt.speaker(language)
    due = report_due(rt.rulebook, date.fromisoformat(row.event_date))
    text = t(f"decided.{decision.action}", id=row.id, title=row.title,
             figures=cards.figures(rt, language, decision.points, decision.compensation),
             report_due=due.strftime("%d.%m.%Y"),
             event_date=short_date(row.event_date),
             reason=cards.reason_text(rt, language, decision.reason))
    markup = None
    if decision.action == Action.CHANGES.value:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(
            t("decided.fix"), callback_data=encode("a", "fix", row.id))]])
    await send_each(rt, [row.author_id], lambda chat_id: context.bot.send_message(
        chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup))


async def _reassign(update: Update, context: ContextTypes.DEFAULT_TYPE, row: ApplicationRow,
                    role: Role) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    t = rt.speaker(rt.language(user))
    if user.id not in rt.settings.managers.get(Role.HEAD, ()):
        await query.answer(t("cards.not_yours"), show_alert=True)
        return
    moved = await decisions.reassign(rt.db, application_id=row.id, role=role, by=user.id,
                                     now=rt.clock.now())
    if moved is None:
        await _already(update, context, row)
        return
    await query.answer(t("cards.reassigned", role=t(f"common.role.{role.value}")))
    await query.edit_message_reply_markup(None)
    await cards.deliver(
        context.bot, rt, moved, to=list(rt.settings.members_of(role)),
        note=lambda language: rt.texts.render(language, "cards.reassigned_note",
                                              name=user.first_name),
    )


async def escalate_stalled(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeating job: an application waiting too long goes to the head, once."""
    rt = runtime(context)
    now = rt.clock.now()
    heads = list(rt.settings.managers.get(Role.HEAD, ()))
    for row in await decisions.stalled(rt.db, rt.rulebook, now):
        if not await decisions.mark_escalated(rt.db, row.id, now):
            continue  # another worker got there first
        await cards.deliver(
            context.bot, rt, row, to=heads,
            note=lambda language: rt.texts.render(
                language, "cards.escalated", days=decisions.ESCALATE_AFTER_WORKING_DAYS),
        )


def _head_or_roles(rt: Runtime, user: User) -> tuple[str, ...] | None:
    roles = rt.settings.roles_of(user.id)
    if Role.HEAD in roles:
        return None
    return tuple(r.value for r in roles)


async def pending_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/pending: what waits for this manager, oldest first, each openable as a card."""
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    if not rt.settings.is_manager(user.id):
        await message.reply_text(rt.text(user, "cards.managers_only"))
        return
    rows = await applications_repo.pending(rt.db.conn, _head_or_roles(rt, user))
    if not rows:
        await message.reply_text(rt.text(user, "cards.nothing_pending"))
        return
    t = rt.speaker(rt.language(user))
    lines = [t("cards.pending_title", count=len(rows))]
    buttons = []
    for row in rows[:30]:
        waited = rt.clock.now() - datetime.fromisoformat(row.submitted_at)
        lines.append(t("cards.pending_line", id=row.id, date=short_date(row.event_date),
                       kind=t(f"forms.apply.kind_short.{row.kind}"), title=row.title,
                       days=waited.days))
        buttons.append([InlineKeyboardButton(f"#{row.id} · {row.title}"[:60],
                                             callback_data=encode(ACTION, row.id, row.version,
                                                                  "open"))])
    await message.reply_text("\n".join(lines), parse_mode=ParseMode.HTML,
                             reply_markup=InlineKeyboardMarkup(buttons))


async def history_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/history <id>: every state change of an application, for managers."""
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    if not rt.settings.is_manager(user.id):
        await message.reply_text(rt.text(user, "cards.managers_only"))
        return
    args = context.args or []
    if len(args) != 1 or not is_id(args[0].lstrip("#№")):
        await message.reply_text(rt.text(user, "cards.history_usage"))
        return
    entries = await decisions.history(rt.db, int(args[0].lstrip("#№")))
    if not entries:
        await message.reply_text(rt.text(user, "cards.history_none"))
        return
    t = rt.speaker(rt.language(user))
    lines = [t("cards.history_title", id=args[0].lstrip("#№"))]
    for entry in entries[-40:]:
        at = datetime.fromisoformat(entry["at"]).astimezone(
            rt.settings.timezone)
        details = entry["details"]
        lines.append(t("cards.history_line", at=at.strftime("%d.%m.%Y %H:%M"),
                       who=entry["actor_id"] or "—", action=entry["action"],
                       before=details.get("before") or "", after=details.get("after") or "",
                       reason=cards.reason_text(rt, rt.language(user), details.get("reason"))))
    await message.reply_text("\n".join(lines)[:4096], parse_mode=ParseMode.HTML)


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [
        CommandHandler("pending", pending_command),
        CommandHandler("history", history_command),
        CallbackQueryHandler(on_button, pattern=pattern(ACTION)),
    ]
