"""The CPU time of loading and checking a project, for one checkout or several side by side.

    PYTHONPATH=. .venv/bin/python benchmarks/load_times.py [--tree DIR ...] [--tests FILE ...]

For each tree given (default: this checkout; give two, e.g. a worktree of main and a branch, to
compare them in one run) it prints, each measured in a fresh process running that tree's code:

- ``load``: :func:`briefs.load.project.load_project` of the example project (all eight briefs) and
  of the small project (the four briefs of ``tests/conftest.py``'s ``SMALL``), the first call
  (a cold process) and a second call in the same process (as ``briefs watch``, the live preview
  and the tests, which run the command line in-process, load again);
- ``check``: ``briefs check`` (:func:`briefs.api.check`) of the example project, first and second
  call in one process (charts and pages are rendered too, so loading is a small part of it);
- ``tests``: the CPU time (user + system) of ``pytest -n 0`` on the given test files (default
  ``tests/test_messages.py tests/test_load_errors.py``), and the number that passed.

CPU time rather than wall time: the machine these run on is shared, and a busy machine inflates
wall time much more than CPU time. The load average is printed with each line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ("tests/test_messages.py", "tests/test_load_errors.py")

# Run in a fresh process with PYTHONPATH=<tree>: copies the example project (all of it, and the
# small one) the way tests/conftest.py does, and times each call with the process's CPU clock.
_PROBE = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(sys.argv[1]) / "tests"))
import conftest
from briefs.project.config import load_config
from briefs.load.project import load_project
from briefs.api import check
scratch = Path(sys.argv[2])
full = conftest.copy_project(scratch / "full")
small = conftest.copy_project(scratch / "small", briefs=conftest.SMALL)
what = sys.argv[3]
times = []
for _ in range(2):
    started = time.process_time()
    if what == "check":
        result = check(full)
        assert result.ok, result.diagnostics
    else:
        load_project(load_config(full if what == "load-full" else small))
    times.append(time.process_time() - started)
print(json.dumps(times))
"""


def probe(tree: Path, what: str) -> list[float]:
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, str(tree), scratch, what],
            cwd=scratch,
            env={**os.environ, "PYTHONPATH": str(tree)},
            capture_output=True,
            text=True,
            check=True,
        )
    times: list[float] = json.loads(done.stdout.strip().splitlines()[-1])
    return times


def test_cpu(tree: Path, files: list[str]) -> tuple[float, str]:
    args = [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", *files]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        args, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True, text=True, check=False
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-300:]
    return cpu, re.sub(r" in [\d.]+s.*", "", summary)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", type=Path, action="append", help="a checkout to time (repeatable)")
    parser.add_argument("--tests", action="append", help="a test file to time (repeatable)")
    parser.add_argument("--skip", action="append", default=[], choices=("load", "check", "tests"))
    options = parser.parse_args()
    trees = [t.resolve() for t in options.tree or [ROOT]]
    files = options.tests or list(TESTS)
    for tree in trees:
        if "load" not in options.skip:
            for what in ("load-full", "load-small"):
                first, second = probe(tree, what)
                print(f"{what:10}  {tree}: first {first:.2f} s, second {second:.2f} s of CPU, "
                      f"load {os.getloadavg()[0]:.1f}", flush=True)
        if "check" not in options.skip:
            first, second = probe(tree, "check")
            print(f"{'check':10}  {tree}: first {first:.2f} s, second {second:.2f} s of CPU, "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
        if "tests" not in options.skip:
            cpu, summary = test_cpu(tree, files)
            print(f"{'tests':10}  {tree}: {cpu:.1f} s of CPU ({summary}; {' '.join(files)}), "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
