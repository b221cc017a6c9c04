"""The demo page in headless Chromium: a seminar applied for, approved, reported with photos and
credited — every step by typing and tapping on the page. Screenshots at desktop and phone width.

The browser is the system's (`scripts/setup-browser` installs Debian's chromium and the
matching chromedriver); nothing is downloaded at test time, and a missing browser fails."""

from __future__ import annotations

import struct
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.demo.conftest import RunningDemo
from tests.localapi.conftest import make_png

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).parent / "screenshots"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TITLE = "Семинар о Битрикс24 для торговли"
RETRIED = (StaleElementReferenceException, NoSuchElementException,
           ElementClickInterceptedException)


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), (
        "no system Chromium: run scripts/setup-browser (the README's test command does)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1280,900", "--lang=en-US"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


class Page:
    """The demo page as a person uses it: per pane, type, tap, upload, read."""

    def __init__(self, driver: webdriver.Chrome) -> None:
        self.driver = driver

    def until(self, check: Callable[[], Any], seconds: float = 15, what: str = "") -> Any:
        return WebDriverWait(self.driver, seconds, poll_frequency=0.05,
                             ignored_exceptions=RETRIED).until(
            lambda _: check(), message=what or getattr(check, "__name__", ""))

    def bot_texts(self, pane: str) -> list[str]:
        texts = self.driver.execute_script(
            "return Array.from(document.querySelectorAll(arguments[0]), e => e.innerText)",
            f"#pane-{pane} .msg.bot .text-html")
        return [str(t) for t in texts]

    def bot_count(self, pane: str) -> int:
        return len(self.driver.find_elements(By.CSS_SELECTOR, f"#pane-{pane} .msg.bot"))

    def wait_text(self, pane: str, text: str, seconds: float = 15) -> str:
        def found() -> str | None:
            return next((t for t in reversed(self.bot_texts(pane)) if text in t), None)
        return str(self.until(found, seconds, f"{text!r} in the {pane} pane: "
                                              f"{self.bot_texts(pane)[-3:]}"))

    def _after(self, pane: str, action: Callable[[], None]) -> None:
        """Until a new bot message shows, or one changes (a tapped question edited into the
        next one)."""
        before, shown = self.bot_count(pane), self.bot_texts(pane)
        action()
        self.until(lambda: self.bot_count(pane) > before or self.bot_texts(pane) != shown, 15,
                   f"a new or changed bot message in the {pane} pane after the last step; "
                   f"it shows {self.bot_texts(pane)[-2:]}")

    def type(self, pane: str, text: str, *, wait: bool = True) -> None:
        def act() -> None:
            box = self.driver.find_element(By.CSS_SELECTOR, f"#pane-{pane} textarea.text")
            if "\n" in text:  # what Shift+Enter types between the lines
                self.driver.execute_script("arguments[0].value = arguments[1]", box, text)
            else:
                box.send_keys(text)
            self.driver.find_element(By.CSS_SELECTOR, f"#pane-{pane} .send").click()
        self._after(pane, act) if wait else act()

    def tap(self, pane: str, button: str, *, wait: bool = True) -> None:
        xpath = (f"(//section[@id='pane-{pane}']//div[@class='inline']//button"
                 f"[contains(normalize-space(), {_literal(button)})])[last()]")

        def act() -> None:
            self.until(lambda: self.driver.find_element(By.XPATH, xpath).click() or True, 15,
                       f"button {button!r} in the {pane} pane: {self.bot_texts(pane)[-2:]}")
        self._after(pane, act) if wait else act()

    def upload(self, pane: str, kind: str, files: list[Path]) -> None:
        field = self.driver.find_element(By.CSS_SELECTOR, f"#pane-{pane} .{kind}-input")
        field.send_keys("\n".join(str(f) for f in files))

    def jump_week(self) -> None:
        clock = self.driver.find_element(By.ID, "clock")
        before = clock.get_attribute("data-iso")
        button = self.driver.find_element(By.ID, "jump-7")
        button.click()  # disabled until the jump (a day at a time, jobs run) is over
        self.until(lambda: button.is_enabled() and clock.get_attribute("data-iso") != before,
                   30, "the clock moved a week")

    def at_newest(self, pane: str) -> bool:
        """Every photo loaded, and the chat scrolled to its newest message, fully in view."""
        return bool(self.driver.execute_script("""
            const list = document.querySelector(arguments[0]);
            if (!list || !list.lastElementChild) return false;  // a reload still drawing it
            const images = Array.from(list.querySelectorAll("img"));
            const last = list.lastElementChild.getBoundingClientRect();
            return images.every((i) => i.complete && i.naturalHeight > 0)
                && list.scrollHeight - list.scrollTop - list.clientHeight < 2
                && last.bottom <= list.getBoundingClientRect().bottom + 1;
        """, f"#pane-{pane} .messages"))

    def overflow(self) -> int:
        return int(self.driver.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"))


def _literal(text: str) -> str:
    return f'"{text}"' if '"' not in text else f"'{text}'"


def _is_png(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_a_seminar_from_application_to_balance_on_the_page(
    demo: RunningDemo, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    started = time.monotonic()
    SCREENSHOTS.mkdir(exist_ok=True)
    page = Page(browser)
    browser.get(demo.url)
    page.until(lambda: browser.find_element(By.CSS_SELECTOR, "#pane-partner .start")
               .is_displayed(), what="the START button of a fresh chat")
    today = date.fromisoformat(str(browser.find_element(By.ID, "clock")
                                   .get_attribute("data-iso"))[:10])

    # The partner (Анна, Ромашка) applies for a seminar, by buttons and typed answers.
    browser.find_element(By.CSS_SELECTOR, "#pane-partner .start").click()
    page.wait_text("partner", "Анна")
    page.type("partner", "/balance")
    assert "Баллы: 30" in page.wait_text("partner", "Баланс")  # the seeded webinar's credit
    page.type("partner", "/apply")
    page.tap("partner", "Семинар")
    for action, value in [
        ("type", (today + timedelta(days=40)).strftime("%d.%m.%Y")),
        ("tap", "Ответить заново"),  # Ромашка's seeded seminar is offered «as last time»
        ("type", "Казань, ул. Баумана 1"), ("type", TITLE),
        ("tap", "Потенциальные клиенты"), ("type", "Битрикс24 для отдела продаж — 40"),
        ("tap", "Нет"), ("tap", "30"), ("type", "рассылка"),
        ("type", "Аренда зала — 15000\nКофе-брейк — 8000"),
        ("tap", "Не нужна"),
    ]:
        page.type("partner", value) if action == "type" else page.tap("partner", value)
    page.tap("partner", "✅ Отправить")

    # The manager (Maria, in English) approves the card with one tap.
    page.wait_text("manager", TITLE)
    page.tap("manager", "✅ Approve", wait=False)
    page.wait_text("partner", "одобрена")
    browser.save_screenshot(str(SCREENSHOTS / "desktop-approved.png"))

    # Six weeks on: the event is over; the report with four photos and a scan.
    for _ in range(6):
        page.jump_week()
    assert str(browser.find_element(By.ID, "clock").get_attribute("data-iso"))[:10] == (
        today + timedelta(days=42)).isoformat()
    page.type("partner", "/report")
    opened = page.until(lambda: next((t for t in reversed(page.bot_texts("partner")) if (
        "О каком мероприятии отчёт?" in t or "Отчёт по заявке" in t)), None))
    if "О каком мероприятии" in opened:  # the seeded seminar №2 is over too: pick ours
        page.tap("partner", TITLE)
    page.wait_text("partner", "зарегистрировалось")
    for answer in ("45 / 32", "romashka.ru/seminar — всё прошло отлично, много вопросов"):
        page.type("partner", answer)
    page.wait_text("partner", "0 из 4")
    photos = []
    for seed in range(5):
        photo = tmp_path / f"photo-{seed}.png"
        photo.write_bytes(make_png(width=64, height=48, seed=seed))
        photos.append(photo)
    page.upload("partner", "photo", photos[:4])
    page.wait_text("partner", "Бухгалтерские документы")  # a full checklist goes on by itself
    # The photos load after the bot's question arrived: the chat still shows the question.
    page.until(lambda: page.at_newest("partner"), 10, "the newest message in view after photos")
    browser.refresh()  # and after a reload, once the photos have loaded again
    page.until(lambda: page.at_newest("partner") and "Бухгалтерские документы" in (
        page.bot_texts("partner") or [""])[-1], 15, "the newest message in view after a reload")
    # Each message shows when it came, by the demo's clock: six weeks on.
    stamp = browser.find_elements(By.CSS_SELECTOR, "#pane-partner .msg.bot .meta")[-1].text
    assert (today + timedelta(days=42)).strftime("%d.%m") in stamp, stamp
    page.type("partner", "Аренда зала — 15000\nКофе-брейк — 7000")  # less than planned
    page.wait_text("partner", "Фактические расходы")
    page.upload("partner", "photo", photos[4:])
    page.wait_text("partner", "Проверьте отчёт")  # the first scan completes the report
    page.tap("partner", "✅ Отправить отчёт")
    page.wait_text("partner", "отправлен")
    assert browser.find_elements(By.CSS_SELECTOR, "#pane-partner .msg.user img")

    # The manager accepts; the partner's balance shows the credit.
    page.wait_text("manager", "Report")
    page.tap("manager", "✅ Accept", wait=False)
    page.wait_text("partner", "принят")
    page.type("partner", "/balance")
    balance = page.wait_text("partner", "11\u00a0000")  # half the documented 22 000 ₽
    assert "Баллы: 90" in balance  # 30 before, and 60 for a seminar with 31–50 listeners

    # A /command in the bot's text is a link: tapping it sends the command.
    command = browser.find_elements(By.CSS_SELECTOR, "#pane-partner .msg.bot a.cmd")[-1]
    sent = str(command.get_attribute("data-cmd"))
    assert command.tag_name == "a" and command.text == sent and sent.startswith("/")
    users_before = len(browser.find_elements(By.CSS_SELECTOR, "#pane-partner .msg.user"))
    page._after("partner", command.click)
    said = browser.find_elements(By.CSS_SELECTOR, "#pane-partner .msg.user .text-html")
    assert len(said) == users_before + 1 and said[-1].text == sent

    # Screenshots: both panes at desktop width, each pane at phone width (tabs).
    desktop = SCREENSHOTS / "desktop.png"
    browser.save_screenshot(str(desktop))
    assert _is_png(desktop)[0] >= 1000
    assert page.overflow() <= 0
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    for side, tab in (("partner", "Partner"), ("manager", "Manager")):
        browser.find_element(By.XPATH, f"//nav[@id='tabs']/button[.='{tab}']").click()
        page.until(lambda side=side: browser.find_element(By.ID, f"pane-{side}").is_displayed())
        shot = SCREENSHOTS / f"phone-{side}.png"
        browser.save_screenshot(str(shot))
        assert _is_png(shot)[0] == 390
        assert page.overflow() <= 0, f"the {side} pane overflows at 390 px"
    print(f"screenshots in {SCREENSHOTS}; the browser test took {time.monotonic() - started:.1f}s")
    assert time.monotonic() - started < 60
