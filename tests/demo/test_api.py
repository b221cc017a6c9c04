"""The demo's JSON API without a browser: seed data, chats, buttons, uploads, the clock."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from bot.demo.people import ANNA, HELEN, IVAN, MARIA
from tests.demo.conftest import RunningDemo
from tests.localapi.conftest import make_png

ROOT = Path(__file__).resolve().parents[2]
STATUSES = {"pending", "changes_requested", "approved", "rejected", "withdrawn", "report_due",
            "report_sent", "credited"}


def state(client: httpx.Client, since: str = "") -> Any:
    response = client.get("/api/state", params={"since": since}, timeout=30)
    response.raise_for_status()
    return response.json()


def pane_texts(data: Any, side: str) -> list[str]:
    return [m["html"] for m in data["panes"][side]["messages"]]


def wait_for_text(client: httpx.Client, side: str, text: str, seconds: float = 10) -> Any:
    deadline = time.monotonic() + seconds
    data = state(client)
    while not any(text in t for t in pane_texts(data, side)):
        assert time.monotonic() < deadline, f"{text!r} not in {pane_texts(data, side)}"
        data = state(client, since=str(data["rev"]))
    return data


def test_the_demo_starts_seeded_with_every_status_and_ledger_rows(demo: RunningDemo) -> None:
    assert {r[0] for r in demo.rows("SELECT status FROM applications")} == STATUSES
    assert demo.rows("SELECT COUNT(*) FROM partners") == [(3,)]
    assert demo.rows(f"SELECT state FROM members WHERE telegram_id = {IVAN.id}") == [("active",)]
    assert demo.rows("SELECT COUNT(*) FROM ledger")[0][0] >= 2
    assert demo.rows("SELECT kind FROM copartners ORDER BY id") == [("media",), ("sponsor",)]
    assert demo.rows("SELECT COUNT(*) FROM reminders WHERE kind = 'promise'")[0][0] >= 4
    with httpx.Client(base_url=demo.url) as client:
        data = state(client)
        assert data["selected"] == {"partner": ANNA.id, "manager": MARIA.id}
        assert "Partner Desk" in client.get("/").text
        assert client.get("/static/demo.js").status_code == 200


def test_a_partner_talks_presses_and_uploads_through_the_api(demo: RunningDemo) -> None:
    with httpx.Client(base_url=demo.url, timeout=30) as client:
        assert client.post("/api/send", json={"user": ANNA.id, "text": "/apply"}).is_success
        data = wait_for_text(client, "partner", "Что хотите согласовать?")
        kinds = next(m for m in reversed(data["panes"]["partner"]["messages"]) if m["buttons"])
        seminar = next(b for row in kinds["buttons"] for b in row if b["text"] == "Семинар")
        pressed = client.post("/api/press", json={"user": ANNA.id, "message": kinds["id"],
                                                  "data": seminar["data"]})
        assert pressed.json()["ok"] is True
        assert client.post("/api/send", json={"user": ANNA.id, "text": "/cancel"}).is_success
        files = {"file": ("photo.png", make_png(seed=3), "image/png")}
        uploaded = client.post("/api/upload", data={"user": str(ANNA.id), "kind": "photo"},
                               files=files)
        assert uploaded.json()["ok"] is True
        data = state(client)
        photo = next(m for m in data["panes"]["partner"]["messages"]
                     if m["kind"] == "photo")
        assert client.get(photo["file"]["url"]).content == make_png(seed=3)
        refused = client.post("/api/send", json={"user": 12345, "text": "hi"})
        assert refused.status_code == 404
        switched = client.post("/api/switch", json={"pane": "manager", "user": HELEN.id})
        assert switched.is_success and state(client)["selected"] == {
            "partner": ANNA.id, "manager": HELEN.id}
        wrong = client.post("/api/switch", json={"pane": "manager", "user": ANNA.id})
        assert wrong.status_code == 400


def test_a_clock_jump_fires_the_due_reminders(demo: RunningDemo) -> None:
    with httpx.Client(base_url=demo.url, timeout=60) as client:
        before = state(client)
        assert not pane_texts(before, "partner")
        jumped = client.post("/api/clock", json={"days": 7}).json()
        today = date.fromisoformat(str(before["clock"]["iso"])[:10])
        assert jumped["clock"]["iso"].startswith((today + timedelta(days=7)).isoformat())
        # Ромашка's seminar in 12 days: the weekly "remind the registrants" comes within a week.
        data = wait_for_text(client, "partner", "Напомните всем, кто зарегистрировался")
        assert "Битрикс24 для отдела продаж" in " ".join(pane_texts(data, "partner"))
        assert any("Good morning" in t for t in pane_texts(data, "manager"))  # the digest
        assert client.post("/api/clock", json={"days": 0}).status_code == 400
    saved = json.loads((demo.folder / "clock.json").read_text())
    assert saved["offset_seconds"] > 6 * 86400
    assert demo.rows("SELECT COUNT(*) FROM reminders WHERE state = 'sent'")[0][0] >= 1


def test_demo_help_names_its_options() -> None:
    result = subprocess.run([sys.executable, "-m", "bot.cli", "demo", "--help"],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    for option in ("--port", "--dir", "--reset"):
        assert option in result.stdout


def _start_cli(folder: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "demo", "--port", "0", "--dir", str(folder), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=folder.parent,
        env={**os.environ, "TELEGRAM_BOT_TOKEN": "", "PARTNERDESK_DATABASE": "/nonexistent/x"},
    )
    assert process.stdout is not None
    for line in process.stdout:
        if "open http://127.0.0.1:" in line:
            return process, line.split("open ", 1)[1].strip().rstrip("/")
    process.kill()
    process.wait(30)
    process.stdout.close()
    raise AssertionError("the demo printed no URL")


def _stop_cli(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    code = process.wait(30)
    assert process.stdout is not None
    process.stdout.close()
    assert code == 0


def test_the_cli_keeps_the_demo_between_runs_and_reset_starts_over(tmp_path: Path) -> None:
    folder = tmp_path / "partnerdesk-demo"
    process, url = _start_cli(folder, "--reset")
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            first_day = str(state(client)["clock"]["iso"])[:10]
            client.post("/api/clock", json={"days": 7}).raise_for_status()
    finally:
        _stop_cli(process)
    process, url = _start_cli(folder)  # no --reset: the data and the clock stay
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            kept_day = str(state(client)["clock"]["iso"])[:10]
    finally:
        _stop_cli(process)
    assert date.fromisoformat(kept_day) >= date.fromisoformat(first_day) + timedelta(days=7)
    database = folder / "partnerdesk-demo.sqlite3"
    sent = "SELECT COUNT(*) FROM reminders WHERE state = 'sent'"
    assert _count(database, sent) >= 1
    process, url = _start_cli(folder, "--reset")
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            again = str(state(client)["clock"]["iso"])[:10]
    finally:
        _stop_cli(process)
    assert again == first_day or date.fromisoformat(again) < date.fromisoformat(kept_day)
    assert _count(database, sent) == 0
    assert _count(database, "SELECT COUNT(*) FROM partners") == 3


def _count(database: Path, sql: str) -> int:
    import sqlite3

    with sqlite3.connect(database) as db:
        return int(db.execute(sql).fetchone()[0])


def test_a_busy_port_is_said_before_anything_is_seeded(tmp_path: Path) -> None:
    import socket

    folder = tmp_path / "partnerdesk-demo"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "demo", "--port", str(port), "--dir", str(folder)],
            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 1
    assert f"port {port} is busy" in result.stderr and "--port 0" in result.stderr
    assert not folder.exists()  # nothing seeded


def test_a_restart_keeps_both_chats_and_their_buttons_work(tmp_path: Path) -> None:
    """Stop the demo and start it again: both chats, a photo and the dates are still there,
    and the bot goes on in them (a button pressed before the restart still answers)."""
    folder = tmp_path / "partnerdesk-demo"
    with RunningDemo(folder) as first, httpx.Client(base_url=first.url, timeout=30) as client:
        client.post("/api/send", json={"user": ANNA.id, "text": "/apply"})
        data = wait_for_text(client, "partner", "Что хотите согласовать?")
        client.post("/api/send", json={"user": MARIA.id, "text": "/help"})
        wait_for_text(client, "manager", "/pending")
        files = {"file": ("photo.png", make_png(seed=5), "image/png")}
        client.post("/api/upload", data={"user": str(ANNA.id), "kind": "photo"}, files=files)
        wait_for_text(client, "partner", "не жду файлов")  # the bot's answer to the photo
        before = state(client)
    assert (folder / "chats.json").stat().st_mode & 0o777 == 0o600  # private, like the data

    with RunningDemo(folder) as second, httpx.Client(base_url=second.url, timeout=30) as client:
        after = state(client)
        for side in ("partner", "manager"):
            assert [m["id"] for m in after["panes"][side]["messages"]] == [
                m["id"] for m in before["panes"][side]["messages"]]
            assert pane_texts(after, side) == pane_texts(before, side)
            assert [m["at"] for m in after["panes"][side]["messages"]] == [
                m["at"] for m in before["panes"][side]["messages"]]
        photo = next(m for m in after["panes"]["partner"]["messages"] if m["kind"] == "photo")
        assert client.get(photo["file"]["url"]).content == make_png(seed=5)
        kinds = next(m for m in data["panes"]["partner"]["messages"] if m["buttons"])
        seminar = next(b for row in kinds["buttons"] for b in row if b["text"] == "Семинар")
        pressed = client.post("/api/press", json={"user": ANNA.id, "message": kinds["id"],
                                                  "data": seminar["data"]})
        assert pressed.json()["ok"] is True
        wait_for_text(client, "partner", "Дата")
        client.post("/api/send", json={"user": ANNA.id, "text": "/cancel"})
        ids = [m["id"] for m in wait_for_text(client, "partner", "Отменено")["panes"]["partner"][
            "messages"]]
        assert ids == sorted(set(ids)) and len(ids) == len(before["panes"]["partner"][
            "messages"]) + 2  # new messages go on after the restored ones, none overwritten
