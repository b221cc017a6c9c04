"""Run every benchmark in bench/ as a subprocess, one after another, and print one table.

    python bench/run_all.py [--timeout 300] [--only NAME ...]

Each script runs with a timeout (its figures are then missing and the table says so); the key
figures are read from its output. The reminders bench runs in its quick mode (1,000 reminders
at 300/s); the stats bench runs if bench/stats_bench.py exists. Meant to finish in under 10
minutes on 2 cores; prints the total time and the exit status of each script.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Bench:
    name: str
    script: str
    args: tuple[str, ...]
    figures: tuple[tuple[str, str], ...]  # (label, regex with one group) read from its output


BENCHES = (
    Bench("rules", "rules_bench.py", ("--seconds", "2"), (
        ("assess cases/s", r"engine \(assess\): ([\d,]+) cases"),
        ("validate+assess+JSON cases/s", r"validate \+ assess \+ JSON: ([\d,]+) cases"),
    )),
    Bench("balance", "balance_bench.py", ("--runs", "200"), (
        ("balance p95", r"balance \(the /balance service call\):[^\n]*p95 ([\d.]+ ms)"),
        ("quote p95", r"quote \(/bonus[^\n]*p95 ([\d.]+ ms)"),
        ("ranking p50", r"ranking \(every partner[^\n]*p50 ([\d.]+ ms)"),
    )),
    Bench("reminders (quick)", "reminders_bench.py", ("--quick",), (
        ("sent/s", r"sent \d+ in [\d.]+ s: ([\d.]+ messages/s)"),
        ("429s", r"flood control[^\n]*: (\d+);"),
        ("busiest second", r"busiest second: (\d+) sends"),
    )),
    Bench("throughput", "throughput.py", ("--rounds", "1"), (
        ("settings", r"settings: (PARTNERDESK_MESSAGES_PER_SECOND=\S+)"),
        ("echo updates/s", r"echo bot[^:\n]*: [^\n]*= ([\d.]+) updates/s"),
        ("joining p95 to next question", r"joining[^:\n]*: [^\n]*p95 ([\d.]+ ms)"),
        ("/apply updates/s", r"\n/apply[^:\n]*: [^\n]*= ([\d.]+) updates/s"),
        ("/apply p50 to next question", r"\n/apply[^:\n]*: [^\n]*p50 ([\d.]+ ms)"),
        ("/apply p95 to next question", r"\n/apply[^:\n]*: [^\n]*p95 ([\d.]+ ms)"),
        ("/apply CPU/update", r"\n/apply[^:\n]*: [^\n]*CPU ([\d.]+ ms)/update"),
        ("report p95 to next question", r"\nreport[^:\n]*: [^\n]*p95 ([\d.]+ ms)"),
    )),
    Bench("decision to partner", "decision_latency.py", ("--decisions", "20"), (
        ("quiet p50", r"quiet: [^\n]*p50 (\d+ ms)"),
        ("quiet p95", r"quiet: [^\n]*p95 (\d+ ms)"),
        ("under load p50", r"under load[^\n]*p50 (\d+ ms)"),
        ("under load p95", r"under load[^\n]*p95 (\d+ ms)"),
    )),
    Bench("memory", "memory.py", (), (
        ("RSS, empty database", r"VmRSS bot started \(empty database\): ([\d.]+ MB)"),
        ("RSS, database filled", r"VmRSS database filled[^\n]*: ([\d.]+ MB)"),
        ("RSS, after updates", r"VmRSS after ([\d,]+ updates)[^\n]*: ([\d.]+ MB)"),
        ("peak (VmHWM)", r"VmHWM \(peak\): ([\d.]+ MB)"),
    )),
    Bench("stats", "stats_bench.py", (), (
        ("year stats p50", r"year stats [^\n]*p50 ([\d.]+ ms)"),
        ("chart p50", r"then p50 (\d+ ms)"),
        ("/stats text, through the bot", r"/stats text in (\d+ ms)"),
        ("/stats chart, through the bot", r"its chart in (\d+ ms)"),
        ("others' /help p95 meanwhile", r"/help meanwhile: [^\n]*p95 (\d+ ms)"),
    )),
)


def run_one(bench: Bench, timeout: float) -> tuple[str, float, list[tuple[str, str]], str]:
    """(status, seconds, figures, output) of one script."""
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, str(HERE / bench.script), *bench.args],
                              capture_output=True, text=True, timeout=timeout, check=False)
        output, status = done.stdout + done.stderr, f"exit {done.returncode}"
    except subprocess.TimeoutExpired as exc:
        output = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (
            exc.stdout or "")
        status = f"timeout {timeout:.0f} s"
    spent = time.perf_counter() - started
    figures = []
    for label, pattern in bench.figures:
        match = re.search(pattern, output)
        figures.append((label, " ".join(match.groups()) if match else "—"))
    if not bench.figures:  # a script this runner does not know: its last output line
        lines = [line for line in output.splitlines() if line.strip()]
        figures.append(("last line", lines[-1][:100] if lines else "—"))
    return status, spent, figures, output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per script")
    parser.add_argument("--only", nargs="*", help="names of benches to run")
    parser.add_argument("--verbose", action="store_true", help="print each script's output")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows: list[tuple[str, str, float, list[tuple[str, str]]]] = []
    for bench in BENCHES:
        if args.only and bench.name.split()[0] not in args.only:
            continue
        if not (HERE / bench.script).exists():
            print(f"{bench.name}: bench/{bench.script} does not exist, skipped", flush=True)
            continue
        print(f"running {bench.script} {' '.join(bench.args)}…", flush=True)
        status, spent, figures, output = run_one(bench, args.timeout)
        if args.verbose or status != "exit 0":
            print(output.rstrip())
        machine = next((line for line in output.splitlines()
                        if line.startswith(("machine:", "cpu:"))), None)
        if machine and not rows:
            print(machine)
        rows.append((bench.name, status, spent, figures))
    print()
    print("| bench | status | time | figure | value |")
    print("|---|---|---|---|---|")
    for name, status, spent, figures in rows:
        for n, (label, value) in enumerate(figures):
            head = f"| {name} | {status} | {spent:.0f} s" if n == 0 else "| | |"
            print(f"{head} | {label} | {value} |")
    total = time.perf_counter() - started
    print(f"\ntotal: {total:.0f} s ({total / 60:.1f} min)")
    return 0 if all(status == "exit 0" for _, status, _, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
