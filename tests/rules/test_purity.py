"""bot/rules is pure: no Telegram, database, templates or clock; dates come in as arguments."""

import ast
from pathlib import Path

import pytest

import bot.rules

RULES = Path(bot.rules.__file__).parent
MODULES = sorted(RULES.rglob("*.py"))
FORBIDDEN_MODULES = {"telegram", "aiosqlite", "jinja2", "time", "sqlite3", "asyncio", "socket"}
CLOCK_CALLS = {"now", "today", "utcnow", "time", "monotonic", "perf_counter"}


def _imported(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _clock_calls(tree: ast.Module) -> list[str]:
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in CLOCK_CALLS:
                calls.append(f"line {node.lineno}: {name}()")
    return calls


def test_there_are_rules_modules_to_check() -> None:
    assert len(MODULES) > 5


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_rules_module_imports_no_telegram_database_templates_or_clock(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert not _imported(tree) & FORBIDDEN_MODULES


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_rules_module_never_reads_the_clock(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert _clock_calls(tree) == []


def test_purity_check_catches_a_clock_call() -> None:
    tree = ast.parse("import time\nfrom datetime import date\nx = date.today()\ny = time.time()")
    assert _imported(tree) & FORBIDDEN_MODULES == {"time"}
    assert _clock_calls(tree) == ["line 3: today()", "line 4: time()"]
