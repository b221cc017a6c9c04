"""SIGKILL at random moments loses nothing that was committed, and a restart carries on.

(The bot process itself killed while people write to it: tests/e2e/test_crash_bot.py.)

A child process (tests/e2e/crash_child.py) works through people with the real
`Database` and services — join, draft, submit, approve, credit the ledger — and logs each step
only after its commit returns. The parent kills it with SIGKILL at a random moment, checks the
database file (`PRAGMA integrity_check`, every logged step present, nothing done twice), and
starts it again.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bot.forms.engine import Draft

CHILD = Path(__file__).with_name("crash_child.py")
FIRST_ID = 100_000  # crash_child.FIRST_ID
ROUNDS = 20
ENDLESS = 1_000_000  # people for a killed run: it never finishes on its own
PAUSED_PERSON = 2


def child(db: Path, log: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(CHILD), str(db), str(log), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def log_lines(log: Path) -> list[list[str]]:
    if not log.exists():
        return []
    return [line.split() for line in log.read_text(encoding="utf-8").splitlines()]


def wait_for_line(process: subprocess.Popen[bytes], log: Path, word: str, count: int,
                  timeout: float = 20.0) -> None:
    """Until the log holds `count` lines starting with `word`."""
    deadline = time.monotonic() + timeout
    while sum(1 for fields in log_lines(log) if fields[0] == word) < count:
        if process.poll() is not None:
            raise AssertionError(f"the child exited with {process.returncode}: "
                                 f"{process.stderr.read().decode() if process.stderr else ''}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {word!r} line within {timeout} s")
        time.sleep(0.01)


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    assert process.wait(10) == -signal.SIGKILL
    if process.stderr:
        process.stderr.close()


def saved_draft(db: sqlite3.Connection, person: int) -> Draft | None:
    row = db.execute("SELECT data FROM drafts WHERE telegram_id = ? AND form = 'apply'",
                     (FIRST_ID + person,)).fetchone()
    return Draft.from_json(json.loads(row[0])) if row else None


def verify(path: Path, log: Path) -> dict[str, int]:
    """The file is sound and holds every logged step exactly once; returns counts per step."""
    steps: dict[str, int] = {}
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        for fields in log_lines(log):
            word = fields[0]
            steps[word] = steps.get(word, 0) + 1
            if word in ("started", "finished", "pausing"):
                continue
            person = int(fields[1])
            tid = FIRST_ID + person
            applications = db.execute("SELECT id, status FROM applications WHERE author_id = ?",
                                      (tid,)).fetchall()
            if word == "joined":
                assert db.execute("SELECT state FROM members WHERE telegram_id = ?",
                                  (tid,)).fetchall() == [("active",)], fields
            elif word in ("draft", "resumed-draft"):
                # still there, or gone with the submission that consumed it
                assert saved_draft(db, person) is not None or applications, fields
            elif word == "submitted":
                assert [a[0] for a in applications] == [int(fields[2])], fields
            elif word == "approved":
                assert applications == [(int(fields[2]), "approved")], fields
                assert db.execute("SELECT COUNT(*) FROM decisions WHERE application_id = ?",
                                  (int(fields[2]),)).fetchone() == (1,)
            elif word == "credited":
                keys = {r[0] for r in db.execute("SELECT key FROM ledger WHERE report_id = ?",
                                                 (int(fields[2]),))}
                assert keys == {f"report:{fields[2]}:points", f"report:{fields[2]}:bonus"}
            else:
                raise AssertionError(f"unknown log line {fields}")
        # nothing done twice, whatever the kills interrupted
        assert db.execute("SELECT author_id FROM applications GROUP BY author_id"
                          " HAVING COUNT(*) > 1").fetchall() == []
        assert db.execute("SELECT application_id FROM decisions GROUP BY application_id"
                          " HAVING COUNT(*) > 1").fetchall() == []
        credited = db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.credited'"
                              ).fetchone()[0]
        assert credited == db.execute("SELECT COUNT(DISTINCT report_id) FROM ledger").fetchone()[0]
    return steps


def test_sigkill_at_random_moments_loses_no_committed_step(tmp_path: Path) -> None:
    rng = random.Random()
    seed = rng.randrange(1 << 30)
    rng.seed(seed)
    db, log = tmp_path / "crash.sqlite3", tmp_path / "steps.log"

    # A kill right after a draft was saved: the draft is in the file, and the next run
    # submits it as it was.
    process = child(db, log, "--people", str(ENDLESS), "--pause-after-draft", str(PAUSED_PERSON))
    wait_for_line(process, log, "pausing", 1)
    kill(process)
    verify(db, log)
    with sqlite3.connect(db) as conn:
        draft = saved_draft(conn, PAUSED_PERSON)
    assert draft is not None and draft.answers["title"] == f"CRM in an hour #{PAUSED_PERSON}"

    progress = []
    for round_ in range(ROUNDS):
        process = child(db, log, "--people", str(ENDLESS))
        wait_for_line(process, log, "started", round_ + 2)
        time.sleep(rng.uniform(0.02, 0.4))
        kill(process)
        steps = verify(db, log)
        progress.append(sum(n for word, n in steps.items() if word not in ("started",)))
        if round_ == 0:
            resumed = [f for f in log_lines(log) if f[0] == "resumed-draft"]
            assert resumed == [["resumed-draft", str(PAUSED_PERSON),
                                f"CRM_in_an_hour_#{PAUSED_PERSON}"]], f"seed {seed}"

    # Every round after a kill got further than the one before it.
    assert progress == sorted(progress) and progress[-1] > progress[0] + ROUNDS, (seed, progress)

    # A last run without a kill finishes the people begun and a few more.
    with sqlite3.connect(db) as conn:
        begun = conn.execute("SELECT MAX(telegram_id) FROM members").fetchone()[0]
    people = begun - FIRST_ID + 3
    process = child(db, log, "--people", str(people))
    _, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors.decode()
    verify(db, log)
    with sqlite3.connect(db) as conn:
        done = conn.execute(
            "SELECT COUNT(*) FROM applications AS a WHERE status = 'approved' AND"
            " (SELECT COUNT(*) FROM ledger WHERE report_id = a.id) = 2").fetchone()[0]
        assert done == people == conn.execute("SELECT COUNT(*) FROM partners").fetchone()[0]
        assert conn.execute("SELECT COUNT(*) FROM drafts").fetchone() == (0,)
        # Reminders are planned in the approval's transaction: every approved application has
        # the same full set (same event date, same moment), however the kills fell.
        planned = conn.execute("SELECT application_id, COUNT(*) FROM reminders"
                               " WHERE payload IS NULL GROUP BY application_id").fetchall()
        assert len(planned) == done and len({n for _, n in planned}) == 1, planned[:5]
        assert planned[0][1] > 0
