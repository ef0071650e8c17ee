"""Test-suite times (issue 15, point 8): the wall time of the fast tier and of the full suite.

    PYTHONPATH=. .venv/bin/python benchmarks/suite_times.py [--tier fast|full|both] [--tree DIR ...]

Runs pytest as ``scripts/test`` does, without its set-up and gates (they take seconds):
``-n 2 --dist worksteal``, and for the fast tier ``-m "not pdf and not install and not java and not
slow"``. For each tree given (default: this checkout; give two, e.g. a checkout of main and one
of a branch, to compare them in one run, one after the other) and each tier it prints the number
of tests, the wall time, the CPU time of pytest and its workers (user + system, which a busy
machine does not inflate as much as the wall time), and the load average before and after, so a
number measured on a shared machine says so. A run with a failing test is reported as such.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAST = "not pdf and not install and not java and not slow"


@dataclass(frozen=True)
class Timing:
    tree: Path
    tier: str
    tests: int
    ok: bool
    wall: float
    cpu: float
    load: tuple[float, float]
    summary: str


def run_tier(tree: Path, tier: str) -> Timing:
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--dist", "worksteal"]
    if tier == "fast":
        args += ["-m", FAST]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    load_before = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, cwd=tree, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-500:]
    passed = re.search(r"(\d+) passed", summary)
    return Timing(tree, tier, int(passed[1]) if passed else 0, done.returncode == 0, wall, cpu,
                  (load_before, os.getloadavg()[0]), summary)


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {seconds % 60:04.1f} s" if seconds >= 60 else f"{seconds:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", choices=("fast", "full", "both"), default="both")
    parser.add_argument("--tree", type=Path, action="append", help="a checkout to time (repeatable)")
    options = parser.parse_args()
    trees = [t.resolve() for t in options.tree or [ROOT]]
    tiers = ("fast", "full") if options.tier == "both" else (options.tier,)
    print(f"{os.cpu_count()} CPUs; pytest -n 2 --dist worksteal; fast tier: -m {FAST!r}")
    for tier in tiers:
        for tree in trees:
            r = run_tier(tree, tier)
            print(f"{tier:4}  {r.tree}: {r.tests} tests, wall {minutes(r.wall)}, CPU {minutes(r.cpu)}, "
                  f"load {r.load[0]:.1f} -> {r.load[1]:.1f}" + ("" if r.ok else f"  FAILED: {r.summary}"), flush=True)


if __name__ == "__main__":
    main()
