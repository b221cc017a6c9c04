"""One decision card, whatever it decides: an application, a report, a partner's request.

A press is `<action>:<id>:<version>:<step>[:…]` (the cards already sent keep working). The flow
is written once, here: decode the press, load the subject through its service, re-check that
the presser holds its role (a forbidden press is audited), answer a press on a decided or
older version with what was decided, offer the figures the rules leave to the manager (points,
then compensation: buttons or a typed amount, each press carrying the choice it decides, e.g.
approve or approve with info support paused) or the reasons (common ones as buttons, another
typed as a force-reply, which reaches the bot in a group with privacy mode on), then call the
subject's decide service, whose transaction also writes the outbox rows that close the card's
copies and tell the partner. Each subject plugs in a `Kind` (decide.py, review.py,
request_cards.py) with its own extra steps.
"""

from __future__ import annotations

import enum
import html
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot.forms.fields import format_rubles
from bot.forms.parsing import Invalid, parse_count, parse_money
from bot.handlers.callbacks import card_press, encode, is_id, pattern
from bot.runtime import Runtime, runtime
from bot.services import decisions
from bot.services.routing import may_decide, note_forbidden
from bot.storage.decisions import Awaited

log = logging.getLogger(__name__)
T = TypeVar("T")
POINT_STEPS = 5  # at most this many point buttons between the range's ends
COMMON_POINTS = [10, 20, 30, 50, 70, 100]  # where the rules leave the points to the manager
REASON_LIMIT = 500


def point_choices(low: int, high: int) -> list[int]:
    """Buttons for a range: every 10 when that is few enough (50 / 60 / 70), else evenly."""
    if (high - low) % 10 == 0 and (high - low) // 10 < POINT_STEPS:
        return list(range(low, high + 1, 10))
    step = (high - low) / (POINT_STEPS - 1)
    return sorted({round(low + i * step) for i in range(POINT_STEPS)})


@dataclass(frozen=True, slots=True)
class Facts:
    """What the flow needs to know of a subject."""

    id: int
    version: int
    role: str
    open: bool                       # this version still waits for a decision
    number: int                      # the number people know it by (a report: its activity's)
    audit: str                       # its audit rows: `<audit>.forbidden` about `subject`
    subject: str
    kind: str = ""                   # picks kind-specific reasons
    assessment: dict[str, Any] | None = None  # the rules' figures, for a decision with figures


@dataclass(frozen=True, slots=True)
class Choice:
    """A decision button: `verdict` is what the subject's decide call takes. With `figures`
    it asks for the points and compensation the rules leave open; with `reasons` (by subject
    kind, "" for any other) it asks why; with neither it decides at once."""

    verdict: str
    figures: bool = False
    reasons: Mapping[str, tuple[str, ...]] | None = None
    # the figures to pick from, when not the subject's assessment itself (a deliberate change)
    figures_of: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    def assessment(self, facts: Facts) -> dict[str, Any]:
        found = facts.assessment or {}
        return found if self.figures_of is None else self.figures_of(found)

    def reason_codes(self, kind: str) -> tuple[str, ...]:
        assert self.reasons is not None
        return self.reasons.get(kind) or self.reasons[""]


class Ending(enum.Enum):
    DONE = "done"
    ALREADY = "already"          # decided before: another tap, another manager, an old card
    NOT_ALLOWED = "not_allowed"
    OUT_OF_RANGE = "out_of_range"


@dataclass(frozen=True, slots=True)
class Decided(Generic[T]):
    ending: Ending
    row: T | None = None  # the subject now (ALREADY: to say what was decided)
    done: str = ""        # DONE: the text key of the presser's toast
    alert: bool = False   # DONE: the toast as an alert (the rules refused instead)


@dataclass(frozen=True, slots=True)
class Texts:
    """The text keys a subject's card speaks with."""

    reason: str         # `<reason>.<code>`: a common reason's label
    reason_prompt: str  # `<reason_prompt>.<step>`: the force-reply question for a typed reason
    amount_prompt: str = "cards.type_amount"


@dataclass(frozen=True, slots=True)
class Kind(Generic[T]):
    """How one subject plugs into the card."""

    action: str           # the callback prefix
    purpose: str          # prefix of the force-reply questions' purpose
    id_key: str           # the subject's id in a question's stored data
    texts: Texts
    reason_code: str      # a common reason is stored as `<reason_code>:<code>`
    choices: Mapping[str, Choice]
    load: Callable[[Runtime, int], Awaitable[T | None]]
    facts: Callable[[T], Facts]
    buttons: Callable[[Runtime, str, T, int], InlineKeyboardMarkup]  # (…, presser) → main row
    decided_text: Callable[[Runtime, str, T], Awaitable[str]]  # what was decided, for a stale tap
    # (runtime, row, manager, verdict, reason, points, compensation) → how it ended
    decide: Callable[[Runtime, T, int, str, str | None, int | None, int | None],
                     Awaitable[Decided[T]]]
    back: str = "back"    # the step that shows the main buttons again
    extra: Mapping[str, Callable[[Press[T], list[str]], Awaitable[None]]] = field(
        default_factory=dict)

    def figured(self, rest: list[str]) -> tuple[str, Choice] | None:
        """The choice with figures a press carries after its figures (an older card carries
        none: the first one), and its step."""
        if rest and (picked := self.choices.get(rest[0])) is not None and picked.figures:
            return rest[0], picked
        return next(((step, c) for step, c in self.choices.items() if c.figures), None)


@dataclass(frozen=True, slots=True)
class Press(Generic[T]):
    """A press (or a typed answer) on a card whose subject is loaded and may be decided."""

    update: Update
    context: ContextTypes.DEFAULT_TYPE
    rt: Runtime
    user: User
    kind: Kind[T]
    row: T
    facts: Facts
    card_id: int | None = None  # a typed figure: the card whose buttons it answers

    @property
    def language(self) -> str:
        return self.rt.language(self.user)

    def t(self, key: str, **values: Any) -> str:
        return self.rt.texts.render(self.language, key, **values)

    def button(self, label: str, *parts: object, literal: bool = False) -> InlineKeyboardButton:
        return InlineKeyboardButton(label if literal else self.t(label), callback_data=encode(
            self.kind.action, self.facts.id, self.facts.version, *parts))

    def back_row(self) -> list[InlineKeyboardButton]:
        return [self.button("cards.back", self.kind.back)]

    async def show(self, markup: InlineKeyboardMarkup) -> None:
        query, chat = self.update.callback_query, self.update.effective_chat
        if query is not None:
            await query.edit_message_reply_markup(markup)
        elif self.card_id is not None and chat is not None:
            await self.context.bot.edit_message_reply_markup(chat.id, self.card_id,
                                                             reply_markup=markup)

    async def toast(self, text: str) -> None:
        """The short answer to a press (a typed figure needs none: the card shows the step)."""
        if self.update.callback_query is not None:
            await self.update.callback_query.answer(text)

    async def await_figure(self, purpose: str, **data: Any) -> None:
        """A figure picker on the card also takes a typed figure: the manager's next message
        (in a group: a reply to the card) answers it."""
        chat, query = self.update.effective_chat, self.update.callback_query
        card = self.card_id or (query.message.message_id if query and query.message else None)
        if chat is None or card is None:
            return
        await decisions.await_answer(
            self.rt.db, chat_id=chat.id, prompt_id=card, user_id=self.user.id,
            purpose=self.kind.purpose + purpose, data=_question(self, **data),
            now=self.rt.clock.now())

    async def tell(self, text: str) -> None:
        """An alert on a press; a reply to a typed answer."""
        query, message = self.update.callback_query, self.update.effective_message
        if query is not None:
            await query.answer(text[:200], show_alert=True)
        elif message is not None:
            await message.reply_text(text, parse_mode=ParseMode.HTML)


_KINDS: list[Kind[Any]] = []


def handlers(kind: Kind[T]) -> list[BaseHandler[Update, Any, Any]]:
    """The kind's press handler; its force-reply answers come through `on_awaited`."""
    if all(known is not kind for known in _KINDS):  # an application may be built again
        _KINDS.append(kind)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await on_press(kind, update, context)

    return [CallbackQueryHandler(on_button, pattern=pattern(kind.action))]


async def on_press(kind: Kind[T], update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.data is None:
        return
    decoded = card_press(query.data)
    row = await kind.load(rt, decoded[0]) if decoded else None
    if decoded is None or row is None:
        await query.answer()
        return
    _, version, step, args = decoded
    press = Press(update, context, rt, user, kind, row, kind.facts(row))
    if not may_decide(rt.settings, user.id, press.facts.role):
        log.warning("user %s pressed %r on a card not theirs", user.id, query.data)
        await note_forbidden(rt.db, action=f"{press.facts.audit}.forbidden",
                             subject=press.facts.subject, user_id=user.id, data=query.data,
                             now=rt.clock.now())
        await query.answer(press.t("cards.not_yours"), show_alert=True)
        return
    if press.facts.version != version or not press.facts.open:
        await press.tell(await kind.decided_text(rt, press.language, row))
        return
    await _step(press, step, args)


async def _step(press: Press[T], step: str, args: list[str]) -> None:
    kind, query = press.kind, press.update.callback_query
    assert query is not None
    choice = kind.choices.get(step)
    picked = kind.choices.get(args[0]) if args else None
    if choice is not None and choice.figures:
        await _figures(press, step, choice, points=None)
    elif choice is not None and choice.reasons is not None:
        await query.answer()
        await _reasons(press, step, choice)
    elif choice is not None:
        await _decide(press, choice.verdict)
    elif step == "p" and (figured := kind.figured(args[1:])) and args and is_id(args[0]):
        await _figures(press, *figured, points=int(args[0]))
    elif step == "c" and (figured := kind.figured(args[2:])) and len(args) >= 2 and is_id(
        args[1]
    ):
        await _decide(press, figured[1].verdict, points=_carried(args[0]),
                      compensation=int(args[1]), figured=figured[0])
    elif step == "ct" and (figured := kind.figured(args[1:])) and args:
        await query.answer()
        await _ask_amount(press, args[0], figured=figured[0])
    elif step == "r" and picked and picked.reasons and len(args) == 2 and (
        args[1] in picked.reason_codes(press.facts.kind)
    ):
        await _decide(press, picked.verdict, reason=f"{kind.reason_code}:{args[1]}")
    elif step == "rt" and picked and picked.reasons:
        await query.answer()
        await ask_typed(press.update, press.context, kind.purpose + "reason",
                        press.t(f"{kind.texts.reason_prompt}.{args[0]}", id=press.facts.number),
                        _question(press, action=args[0]))
    elif step == kind.back:
        await query.answer()
        await _forget_figure(press)
        await press.show(kind.buttons(press.rt, press.language, press.row, press.user.id))
    elif step in kind.extra:
        await kind.extra[step](press, args)
    else:
        await query.answer()


def _carried(points: str) -> int | None:
    """The points picked before the compensation, carried in the data («-»: none)."""
    return int(points) if is_id(points) else None


def _question(press: Press[T], **more: Any) -> dict[str, Any]:
    return {press.kind.id_key: press.facts.id, "version": press.facts.version, **more}


async def _reasons(press: Press[T], step: str, choice: Choice) -> None:
    rows = [[press.button(f"{press.kind.texts.reason}.{code}", "r", step, code)]
            for code in choice.reason_codes(press.facts.kind)]
    rows.append([press.button("cards.type_reason", "rt", step), *press.back_row()])
    await press.show(InlineKeyboardMarkup(rows))


async def _figures(press: Press[T], step: str, choice: Choice, points: int | None) -> None:
    """Decide at once when the rules leave nothing to pick; else ask for the points, then the
    compensation: buttons, or a figure typed in answer to them."""
    assessment = choice.assessment(press.facts)
    points_range = decisions.points_range(assessment)
    if points is None and points_range is not None:
        await press.toast(press.t("cards.pick_points"))
        choices = (COMMON_POINTS if assessment.get("points") is None
                   else point_choices(*points_range))
        picks = [press.button(str(p), "p", p, step, literal=True) for p in choices]
        await press.show(InlineKeyboardMarkup(
            [picks[i:i + 3] for i in range(0, len(picks), 3)] + [press.back_row()]))
        await press.await_figure("points", choice=step)
        return
    money = decisions.compensation_range(assessment)
    if money is None:
        await _decide(press, choice.verdict, points=points)
        return
    await press.toast(press.t("cards.pick_compensation"))
    carried = "-" if points is None else str(points)
    low, top = money
    await press.show(InlineKeyboardMarkup([
        [press.button(format_rubles(k), "c", carried, k, step, literal=True)
         for k in ([low] if top is None else [low, top])],
        [press.button("cards.type_other_amount", "ct", carried, step)],
        press.back_row(),
    ]))
    await press.await_figure("compensation", points=carried, choice=step)


async def _typed_points(press: Press[T], text: str, step: str, choice: Choice) -> None:
    """Points typed while the card offers point buttons: within the rules' range they are
    the pick; anything else gets a short answer and the buttons stay."""
    points_range = decisions.points_range(choice.assessment(press.facts)) or (0, 0)
    try:
        points = parse_count(text, *points_range)
    except Invalid:
        await press.tell(press.t("cards.points_again", low=points_range[0],
                                 high=points_range[1]))
        await press.await_figure("points", choice=step)
        return
    await _figures(press, step, choice, points=points)


async def _forget_figure(press: Press[T]) -> None:
    """The card's figure buttons are gone: a later message is no figure for them."""
    query, chat = press.update.callback_query, press.update.effective_chat
    if query is not None and query.message is not None and chat is not None:
        await decisions.forget_awaited(press.rt.db, chat_id=chat.id,
                                       prompt_id=query.message.message_id)


async def _ask_amount(press: Press[T], carried: str, again: bool = False,
                      figured: str = "") -> None:
    low, high = decisions.compensation_range(press.facts.assessment or {}) or (0, None)
    prompt = press.t("cards.amount_again") if again else press.t(
        press.kind.texts.amount_prompt, id=press.facts.number, low=format_rubles(low),
        high=format_rubles(high) if high is not None else "∞")
    await ask_typed(press.update, press.context, press.kind.purpose + "compensation", prompt,
                    _question(press, points=carried, choice=figured))


async def ask_typed(update: Update, context: ContextTypes.DEFAULT_TYPE, purpose: str,
                    prompt: str, data: dict[str, Any]) -> None:
    """Ask with a force-reply, which also reaches the bot in a group with privacy mode on."""
    rt = runtime(context)
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    mention = (f'<a href="tg://user?id={user.id}">{html.escape(user.first_name)}</a>, '
               if chat.type != "private" else "")
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
    """A manager's typed reason or amount, in answer to a card's force-reply question."""
    rt = runtime(context)
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None and message.text is not None
    # The application's questions carry no prefix: the longest matching prefix wins.
    kind = max((k for k in _KINDS if awaited.purpose.startswith(k.purpose)),
               key=lambda k: len(k.purpose), default=None)
    row = await kind.load(rt, int(awaited.data[kind.id_key])) if kind else None
    if kind is None or row is None:
        return
    typed_figure = awaited.purpose in (kind.purpose + "points", kind.purpose + "compensation")
    press = Press(update, context, rt, user, kind, row, kind.facts(row),
                  card_id=awaited.prompt_id if typed_figure else None)
    if press.facts.version != int(awaited.data["version"]) or not press.facts.open:
        await press.tell(await kind.decided_text(rt, press.language, row))
        return
    figured = kind.figured([str(awaited.data.get("choice", ""))])
    if awaited.purpose == kind.purpose + "points":
        if figured is not None:
            await _typed_points(press, message.text, *figured)
        return
    if awaited.purpose.endswith("reason"):
        # `verb`: how a request's questions said it before the card was one
        choice = kind.choices.get(str(awaited.data.get("action", awaited.data.get("verb"))))
        if choice is not None:
            await _decide(press, choice.verdict, reason=message.text.strip()[:REASON_LIMIT])
        return
    carried = str(awaited.data.get("points", "-"))
    if figured is None:
        return
    try:
        amount = parse_money(message.text)
    except Invalid:
        await _ask_amount(press, carried, again=True, figured=figured[0])
        return
    await _decide(press, figured[1].verdict, points=_carried(carried), compensation=amount,
                  figured=figured[0])


async def _decide(press: Press[T], verdict: str, *, reason: str | None = None,
                  points: int | None = None, compensation: int | None = None,
                  figured: str = "") -> None:
    """The subject's decide service: the decision and its outbox rows in one transaction."""
    rt, query = press.rt, press.update.callback_query
    decided = await press.kind.decide(rt, press.row, press.user.id, verdict, reason, points,
                                      compensation)
    if decided.ending is Ending.DONE:
        await _forget_figure(press)
        rt.outbox.wake()  # the card's copies closed and the partner told, by the outbox
        if query is not None:
            await query.answer(press.t(decided.done), show_alert=decided.alert)
        return
    if decided.ending is Ending.OUT_OF_RANGE:
        if query is None:  # a typed amount: ask again
            await _ask_amount(press, "-" if points is None else str(points), again=True,
                              figured=figured)
        else:
            await press.tell(press.t("cards.out_of_range"))
        return
    if decided.ending is Ending.NOT_ALLOWED:
        await press.tell(press.t("cards.not_yours"))
        return
    await press.tell(await press.kind.decided_text(rt, press.language, decided.row or press.row))
