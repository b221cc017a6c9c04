"""The project keeps its promises about itself: README commands, CI, code quality."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:sh|bash|shell)?\n(.*?)```", section, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()
            and not line.strip().startswith("#")]


def test_the_quick_start_is_exactly_two_commands_run_then_test() -> None:
    commands = _quick_start_commands()
    assert len(commands) == 2, commands
    assert "partnerdesk demo" in commands[0]
    assert "pytest" in commands[1]


def test_the_real_bot_is_documented_right_after_the_demo() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    after_blocks = section.rsplit("```", 1)[1]
    first_paragraphs = after_blocks.strip().split("\n\n")[:2]
    assert any("partnerdesk run" in paragraph for paragraph in first_paragraphs)


def test_the_test_command_sets_up_the_browser_first() -> None:
    test_command = _quick_start_commands()[1]
    assert test_command.startswith("scripts/setup-browser && ")
    assert (ROOT / "scripts" / "setup-browser").stat().st_mode & 0o111


def test_the_readme_documents_the_demo_and_its_options() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = readme.split("On the command line:", 1)[1]
    demo_row = next(line for line in commands.splitlines() if "`partnerdesk demo" in line)
    for option in ("--port", "--dir", "--reset"):
        assert option in demo_row


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = _quick_start_commands()[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines


def test_the_code_is_ruff_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "bot", "tests", "bench"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_package_is_mypy_strict_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
