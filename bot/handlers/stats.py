"""/stats [period]: the program's figures (managers) or the company's own (partners), then a
chart; /export [period]: the program's records as an XLSX file (managers only).

The period: `month` (the default), `quarter`, `year`, or two dates `2026-01-01 2026-03-31`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import Any

from telegram import InputFile, Message, Update, User
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot import chart_worker
from bot.forms.fields import format_rubles
from bot.runtime import Runtime, runtime
from bot.services import export, partners
from bot.services.stats import Period, PeriodError, Stats, collect, parse_period
from bot.storage.partners import PartnerRow

log = logging.getLogger(__name__)

KIND_LABELS = "forms.apply.kind_short"


def _day(day: date) -> str:
    return day.strftime("%d.%m.%Y")


async def _period(rt: Runtime, user: User, message: Message, args: list[str],
                  usage: str) -> Period | None:
    try:
        return parse_period(args, rt.clock.now().date())
    except PeriodError as exc:
        await message.reply_text(
            rt.text(user, "stats.bad_period", period=str(exc)) + "\n" + rt.text(user, usage))
        return None


async def _own_partner(rt: Runtime, user: User, message: Message) -> PartnerRow | None:
    member, partner = await partners.membership(rt.db, user.id)
    if member is None or partner is None or member.state == "declined":
        await message.reply_text(rt.text(user, "stats.join_first"))
        return None
    if member.state != "active":
        await message.reply_text(rt.text(user, "stats.wait_confirmation"))
        return None
    return partner


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    partner: PartnerRow | None = None
    if not rt.settings.is_manager(user.id) and (
            partner := await _own_partner(rt, user, message)) is None:
        return
    period = await _period(rt, user, message, list(context.args or []), "stats.usage")
    if period is None:
        return
    chart_worker.warm_up()  # the worker loads matplotlib while the figures are read
    figures = await collect(rt.db, rt.rulebook, period, rt.clock.now().date(),
                            partner_id=partner.id if partner else None)
    await message.reply_text(stats_text(rt, user, figures, partner), parse_mode=ParseMode.HTML)
    png = await chart_worker.render(figures.monthly, chart_labels(rt, user, figures))
    await message.reply_photo(InputFile(png, filename="chart.png"))


def chart_labels(rt: Runtime, user: User, figures: Stats) -> tuple[str, str, str, str]:
    """Title, events, listeners, compensation: in the person's language."""
    t = rt.speaker(rt.language(user))
    period = figures.period
    return (t("stats.chart_title", start=_day(period.start), end=_day(period.end)),
            t("stats.chart_events"), t("stats.chart_listeners"), t("stats.chart_compensation"))


def _label(rt: Runtime, language: str, group: str, name: str) -> str:
    key = f"{group}.{name}"
    return rt.texts.render(language, key) if key in rt.texts.keys(language) else name


def stats_text(rt: Runtime, user: User, figures: Stats, partner: PartnerRow | None) -> str:
    language = rt.language(user)
    t = rt.speaker(language)
    period = figures.period
    start, end = _day(period.start), _day(period.end)
    lines = [t("stats.title_partner", company=partner.company, code=partner.code, start=start,
               end=end) if partner else t("stats.title", start=start, end=end), ""]

    def items(counts: dict[str, int], group: str) -> str:
        return ", ".join(t("stats.item", name=_label(rt, language, group, name), count=count)
                         for name, count in counts.items()) or t("stats.none")

    lines.append(t("stats.applications", total=figures.applications_total))
    if figures.applications:
        lines.append(t("stats.by_kind", items=items(figures.by_kind(), KIND_LABELS)))
        lines.append(t("stats.by_status", items=items(figures.by_status(), "stats.status")))
    lines.append("")
    lines.append(t("stats.events", count=figures.events_held))
    turnout = figures.turnout
    lines.append(t("stats.turnout", registrations=figures.registrations,
                   listeners=figures.listeners,
                   percent=None if turnout is None else round(turnout * 100)))
    points = ", ".join(
        t("stats.points_item", program=_label(rt, language, "balance.program", program),
          points=amount) for program, amount in sorted(figures.points.items())
    ) or t("stats.no_points")
    lines.append(t("stats.credited", points=points,
                   compensation=format_rubles(figures.compensation)))
    if partner is None:
        lines.append(t("stats.bonus", issued=format_rubles(figures.bonus_issued),
                       spent=format_rubles(figures.bonus_spent),
                       expired=format_rubles(figures.bonus_expired)))
        lines.append("")
        decision = (t("stats.none") if figures.median_decision_hours is None
                    else t("stats.hours", value=f"{figures.median_decision_hours:.1f}"))
        report = (t("stats.none") if figures.median_report_days is None
                  else t("stats.days", value=f"{figures.median_report_days:.1f}"))
        lines.append(t("stats.timing", decision=decision, report=report))
    lines.append(t("stats.overdue", overdue=figures.overdue_reports, late=figures.late_reports))
    if partner is None:
        attendance = rt.rulebook.attendance
        for header, shown, count in (
            (t("stats.low_attendance", listeners=attendance.low_listeners,
               events=attendance.low_events_in_a_row, count=figures.low_attendance_count),
             figures.low_attendance, figures.low_attendance_count),
            (t("stats.suspended", count=figures.suspended_count), figures.suspended,
             figures.suspended_count),
        ):
            lines.append("")
            lines.append(header)
            lines.extend(t("stats.partner_line", company=line.company, code=line.code)
                         for line in shown)
            if count > len(shown):
                lines.append(t("stats.more", count=count - len(shown)))
    return "\n".join(lines).strip()


async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    if not rt.settings.is_manager(user.id):
        await message.reply_text(rt.text(user, "stats.managers_only"))
        return
    period = await _period(rt, user, message, list(context.args or []), "stats.export_usage")
    if period is None:
        return
    sheets = await export.collect(rt.db, period)
    data = await asyncio.to_thread(export.xlsx_bytes, sheets)
    counts = ", ".join(rt.text(user, "stats.export_count", name=sheet.name, count=len(sheet.rows))
                       for sheet in sheets)
    name = f"partnerdesk-{period.start.isoformat()}-{period.end.isoformat()}.xlsx"
    await message.reply_document(
        InputFile(data, filename=name),
        caption=rt.text(user, "stats.export_caption", start=_day(period.start),
                        end=_day(period.end), counts=counts))
    log.info("user %s exported %s – %s", user.id, period.start, period.end)


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    # Not blocking: a year's figures (a second or two, the chart with them) must not take one of
    # the few updates handled at once, nor hold up the manager's own next ones. Both only read:
    # one cut short by a restart is not redone, the manager asks again.
    return [
        CommandHandler("stats", stats_command, block=False),
        CommandHandler("export", export_command, block=False),
    ]
