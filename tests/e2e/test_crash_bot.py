"""The real bot process, killed (SIGKILL) at random moments while partners apply and report and
managers decide: nothing it promised is lost.

Twenty partners join, apply for a webinar, wait for the decision, then (the bot's clock moved past
the events) report on it and wait for the review; a specialist approves every card and accepts
every report as it arrives. Meanwhile the test kills `partnerdesk run` (tests/e2e/
crash_bot_child.py) at random moments and starts it again, twenty times. At the end every partner
message was answered, every application's card reached the specialist, every decision and review
outcome reached its partner, nothing was decided twice, and a notification was repeated at most
once per kill (the counts are printed).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.localapi import LocalBotApi
from bot.localapi.models import BotMessage, TgUser
from tests.conftest import SPECIALIST
from tests.e2e.test_apply import TODAY

CHILD = Path(__file__).with_name("crash_bot_child.py")
PARTNERS = 20
KILLS_PER_PHASE = 10
ANSWER_TIMEOUT = 40.0  # seconds a person waits for the bot's answer (the bot may be down)
REPORT_DAYS_LATER = 31  # the report phase's clock: the webinars have taken place
EVENT_DAY = (TODAY + timedelta(days=30)).strftime("%d.%m.%Y")


def approved(text: str) -> bool:
    return "одобрена" in text


def accepted(text: str) -> bool:
    return "принят:" in text


@dataclass
class Person:
    """A partner's employee, who answers the question the bot asked last and waits for the next."""

    api: LocalBotApi
    user: TgUser
    seen: int = 0  # the newest bot message in the chat already taken into account
    unanswered: list[str] = field(default_factory=list)

    async def expect(self, wanted: Callable[[BotMessage], bool], after: str,
                     pressed: int | None = None) -> BotMessage | None:
        """The first new bot message that `wanted` accepts — or the `pressed` question once
        edited into one it accepts (a form's next question); others (repeats) are passed
        over."""
        if self.unanswered:
            return None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + ANSWER_TIMEOUT
        while loop.time() < deadline:
            for message in self.api.bot_messages(self.user):
                fresh = message.message_id > self.seen or message.message_id == pressed
                if fresh and wanted(message):
                    self.seen = max(self.seen, message.message_id)
                    return message
            await asyncio.sleep(0.05)
        self.unanswered.append(after)
        return None

    async def type(self, text: str, marker: str) -> BotMessage | None:
        if self.unanswered:  # stuck: a person would start over; the test has seen enough
            return None
        await self.api.send_text(self.user, text)
        return await self.expect(lambda m: marker in m.text, text)

    async def tap(self, question: BotMessage | None, button: str,
                  marker: str) -> BotMessage | None:
        if question is None or self.unanswered:
            return None
        # As a person does: the newest copy of the question that shows the button (a question
        # may have been asked again after a restart).
        step = next((line for line in question.text.splitlines() if line.startswith("Шаг")),
                    question.text.split("\n", 1)[0])
        question = next((m for m in reversed(self.api.bot_messages(self.user))
                         if step in m.text and button in m.button_texts()), question)
        try:  # the press is answered after a restart, if the bot was down
            await self.api.press(self.user, question, button, timeout=ANSWER_TIMEOUT)
        except (TimeoutError, LookupError) as exc:  # no answer, or the button is gone
            self.unanswered.append(f"{button}: {exc}")
            return None
        return await self.expect(lambda m: marker in m.text, button, question.message_id)

    async def join_and_apply(self, number: int) -> None:
        await self.type("/start", "ID партнёра")
        await self.type(f"P-{7000 + number}", "Шаг 2 из 6")
        await self.type(f"Компания {number}", "Шаг 3 из 6")
        status = await self.type("Казань", "Шаг 4 из 6")
        name = await self.tap(status, "Золотой", "Шаг 5 из 6")
        await self.tap(name, self.user.first_name, "Шаг 6 из 6")
        if not self.unanswered:
            await self.api.send_contact(self.user, phone_number=f"+7999{number:07d}")
            await self.expect(lambda m: "Готово!" in m.text, "contact")
        kinds = await self.type("/apply", "Что хотите согласовать")  # no count before the kind
        await self.tap(kinds, "Вебинар", "Шаг 2 из 10")
        await self.type(EVENT_DAY, "Шаг 3 из 10")
        topic = await self.type(f"Вебинар №{number}", "Шаг 4 из 10")
        audience = await self.tap(topic, "Битрикс24", "Шаг 5 из 10")
        await self.tap(audience, "Потенциальные клиенты", "Шаг 6 из 10")
        rivals = await self.type("Битрикс24: CRM — 45", "Шаг 7 из 10")
        listeners = await self.tap(rivals, "Нет", "Шаг 8 из 10")
        await self.tap(listeners, "50", "Шаг 9 из 10")
        support = await self.type("рассылка, сайт", "Шаг 10 из 10")
        summary = await self.tap(support, "Только анонс", "Проверьте заявку")
        await self.tap(summary, "✅ Отправить", "Заявка №")
        await self.expect(lambda m: approved(m.text), "the decision")

    async def report(self) -> None:
        await self.type("/report", "Шаг 1 из 4")
        await self.type("60", "Шаг 2 из 4")
        await self.type("41", "Шаг 3 из 4")
        await self.type("romashka.ru/webinar", "Шаг 4 из 4")
        summary = await self.type("Хорошие вопросы", "Проверьте отчёт")
        await self.tap(summary, "✅ Отправить отчёт", "отправлен")
        await self.expect(lambda m: accepted(m.text), "the review")


async def decide_every_card(api: LocalBotApi, manager: TgUser, stop: asyncio.Event) -> None:
    """The specialist presses Approve on every application card and Accept on every report card
    that shows its buttons; a card still showing them a while later is pressed again."""
    pressed: dict[int, float] = {}
    tasks: set[asyncio.Future[object]] = set()
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        for card in api.bot_messages(manager):
            button = next((b for b in card.button_texts() if b in ("✅ Одобрить", "✅ Принять")),
                          None)
            if button is None or loop.time() - pressed.get(card.message_id, -99.0) < 20:
                continue
            pressed[card.message_id] = loop.time()
            # Not awaited: a press made while the bot is down waits for its answer.
            tasks.add(asyncio.ensure_future(api.press(manager, card, button,
                                                      timeout=ANSWER_TIMEOUT)))
        await asyncio.sleep(0.1)
    await asyncio.gather(*tasks, return_exceptions=True)  # a card closed meanwhile: no matter


class Bot:
    """`partnerdesk run` in a child process, killed and started again."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.starts = 0
        self.kills = 0
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, days_later: int) -> None:
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, str(CHILD), str(days_later), stdout=out, stderr=out)
        self.starts += 1
        for _ in range(400):
            if self.log.read_text(errors="replace").count("Partner Desk @") >= self.starts:
                return
            if self.process.returncode is not None:
                raise AssertionError(f"the bot exited:\n{self.log.read_text()[-3000:]}")
            await asyncio.sleep(0.05)
        raise AssertionError("the bot did not start")

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        self.kills += 1

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await asyncio.wait_for(self.process.wait(), 20)


async def kill_at_random(bot: Bot, rng: random.Random, days_later: int, kills: int) -> None:
    for _ in range(kills):
        await asyncio.sleep(rng.uniform(0.3, 2.0))
        await bot.kill()
        await bot.start(days_later)


def first_stuck(api: LocalBotApi, people: list[Person]) -> str:
    """The chat of the first person left without an answer, to read in a failure."""
    stuck = next((p for p in people if p.unanswered), None)
    if stuck is None:
        return ""
    return "\n".join(f"{type(m).__name__} {m.text[:70]!r}"
                     for m in api.transcript(stuck.user)[-12:])


def count(api: LocalBotApi, user: TgUser, wanted: Callable[[str], bool]) -> int:
    return sum(1 for message in api.bot_messages(user) if wanted(message.text))


async def test_sigkill_while_people_apply_report_and_decide_loses_no_message(
    api: LocalBotApi, bot_env: dict[str, str], tmp_path: Path
) -> None:
    rng = random.Random()
    # A failure names its seed; CRASH_SEED=… replays the same kills (their timing still varies).
    seed = int(os.environ.get("CRASH_SEED") or rng.randrange(1 << 30))
    rng.seed(seed)
    specialist = api.user(SPECIALIST, first_name="Мария", language_code="ru")
    people = [Person(api, api.user(7000 + n, first_name=f"Партнёр{n}", language_code="ru"))
              for n in range(PARTNERS)]
    bot = Bot(tmp_path / "bot.log")
    stop_deciding = asyncio.Event()
    await bot.start(0)
    await api.send_text(specialist, "/start")
    await api.next_message(specialist.id, timeout=ANSWER_TIMEOUT)
    deciding = asyncio.create_task(decide_every_card(api, specialist, stop_deciding))
    try:
        # Phase 1: join, apply, the decision — while the bot is killed ten times.
        await asyncio.gather(kill_at_random(bot, rng, 0, KILLS_PER_PHASE),
                             *(p.join_and_apply(n) for n, p in enumerate(people)))
        # Phase 2: a month later, report and the review — ten kills more.
        await bot.kill()
        await bot.start(REPORT_DAYS_LATER)
        await asyncio.gather(kill_at_random(bot, rng, REPORT_DAYS_LATER, KILLS_PER_PHASE - 1),
                             *(p.report() for p in people))
    finally:
        stop_deciding.set()
        await deciding
        await bot.stop()

    cards = Counter(m.text.split(" · ")[0] for m in api.bot_messages(specialist)
                    if m.text.startswith(("Заявка №", "Отчёт по заявке №")))
    told_approved = [count(api, p.user, approved) for p in people]
    told_accepted = [count(api, p.user, accepted) for p in people]
    unanswered = [(p.user.id, what) for p in people for what in p.unanswered]
    repeats = (sum(n - 1 for n in cards.values()) + sum(n - 1 for n in told_approved if n)
               + sum(n - 1 for n in told_accepted if n))
    print(f"\nseed {seed}: {bot.kills} kills; unanswered {len(unanswered)};"
          f" cards {sum(cards.values())} for {len(cards)} subjects;"
          f" repeated notifications {repeats}")

    # What a restart makes Telegram refuse, as it would: presses answered too late, and an
    # update handled again editing a message into what it already shows. Nothing else.
    api.state.log.refusals[:] = [r for r in api.refusals if not any(
        words in r.description for words in ("query is too old", "message is not modified"))]
    assert unanswered == [], f"seed {seed}: {unanswered[:10]}\n{first_stuck(api, people)}"
    with sqlite3.connect(bot_env["PARTNERDESK_DATABASE"]) as db:
        applications = [row[0] for row in db.execute("SELECT id FROM applications")]
        assert len(applications) == PARTNERS
        assert db.execute("SELECT application_id FROM decisions GROUP BY application_id"
                          " HAVING COUNT(*) > 1").fetchall() == []
        assert db.execute("SELECT status, COUNT(*) FROM applications GROUP BY status"
                          ).fetchall() == [("credited", PARTNERS)]
    for application in applications:  # every card at the specialist
        assert cards[f"Заявка №{application}"] >= 1, (seed, application)
        assert cards[f"Отчёт по заявке №{application}"] >= 1, (seed, application)
    assert all(n >= 1 for n in told_approved + told_accepted), (seed, told_approved,
                                                               told_accepted)
    assert repeats <= bot.kills, (seed, repeats)
