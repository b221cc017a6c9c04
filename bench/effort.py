"""How many actions a person needs for the standard cases, through the real bot.

    python bench/effort.py

The real bot (`build_application`) polls the in-process local Bot API server, on a fresh
database with the shipped rulebook. A partner's employee (Russian) and the specialist walk the
standard cases the way a person does on the phone, each step waiting for the bot's reply; every
action is counted: a typed message, a tap, a shared contact, a sent file or a sent album = 1
(joining the program is not counted). Printed: each case's actions (typed / taps / files), its
target from issue 20, and whether it is met. A case the bot does not offer yet is printed as «—».

Cases: a first seminar application (/apply to ✅ Send); a seminar by a company that applied
before; 🔁 Repeat of a past seminar from /events; a seminar report with 4 photos sent as one
album and one scan; a webinar report; a manager's decision (one tap, and an exhibition whose
points the manager picks).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from throughput import TOKEN, machine  # noqa: E402

from bot.app import AnyApplication, build_application, polling  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.localapi import LocalBotApi  # noqa: E402
from bot.localapi.models import BotMessage, TgUser  # noqa: E402
from bot.runtime import runtime_of  # noqa: E402
from tests.e2e.steps import join_new_partner  # noqa: E402
from tests.localapi.conftest import make_png  # noqa: E402

SPECIALIST = 9001
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WAIT = 10.0  # seconds for the bot's reply to one action


@dataclass
class Person:
    """A person on the phone: every action waits for the bot's reply and is counted."""

    api: LocalBotApi
    user: TgUser
    typed: int = 0
    taps: int = 0
    files: int = 0
    last: BotMessage | None = field(default=None, repr=False)

    @property
    def actions(self) -> int:
        return self.typed + self.taps + self.files

    def reset(self) -> None:
        self.typed = self.taps = self.files = 0

    async def reply(self) -> BotMessage:
        self.last = await self.api.next_message(self.user.id, timeout=WAIT)
        return self.last

    async def say(self, text: str) -> BotMessage:
        self.typed += 1
        await self.api.send_text(self.user, text)
        return await self.reply()

    async def tap(self, button: str, message: BotMessage | None = None) -> BotMessage:
        """Tap a button of `message` (the bot's last message by default)."""
        self.taps += 1
        target = message or self.last
        assert target is not None, "nothing to tap on"
        before = target.html
        await self.api.press(self.user, target, button, timeout=WAIT)
        # The next question: a new message, or the pressed one edited into it.
        self.last = await self.api.next_message_or_edit(self.user.id, target, before,
                                                        timeout=WAIT)
        return self.last

    async def album(self, photos: int) -> BotMessage:
        self.files += 1
        await self.api.send_album(self.user, [make_png(seed=n) for n in range(photos)])
        return await self.reply()

    async def scan(self) -> BotMessage:
        self.files += 1
        await self.api.send_document(self.user, PDF, filename="scan.pdf",
                                     mime_type="application/pdf")
        return await self.reply()

    async def walk(self, script: list[tuple[str, str]]) -> BotMessage:
        """("type", text) or ("tap", button) steps; returns the bot's last reply."""
        reply = self.last
        for action, value in script:
            reply = await (self.say(value) if action == "type" else self.tap(value))
        assert reply is not None
        return reply

    def figure(self) -> str:
        return f"{self.actions} ({self.typed} typed, {self.taps} taps, {self.files} files)"


@dataclass(frozen=True)
class Case:
    name: str
    target: int
    walk: Callable[[Bench], Awaitable[str | None]]  # the figure, or None: not offered yet


def seminar(on: str) -> list[tuple[str, str]]:
    """A first seminar: the date and place in one answer, the topic taken from the title."""
    return [("type", "/apply"), ("tap", "Семинар"), ("type", f"{on}, Казань, ул. Баумана 58"),
            ("type", "Битрикс24 для бизнеса"), ("tap", "Потенциальные клиенты"),
            ("type", "Битрикс24 для отдела продаж — 40"), ("tap", "Нет"), ("tap", "30"),
            ("type", "рассылка"),
            ("type", "Аренда зала — 15000\nКофе-брейк — 8000"), ("tap", "Не нужна"),
            ("tap", "✅ Отправить")]


def seminar_as_before(on: str) -> list[tuple[str, str]]:
    """The same company's next seminar: the date, then everything as last time."""
    return [("type", "/apply"), ("tap", "Семинар"), ("type", on),
            ("tap", "✓ Всё как в прошлый раз"), ("type", "Битрикс24 для бизнеса"),
            ("type", "Битрикс24 для отдела продаж — 40"), ("tap", "Нет"),
            ("tap", "✅ Отправить")]


def webinar(on: str) -> list[tuple[str, str]]:
    return [("type", "/apply"), ("tap", "Вебинар"), ("type", on),
            ("type", "Битрикс24 за час"), ("tap", "Потенциальные клиенты"),
            ("type", "Битрикс24: CRM — 45"), ("tap", "Нет"),
            ("tap", "50"), ("type", "рассылка, сайт"), ("tap", "Только анонс"),
            ("tap", "✅ Отправить")]


def webinar_as_before(on: str) -> list[tuple[str, str]]:
    return [("type", "/apply"), ("tap", "Вебинар"), ("type", on),
            ("tap", "✓ Всё как в прошлый раз"), ("type", "Битрикс24 за час"),
            ("type", "Битрикс24: CRM — 45"), ("tap", "Нет"), ("tap", "✅ Отправить")]


def exhibition(on: str) -> list[tuple[str, str]]:
    return [("type", "/apply"), ("tap", "Выставка"), ("type", "Softool"), ("type", on),
            ("type", "Москва, ВДНХ"), ("type", "https://softool.ru"),
            ("type", "ИТ-выставка, покажем Битрикс24"), ("tap", "1000"),
            ("type", "3x2 м, символика вендора, демо на стенде"), ("type", "60 000"),
            ("tap", "Пропустить"), ("tap", "0"), ("tap", "Нет"), ("tap", "✅ Отправить")]


@dataclass
class Bench:
    api: LocalBotApi
    app: AnyApplication
    partner: Person
    manager: Person

    async def applied(self, script: list[tuple[str, str]]) -> tuple[str, BotMessage]:
        """The partner applies; returns the count and the manager's card."""
        self.partner.reset()
        before = len(self.cards())
        await self.partner.walk(script)
        await self.api.wait_until(lambda: len(self.cards()) > before, timeout=WAIT)
        return self.partner.figure(), self.cards()[-1]

    def cards(self) -> list[BotMessage]:
        return [m for m in self.api.bot_messages(self.manager.user)
                if m.text.startswith("Заявка №")]

    async def approve(self, card: BotMessage) -> None:
        await self.api.press(self.manager.user, card, "✅ Одобрить", timeout=WAIT)
        await self.partner.reply()

    def day(self, days: int) -> str:
        """The date `days` ahead of the bot's clock (the bench moves it past events)."""
        today = runtime_of(self.app).clock.now().date()
        return (today + timedelta(days=days)).strftime("%d.%m.%Y")

    def advance(self, days: int) -> None:
        runtime_of(self.app).clock.advance(timedelta(days=days))

    async def first_seminar(self) -> str:
        figure, card = await self.applied(seminar(self.day(40)))
        await self.approve(card)
        return figure

    async def seminar_again(self) -> str:
        figure, _ = await self.applied(seminar_as_before(self.day(45)))
        return figure  # left pending

    async def repeat(self) -> str:
        """/events → the first seminar → 🔁 → its new date → ✅ Send."""
        self.partner.reset()
        before = len(self.cards())
        events = await self.partner.say("/events")
        first = next(text for text in events.button_texts() if text.startswith("#1 "))
        await self.partner.walk([("tap", first), ("tap", "🔁 Повторить"),
                                 ("type", self.day(50)), ("tap", "✅ Отправить")])
        await self.api.wait_until(lambda: len(self.cards()) > before, timeout=WAIT)
        return self.partner.figure()

    async def figures(self, registrations: int, listeners: int) -> None:
        """Registrations and listeners: in one answer where the question offers it."""
        question = self.partner.last
        assert question is not None
        if "50 / 42" in question.text:
            await self.partner.say(f"{registrations} / {listeners}")
        else:
            await self.partner.walk([("type", str(registrations)), ("type", str(listeners))])

    async def seminar_report(self) -> str:
        self.advance(41)
        self.partner.reset()
        await self.partner.say("/report")  # the opening and the first question, one message
        await self.figures(45, 32)
        await self.partner.say("romashka.ru/seminar — всё прошло отлично, много вопросов про CRM")
        await self.partner.album(4)  # the full checklist goes on to the scans by itself
        summary = await self.partner.scan()  # the first scan completes the report
        assert "Проверьте отчёт" in summary.text, summary.text
        await self.partner.tap("✅ Отправить отчёт")
        return self.partner.figure()

    async def webinar_report(self) -> str:
        _, card = await self.applied(webinar(self.day(30)))
        await self.approve(card)
        self.advance(31)
        self.partner.reset()
        await self.partner.say("/report")
        choice = await self.partner.reply()
        pick = [text for text in choice.button_texts() if "Вебинар" in text]
        if pick:  # more than one event waits for a report: pick the webinar
            await self.partner.tap(pick[0])
        await self.figures(60, 41)
        summary = await self.partner.say("romashka.ru/webinar — хорошие вопросы, придём ещё")
        assert "Проверьте отчёт" in summary.text, summary.text
        await self.partner.tap("✅ Отправить отчёт")
        return self.partner.figure()

    async def decision(self) -> str:
        _, card = await self.applied(webinar_as_before(self.day(30)))  # the second webinar
        self.manager.reset()
        self.manager.taps += 1
        await self.api.press(self.manager.user, card, "✅ Одобрить", timeout=WAIT)
        await self.partner.reply()
        return self.manager.figure()

    async def decision_with_figure(self) -> str:
        _, card = await self.applied(exhibition(self.day(60)))
        self.manager.reset()
        self.manager.taps += 1
        await self.api.press(self.manager.user, card, "✅ Одобрить", timeout=WAIT)
        await self.api.wait_until(lambda: "60" in card.button_texts(), timeout=WAIT)
        self.manager.taps += 1
        await self.api.press(self.manager.user, card, "60", timeout=WAIT)
        await self.partner.reply()
        return self.manager.figure()


CASES = (
    Case("first seminar application", 12, Bench.first_seminar),
    Case("a seminar by a company that applied before", 10, Bench.seminar_again),
    Case("🔁 Repeat of a past seminar", 5, Bench.repeat),
    Case("seminar report: 4 photos as one album + 1 scan", 6, Bench.seminar_report),
    Case("webinar report", 5, Bench.webinar_report),
    Case("manager's decision", 1, Bench.decision),
    Case("manager's decision with a figure", 2, Bench.decision_with_figure),
)


def met(figure: str | None, target: int) -> str:
    if figure is None:
        return "not offered"
    return "yes" if int(figure.split()[0]) <= target else "no"


async def run() -> int:
    api = LocalBotApi(token=TOKEN, bot_username="partnerdesk_bench_bot")
    await api.start()
    rows: list[tuple[str, str | None, int]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="effort-") as folder:
            settings = load_settings(
                telegram_bot_token=TOKEN, bot_api_url=api.base_url,
                database=Path(folder) / "bench.sqlite3", data_dir=Path(folder) / "data",
                timezone="Europe/Moscow", managers={"specialist": [SPECIALIST]})
            app = build_application(settings)
            async with polling(app, poll_timeout=1):
                manager = Person(api, api.user(SPECIALIST, "Мария", language_code="ru"))
                await manager.say("/start")
                partner = Person(api, api.user(1001, "Анна", language_code="ru"))
                await join_new_partner(api, partner.user, code="P-1001")
                bench = Bench(api, app, partner, manager)
                for case in CASES:
                    rows.append((case.name, await case.walk(bench), case.target))
    finally:
        await api.stop()
    width = max(len(name) for name, _, _ in rows)
    print(f"{'case':<{width}}  {'actions':<34} target  met")
    for name, figure, target in rows:
        print(f"{name:<{width}}  {figure or '—':<34} ≤ {target:<4}  {met(figure, target)}")
    refused = len(api.refusals) + len(api.server_errors)
    print(f"machine: {machine()}")
    print(f"refusals: {refused}")
    return 0 if refused == 0 else 1


def main() -> int:
    return asyncio.run(run())


if __name__ == "__main__":
    sys.exit(main())
