"""Test-suite times (issue 15, point 8): the wall time of the fast tier and of the full suite.

    PYTHONPATH=. .venv/bin/python benchmarks/suite_times.py [--tier fast|full|both] [--tree DIR ...]
    PYTHONPATH=. .venv/bin/python benchmarks/suite_times.py --mark-slow SECONDS [--from-log FILE]

Runs pytest as ``scripts/test`` does, without its set-up and gates (they take seconds):
``-n 2 --dist worksteal``, and for the fast tier ``-m "not pdf and not install and not java and not
slow"``. For each tree given (default: this checkout; give two, e.g. a checkout of main and one
of a branch, to compare them in one run, one after the other) and each tier it prints the number
of tests, the wall time, the CPU time of pytest and its workers (user + system, which a busy
machine does not inflate as much as the wall time), and the load average before and after, so a
number measured on a shared machine says so. A run with a failing test is reported as such.

``--mark-slow SECONDS`` writes ``tests/slow.txt``, the tests the fast tier leaves to the full suite:
it runs every test that renders no PDF, installs no wheel and starts no Java (the fast tier's
candidates) with ``--durations=0`` and lists each test case whose set-up and call took more than
SECONDS of wall time (``--from-log`` reads the durations of a run already made instead). The
threshold is chosen so that the fast tier, timed afterwards, stays within its budget; the
measurement and the load it was made at head the file.
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
CANDIDATES = "not pdf and not install and not java"  # the fast tier before the slow list
SLOW_LIST = ROOT / "tests" / "slow.txt"
DURATION = re.compile(r"^([0-9.]+)s (setup|call|teardown)\s+tests/(\S+)$")


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


def adopt_orphans() -> None:
    """Make this process the reaper of every descendant left without a parent (Linux
    PR_SET_CHILD_SUBREAPER), so that the CPU time of processes pytest does not wait for itself
    (the PDF workers' fork servers and their workers, the tests' command-line server and its
    runs) reaches RUSAGE_CHILDREN once they end: without it a run's CPU time left out most of
    its PDF layout (measured 2026-12-07: about 620 s counted, about 1,000 s spent)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
        sys.exit(f"prctl(PR_SET_CHILD_SUBREAPER) failed: errno {ctypes.get_errno()}")


def reap_orphans(grace: float = 20.0) -> int:
    """Wait for every descendant adopted during the run (they end once pytest has: fork servers
    see their pipe close); any still running after ``grace`` seconds is killed. Returns how many
    were reaped."""
    reaped = 0
    deadline = time.monotonic() + grace
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return reaped
        if pid:
            reaped += 1
            continue
        if time.monotonic() > deadline:
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        stat = (entry / "stat").read_text()
                    except OSError:
                        continue
                    if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid():
                        os.kill(int(entry.name), 9)
            deadline = time.monotonic() + grace
        time.sleep(0.1)


def run_tier(tree: Path, tier: str, workers: int = 2) -> Timing:
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", str(workers), "--dist", "worksteal"]
    if tier == "fast":
        args += ["-m", FAST]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    load_before = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, cwd=tree, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    reap_orphans()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-500:]
    passed = re.search(r"(\d+) passed", summary)
    return Timing(
        tree,
        tier,
        int(passed[1]) if passed else 0,
        done.returncode == 0,
        wall,
        cpu,
        (load_before, os.getloadavg()[0]),
        summary,
    )


def durations(log: str) -> dict[str, float]:
    """Set-up plus call seconds per test case, from pytest's ``--durations=0`` report."""
    spent: dict[str, float] = {}
    for line in log.splitlines():
        found = DURATION.match(line.strip())
        if found and found[2] != "teardown":
            spent[found[3]] = spent.get(found[3], 0.0) + float(found[1])
    return spent


def collected(marks: str) -> set[str]:
    """The test cases (``file::name[case]``, relative to tests/) and tests (``file::name``) that
    ``-m marks`` selects."""
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "--collect-only", "-m", marks]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True)
    cases = {line.removeprefix("tests/") for line in done.stdout.splitlines() if line.startswith("tests/")}
    return cases | {case.split("[", 1)[0] for case in cases}


def mark_slow(seconds: float, log_file: Path | None) -> None:
    """Write tests/slow.txt from a measured run (see the module's docstring)."""
    if log_file is None:
        args = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-n",
            "2",
            "--dist",
            "worksteal",
            "-m",
            CANDIDATES,
            "--durations=0",
            "--durations-min=0",
        ]
        done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
        log, source = done.stdout, f"pytest -n 2 -m {CANDIDATES!r} --durations=0"
        source += f" at load average {os.getloadavg()[0]:.1f}"
    else:
        log, source = log_file.read_text("utf-8"), f"the durations in {log_file.name}"
    spent = durations(log)
    if log_file is not None:  # a full run's log times every test: keep the fast tier's candidates
        candidates = collected(CANDIDATES)
        spent = {name: took for name, took in spent.items() if name in candidates}
    if not spent:
        sys.exit("no durations found: was the run made with --durations=0?")
    slow = sorted(name for name, took in spent.items() if took > seconds)
    header = [
        "# Tests the fast tier (scripts/test --fast) leaves to the full suite: set-up and call took",
        f"# more than {seconds:g} s in {source}",
        f"# ({len(spent)} tests timed). Written by",
        f"# benchmarks/suite_times.py --mark-slow {seconds:g}; a line `file::name` covers every case.",
    ]
    SLOW_LIST.write_text("\n".join([*header, *slow]) + "\n", "utf-8")
    print(f"{len(slow)} of {len(spent)} tests over {seconds:g} s -> {SLOW_LIST}")


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {seconds % 60:04.1f} s" if seconds >= 60 else f"{seconds:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", choices=("fast", "full", "both"), default="both")
    parser.add_argument("--tree", type=Path, action="append", help="a checkout to time (repeatable)")
    parser.add_argument("--workers", type=int, action="append", help="pytest-xdist workers (repeatable; default 2)")
    parser.add_argument("--mark-slow", type=float, metavar="SECONDS", help="write tests/slow.txt and stop")
    parser.add_argument("--from-log", type=Path, metavar="FILE", help="with --mark-slow: durations of a run made")
    options = parser.parse_args()
    if options.mark_slow is not None:
        mark_slow(options.mark_slow, options.from_log)
        return
    trees = [t.resolve() for t in options.tree or [ROOT]]
    tiers = ("fast", "full") if options.tier == "both" else (options.tier,)
    adopt_orphans()
    print(f"{os.cpu_count()} CPUs; pytest -n N --dist worksteal; fast tier: -m {FAST!r}")
    for tier in tiers:
        for tree in trees:
            for workers in options.workers or [2]:
                r = run_tier(tree, tier, workers)
                print(
                    f"{tier:4} -n {workers}  {r.tree}: {r.tests} tests, wall {minutes(r.wall)}, CPU {minutes(r.cpu)}, "
                    f"load {r.load[0]:.1f} -> {r.load[1]:.1f}" + ("" if r.ok else f"  FAILED: {r.summary}"),
                    flush=True,
                )


if __name__ == "__main__":
    main()
