"""/balance, /rating, /bonus (a quote of what the bonus account pays) and the head's /correct.

A partner sees only its own company's figures. /bonus takes the order lines in the same message
or as a reply to its force-reply question, recognised by the 🧮 its messages start with, so the
question needs no stored state and a reply to an earlier quote quotes again.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.constants import ParseMode
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.config import Role
from bot.forms.fields import format_rubles, split_tail
from bot.forms.parsing import Invalid, parse_count, parse_money
from bot.handlers import outbox
from bot.handlers.callbacks import encode, pattern
from bot.rules import LineKind, OrderLine, Program, Spend
from bot.runtime import Runtime, runtime
from bot.services import ledger, partners
from bot.services.ledger import Account, Balance, CorrectionRefused, HeldLot, Ranked, Refusal
from bot.storage.partners import PartnerRow

log = logging.getLogger(__name__)

ACTION = "bl"  # bl:quote — the /bonus question, from the /balance message
QUOTE_MARK = "🧮"
EXPIRY_CHECK_SECONDS = 3600  # expiry is idempotent: hourly runs also cover a restart at midnight
MAX_ORDER_LINES = 20
LOTS_SHOWN = 10
TOP = 50
NAME_LIMITS = (32, 20, 12)  # characters of a company name in the managers' list, until it fits
TEXT_LIMIT = 4096

# Words after the price that say a line is not a licence (RULEBOOK §4), by their beginnings.
KIND_WORDS = {
    LineKind.PHYSICAL: ("физ", "книг", "товар", "phys", "book", "goods"),
    LineKind.MARKETPLACE: ("маркет", "мп", "market", "mp"),
}
PROGRAM_WORDS = {
    "site_management": Program.SITE_MANAGEMENT, "site": Program.SITE_MANAGEMENT,
    "sm": Program.SITE_MANAGEMENT, "ус": Program.SITE_MANAGEMENT,
    "bitrix24": Program.BITRIX24, "b24": Program.BITRIX24, "б24": Program.BITRIX24,
}
ACCOUNT_WORDS = {"points": Account.POINTS, "баллы": Account.POINTS,
                 "bonus": Account.BONUS, "бонус": Account.BONUS, "бонусы": Account.BONUS}


def _day(day: date) -> str:
    return day.strftime("%d.%m.%Y")


async def _own_partner(rt: Runtime, user: User, message: Message) -> PartnerRow | None:
    """The company of an active employee; otherwise says why not and returns None."""
    member, partner = await partners.membership(rt.db, user.id)
    if member is None or partner is None or member.state == "declined":
        await message.reply_text(rt.text(user, "balance.join_first"))
        return None
    if member.state != "active":
        await message.reply_text(rt.text(user, "balance.wait_confirmation"))
        return None
    return partner


# --- /balance --------------------------------------------------------------------------------


async def balance_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A partner: its own balance. A manager: `/balance PARTNER-ID`."""
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    if rt.settings.is_manager(user.id):
        if not context.args:
            await message.reply_text(rt.text(user, "balance.manager_usage"))
            return
        partner = await partners.find_partner(rt.db, context.args[0])
        if partner is None:
            await message.reply_text(rt.text(user, "balance.no_partner", code=context.args[0]))
            return
    elif (partner := await _own_partner(rt, user, message)) is None:
        return
    today = rt.clock.now().date()
    held = await ledger.balance(rt.db, rt.rulebook, partner.id, today)
    quote_button = InlineKeyboardMarkup([[InlineKeyboardButton(
        rt.text(user, "balance.quote_button"), callback_data=encode(ACTION, "quote"))]])
    await message.reply_text(balance_text(rt, user, partner, held), parse_mode=ParseMode.HTML,
                             reply_markup=None if rt.settings.is_manager(user.id)
                             else quote_button)


def balance_text(rt: Runtime, user: User, partner: PartnerRow, held: Balance) -> str:
    t = rt.speaker(rt.language(user))
    parts = [t("balance.title", company=partner.company, code=partner.code,
               today=_day(held.as_of))]
    points = [t("balance.points_total", total=held.points_total)]
    points += [t("balance.points_line", program=t(f"balance.program.{program.value}"),
                 points=held.points[program]) for program in Program]
    parts.append("\n".join(points))
    money = [t("balance.bonus_total", total=format_rubles(held.bonus))]
    money += [t("balance.bonus_line", amount=format_rubles(lot.left), until=_day(lot.expires_on))
              for lot in held.bonus_lots[:LOTS_SHOWN]]
    if len(held.bonus_lots) > LOTS_SHOWN:
        money.append(t("balance.more_lots", count=len(held.bonus_lots) - LOTS_SHOWN))
    parts.append("\n".join(money))
    if held.expiring:
        soon = [t("balance.expiring", days=ledger.EXPIRING_WITHIN_DAYS)]
        soon += [_expiring_line(rt, user, lot) for lot in held.expiring[:LOTS_SHOWN]]
        if len(held.expiring) > LOTS_SHOWN:
            soon.append(t("balance.more_lots", count=len(held.expiring) - LOTS_SHOWN))
        parts.append("\n".join(soon))
    else:
        parts.append(t("balance.nothing_expiring", days=ledger.EXPIRING_WITHIN_DAYS))
    return "\n\n".join(parts)


def _expiring_line(rt: Runtime, user: User, lot: HeldLot) -> str:
    if lot.program is not None:
        return rt.text(user, "balance.expiring_points", points=lot.left,
                       program=rt.text(user, f"balance.program.{lot.program.value}"),
                       until=_day(lot.expires_on))
    return rt.text(user, "balance.expiring_bonus", amount=format_rubles(lot.left),
                   until=_day(lot.expires_on))


# --- /rating ---------------------------------------------------------------------------------


async def rating_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A partner: its place. A manager: the top of the list with points per program."""
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    if rt.settings.is_manager(user.id):
        today = rt.clock.now().date()
        ranked = await ledger.ranking(rt.db, rt.rulebook, today)
        await message.reply_text(managers_rating_text(rt, user, ranked, today),
                                 parse_mode=ParseMode.HTML)
        return
    partner = await _own_partner(rt, user, message)
    if partner is None:
        return
    today = rt.clock.now().date()
    ranked = await ledger.ranking(rt.db, rt.rulebook, today)
    await message.reply_text(partner_rating_text(rt, user, partner, ranked, today),
                             parse_mode=ParseMode.HTML)


def partner_rating_text(rt: Runtime, user: User, partner: PartnerRow, ranked: list[Ranked],
                        today: date) -> str:
    t = rt.speaker(rt.language(user))
    mine = next(r for r in ranked if r.partner_id == partner.id)
    with_points = sum(1 for r in ranked if r.total)
    title = t("balance.rating.title", today=_day(today))
    if not mine.total:
        return f"{title}\n\n{t('balance.rating.no_points', others=with_points)}"
    return f"{title}\n\n" + t(
        "balance.rating.place", place=mine.place, count=len(ranked), points=mine.total,
        by_program=_by_program(rt, user, mine))


def _by_program(rt: Runtime, user: User, ranked: Ranked) -> str:
    return ", ".join(rt.text(user, "balance.rating.program_points",
                             program=rt.text(user, f"balance.program_short.{program.value}"),
                             points=ranked.by_program.get(program, 0))
                     for program in Program)


def managers_rating_text(rt: Runtime, user: User, ranked: list[Ranked], today: date) -> str:
    t = rt.speaker(rt.language(user))
    with_points = [r for r in ranked if r.total]
    if not with_points:
        return t("balance.rating.title", today=_day(today)) + "\n\n" + t("balance.rating.empty")

    def build(name_limit: int) -> str:
        lines = [t("balance.rating.managers_title", today=_day(today),
                   shown=min(TOP, len(with_points)), count=len(with_points))]
        lines += [t("balance.rating.line", place=r.place, company=_cut(r.company, name_limit),
                    code=r.code, points=r.total, by_program=_by_program(rt, user, r))
                  for r in with_points[:TOP]]
        return "\n".join(lines)

    for limit in NAME_LIMITS:
        text = build(limit)
        if len(text) <= TEXT_LIMIT:
            break
    return text


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- /bonus ----------------------------------------------------------------------------------


def parse_order(text: str) -> list[OrderLine]:
    """`Name — price [kind word]` a line → order lines; Invalid names what is wrong."""
    lines = [line.strip(" •-*\t") for line in text.splitlines() if line.strip(" •-*\t")]
    if not lines:
        raise Invalid("empty")
    if len(lines) > MAX_ORDER_LINES:
        raise Invalid("too_many", {"max": MAX_ORDER_LINES})
    order = []
    for number, line in enumerate(lines, start=1):
        try:
            order.append(parse_order_line(line))
        except Invalid:
            raise Invalid("line", {"line": number, "text": _cut(line, 60)}) from None
    return order


def parse_order_line(line: str) -> OrderLine:
    kind = LineKind.LICENCE
    head, _, last = line.rpartition(" ")
    word = last.strip(".,()").lower()
    for line_kind, stems in KIND_WORDS.items():
        if head and word.startswith(stems):
            kind, line = line_kind, head
            break
    name, price_text = split_tail(line)
    if not any(ch.isalnum() for ch in name):
        raise Invalid("line_needs_name")
    price = parse_money(price_text)
    if price <= 0:
        raise Invalid("number_range")
    return ledger.order_line(name[:60], price, kind)


async def bonus_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/bonus` with order lines below it, or bare: then the question comes."""
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.text is None:
        return
    if rt.settings.is_manager(user.id):
        await message.reply_text(rt.text(user, "balance.bonus.partners_only"))
        return
    partner = await _own_partner(rt, user, message)
    if partner is None:
        return
    parts = message.text.split(None, 1)
    if len(parts) < 2:
        await ask_order(message, rt, user)
        return
    await quote_order(message, rt, user, partner, parts[1])


async def on_quote_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Order lines typed as a reply to the /bonus question (or to an earlier quote)."""
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.text is None:
        return
    partner = await _own_partner(rt, user, message)
    if partner is not None:
        await quote_order(message, rt, user, partner, message.text)


async def on_quote_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    await query.answer()
    if isinstance(query.message, Message):
        await ask_order(query.message, rt, user)


async def ask_order(message: Message, rt: Runtime, user: User, error: str | None = None) -> None:
    parts = [error, rt.text(user, "balance.bonus.prompt")] if error else [
        rt.text(user, "balance.bonus.prompt")]
    await message.reply_text(
        f"{QUOTE_MARK} " + "\n\n".join(parts), parse_mode=ParseMode.HTML,
        reply_markup=ForceReply(input_field_placeholder=rt.text(user,
                                                                "balance.bonus.placeholder")),
    )


async def quote_order(message: Message, rt: Runtime, user: User, partner: PartnerRow,
                      text: str) -> None:
    try:
        lines = parse_order(text)
    except Invalid as exc:
        await ask_order(message, rt, user, rt.text(user, f"balance.bonus.error.{exc.reason}",
                                                   **exc.params))
        return
    today = rt.clock.now().date()
    paid = await ledger.quote(rt.db, rt.rulebook, partner.id, lines, today)
    await message.reply_text(f"{QUOTE_MARK} " + quote_text(rt, user, lines, paid, today),
                             parse_mode=ParseMode.HTML)


def quote_text(rt: Runtime, user: User, lines: list[OrderLine], paid: Spend, today: date) -> str:
    t = rt.speaker(rt.language(user))
    rows = [t("balance.bonus.title", today=_day(today),
              balance=format_rubles(paid.bonus_used + paid.bonus_left))]
    for number, (line, pay) in enumerate(zip(lines, paid.lines, strict=True), start=1):
        key = "line" if line.kind is LineKind.LICENCE else "line_not_payable"
        rows.append(t(f"balance.bonus.{key}", n=number, name=line.name,
                      price=format_rubles(line.price), bonus=format_rubles(pay.bonus),
                      cash=format_rubles(pay.cash), kind=t(f"balance.bonus.kind.{line.kind}")))
    cash = sum(pay.cash for pay in paid.lines)
    rows.append(t("balance.bonus.total", bonus=format_rubles(paid.bonus_used),
                  cash=format_rubles(cash), left=format_rubles(paid.bonus_left)))
    return "\n".join(rows)


class _RepliesToQuote(filters.MessageFilter):
    """A reply to one of this bot's /bonus messages (they start with the quote mark)."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return bool(replied is not None and replied.from_user is not None
                    and replied.from_user.is_bot
                    and (replied.text or "").startswith(QUOTE_MARK))


# --- /correct (the head) ---------------------------------------------------------------------


async def correct_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/correct PARTNER-ID points|bonus [program] ±AMOUNT reason"""
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    if user.id not in rt.settings.managers.get(Role.HEAD, ()):
        await message.reply_text(rt.text(user, "balance.correct.only_head"))
        return
    try:
        code, account, program, amount, reason = parse_correction(context.args or [])
    except Invalid:
        await message.reply_text(rt.text(user, "balance.correct.usage"),
                                 parse_mode=ParseMode.HTML)
        return
    partner = await partners.find_partner(rt.db, code)
    if partner is None:
        await message.reply_text(rt.text(user, "balance.no_partner", code=code))
        return
    now = rt.clock.now()
    try:
        await ledger.correct(rt.db, rt.rulebook, partner_id=partner.id, account=account,
                             amount=amount, reason=reason, by=user.id, now=now,
                             program=program, request=f"{message.chat_id}:{message.message_id}",
                             settings=rt.settings)
    except CorrectionRefused as refused:
        await message.reply_text(_refusal_text(rt, user, refused, account))
        return
    held = await ledger.balance(rt.db, rt.rulebook, partner.id, now.date())
    shown = _amount_text(account, amount)
    now_text = (format_rubles(held.bonus) if account is Account.BONUS
                else str(held.points[Program(program)] if program else 0))
    await message.reply_text(rt.text(
        user, f"balance.correct.done.{account}", company=partner.company, code=partner.code,
        amount=shown, reason=reason, program=_program_name(rt, user, program), now=now_text))
    rt.outbox.wake()  # the partner's employees told, by the outbox


def parse_correction(args: list[str]) -> tuple[str, Account, str | None, int, str]:
    """`P-100 points sm +10 reason…` → (code, account, program, signed amount, reason)."""
    if len(args) < 4 or args[1].lower() not in ACCOUNT_WORDS:
        raise Invalid("usage")
    code, account, rest = args[0], ACCOUNT_WORDS[args[1].lower()], args[2:]
    program: str | None = None
    if account is Account.POINTS:
        if rest[0].lower() not in PROGRAM_WORDS:
            raise Invalid("usage")
        program, rest = PROGRAM_WORDS[rest[0].lower()].value, rest[1:]
    if len(rest) < 2 or not rest[0] or rest[0][0] not in "+-−":
        raise Invalid("usage")
    sign = 1 if rest[0][0] == "+" else -1
    figure = rest[0][1:]
    size = parse_count(figure, 1) if account is Account.POINTS else parse_money(figure)
    if size <= 0:
        raise Invalid("usage")
    return code, account, program, sign * size, " ".join(rest[1:])[:300]


def _amount_text(account: Account, amount: int) -> str:
    sign = "+" if amount > 0 else "−"
    return sign + (format_rubles(abs(amount)) if account is Account.BONUS else str(abs(amount)))


def _program_name(rt: Runtime, user: User | None, program: str | None) -> str:
    return rt.text(user, f"balance.program.{program}") if program else ""


def _refusal_text(rt: Runtime, user: User, refused: CorrectionRefused, account: Account) -> str:
    available = (format_rubles(refused.available) if account is Account.BONUS
                 else str(refused.available))
    if refused.refusal is Refusal.NOT_ENOUGH:
        return rt.text(user, "balance.correct.not_enough", available=available)
    return rt.text(user, "balance.correct.usage_short")


async def _correction_told(rt: Runtime, language: str,
                           payload: dict[str, Any]) -> outbox.Outgoing:
    """What the partner's employees are told of the head's correction."""
    t = rt.speaker(language)
    account, program = Account(payload["account"]), payload.get("program")
    return outbox.Outgoing(t(
        f"balance.correct.told.{account}", amount=_amount_text(account, int(payload["amount"])),
        reason=payload["reason"], program=t(f"balance.program.{program}") if program else ""))


outbox.register_notice("correction", _correction_told)


# --- expiry ----------------------------------------------------------------------------------


async def expire_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Write off lots past their last valid day (idempotent; safe to run any number of times)."""
    rt = runtime(context)
    now = rt.clock.now()
    written = await ledger.expire_due(rt.db, rt.rulebook, now.date(), now)
    if written:
        log.info("ledger: %d lot(s) expired", written)


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [
        CommandHandler("balance", balance_command),
        CommandHandler("rating", rating_command),
        CommandHandler("bonus", bonus_command),
        CommandHandler("correct", correct_command),
        CallbackQueryHandler(on_quote_button, pattern=pattern(ACTION)),
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
                       & filters.REPLY & _RepliesToQuote(), on_quote_reply),
    ]
