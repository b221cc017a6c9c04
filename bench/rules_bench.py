"""How many cases a second the rules engine assesses on one core.

    python bench/rules_bench.py [--seconds N]

Prints the machine it ran on and two figures: the engine alone (`assess` on validated cases,
the figure the goal of 20,000 cases/second is about) and the whole CLI path per case (validate
the JSON-shaped input, assess, build the JSON answer).
"""

import argparse
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.rules import Case, Kind, Topic, assess, load_rulebook

GOAL = 20_000


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to core {core}"
    return "not pinned (no sched_setaffinity here)"


def sample_cases(count: int, seed: int = 2016) -> list[dict[str, Any]]:
    """Varied cases across every kind, topic, modifier and date of a few years."""
    rng = random.Random(seed)
    start = date(2025, 1, 1)
    cases = []
    for _ in range(count):
        event = start + timedelta(days=rng.randrange(3 * 365))
        case: dict[str, Any] = {
            "kind": rng.choice(list(Kind)).value,
            "topic": rng.choice(list(Topic)).value,
            "event_date": event.isoformat(),
            "applied_on": (event - timedelta(days=rng.randrange(-3, 40))).isoformat(),
            "info_support": rng.random() < 0.5,
            "promo_materials": rng.random() < 0.3,
            "listeners": rng.choice([None, rng.randrange(0, 150)]),
            "agreed_costs": rng.choice([None, rng.randrange(0, 10_000_000) / 100]),
            "actual_costs": rng.choice([None, rng.randrange(0, 10_000_000) / 100]),
            "competitors": rng.random() < 0.05,
            "paid_event": rng.random() < 0.05,
            "vendor_speaker_did_all_talks": rng.random() < 0.1,
            "third_party_companies": rng.randrange(0, 5),
            "title": rng.choice(["Эффективный сайт от А до Я", "Формула сайта в Томске", None]),
            "stand_rent": rng.choice([None, 120_000]),
            "registration_fee": rng.choice([None, 15_000]),
            "other_vendors_on_stand": rng.randrange(0, 3),
            "audience": rng.choice(["prospects"] * 8 + ["existing_clients", "developers"]),
        }
        if case["topic"] == "mixed":
            case["program"] = rng.choice([None, "site_management", "bitrix24"])
        cases.append(case)
    return cases


def rate(work: Callable[[], int], seconds: float) -> float:
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        done += work()
    return done / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per figure")
    args = parser.parse_args()

    pinning = pin_to_one_core()
    rulebook = load_rulebook()
    raw = sample_cases(2_000)
    cases = [Case.model_validate(c) for c in raw]
    for case in cases:  # warm the calendar's per-year tables and the due-date cache
        assess(rulebook, case)

    def engine() -> int:
        for case in cases:
            assess(rulebook, case)
        return len(cases)

    def whole_path() -> int:
        for data in raw:
            assess(rulebook, Case.model_validate(data)).to_json_dict()
        return len(raw)

    engine_rate = rate(engine, args.seconds)
    path_rate = rate(whole_path, args.seconds)

    print(f"platform: {platform.platform()}")
    print(f"cpu: {cpu_model()} ({pinning})")
    print(f"python: {platform.python_implementation()} {platform.python_version()}")
    print(f"engine (assess): {engine_rate:,.0f} cases/second on one core (goal {GOAL:,})")
    print(f"validate + assess + JSON: {path_rate:,.0f} cases/second on one core")
    return 0 if engine_rate >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
