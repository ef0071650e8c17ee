"""Stamping benchmark (issue 20): copies per second per worker, the old stamp against this one, in one run.

    .venv/bin/python benchmarks/bench_stamp.py [--old main] [--copies-old 150] [--copies-new 3000]
                                               [--jobs 1,2] [--inner 200] [--large 100000]

The old code is a git worktree of ``--old`` (a commit of this repository: main, before the stamp
was drawn without WeasyPrint), made in a temporary folder for this run and removed after it; the
new code is this checkout. One example brief (compute-etf-note, in a copy of the example project)
is built once in its three editions (the build is the same code on both sides, so both accept the
base PDFs), then, for each side and each ``--jobs``:

  * ``briefs distribute`` to one recipient (``--only``) and to all N recipients (editions in turn,
    ``synth_project.write_recipients``), each into a fresh copy of the built output folder. From
    the difference of the two runs (start-up, the build check and the list's first pass left out):
    wall copies/s of the run, copies/s per worker, and the CPU a copy costs the process that stamps
    (``--jobs 1``: the main process; ``--jobs 2``: the two local workers, their CPU from /proc)
    as copies per CPU-second of one worker; and the main process's CPU a copy and peak memory.
  * in one process, the stamping function alone (``--inner`` recipients of each of zh-CN and en,
    a tenth of that for the old code), warm (after the fonts are loaded, the base parsed and, for
    the new code, the face preprocessed, which a worker does after 200 recipients): CPU per copy,
    from ``time.process_time``.

With ``--large M``, the new code alone then sends the brief to M recipients on the most workers
of ``--jobs`` (if the disk has room for the copies, which are removed after): the rate and the
main process's peak memory at M.

Each figure is printed with the load average at that moment: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import Run, briefs
from synth_project import ROOT, write_recipients

BRIEF = "compute-etf-note"

# The stamping function alone, in one process, for the code on PYTHONPATH: "old" calls the old
# module's stamp_for (WeasyPrint page, fontpack, pikepdf overlay), "new" this one's stamp_one.
INNER = r"""
import hashlib, sys, time
from pathlib import Path
from briefs.distribute.recipients import Recipient
from briefs.distribute import stamp
from briefs.pipeline.planning import edition
from briefs.project.config import load_config

side, project, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
config = load_config(project)
for lang, name, org in (("zh-CN", "测试客户", "示例资产管理公司"), ("en", "Client", "Alpha Capital")):
    base = project / "output" / "compute-etf-note" / f"compute-etf-note.{lang}.pdf"
    ed = edition(config, lang)
    digest = hashlib.sha256(base.read_bytes()).hexdigest()

    def one(i):
        who = Recipient(id=f"client-{i:06d}", name=f"{name}{i}", organisation=org, lang=lang)
        if side == "old":
            return stamp.stamp_for(config, ed, who, [base])
        return stamp.stamp_one(config, ed, [(base, digest)], who)

    warm = 1 if side == "old" else 250  # fonts loaded, the base parsed, the face preprocessed (after 200)
    for i in range(warm):
        one(count + 1 + i)
    started = time.process_time()
    for i in range(1, count + 1):
        one(i)
    cpu = (time.process_time() - started) / count
    print(f"{lang} {cpu * 1000:.2f}")
"""


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def run(code: Path, project: Path, *args: str) -> Run:
    """briefs' CLI from the checkout ``code``, as bench_scale runs it (its peak memory and CPU)."""
    return briefs(project, *args, code=code)


def distribution(code: Path, project: Path, built: Path, copies: int, jobs: int) -> dict[str, float]:
    """One side's figures for ``copies`` recipients on ``jobs`` workers."""
    write_recipients(project, copies)
    brief = str(project / "content" / BRIEF)
    runs = []
    # A first run to throw away: a fresh worktree's first run compiles its modules (seconds of CPU)
    for only in (["--only", "client-000000"], ["--only", "client-000000"], []):
        out = project / "out"
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(built, out, symlinks=True)
        runs.append(run(code, project, "distribute", brief, "--out", str(out), "--jobs", str(jobs), *only))
    shutil.rmtree(project / "out", ignore_errors=True)
    _, one, many = runs
    n = copies - 1
    seconds = many.seconds - one.seconds
    main_cpu = (many.main_cpu - one.main_cpu) / n
    workers_cpu = (many.children_cpu - one.children_cpu) / n
    stamping = main_cpu if jobs == 1 else workers_cpu  # CPU of the process(es) that stamp, a copy
    return {
        "seconds": many.seconds,
        "wall": n / seconds,
        "per_worker": n / seconds / jobs,
        "cpu_ms": stamping * 1000,
        "per_cpu_s": 1 / stamping,
        "main_ms": main_cpu * 1000,
        "rss": many.rss_mb,
    }


def large(project: Path, copies: int, jobs: int) -> None:
    """The new code alone to ``copies`` recipients (the copies are removed after), if the disk
    has room for them."""
    sizes = [p.stat().st_size + 12_000 for p in (project / "output" / BRIEF).glob(f"{BRIEF}.*.pdf")]
    need = copies * sum(sizes) / len(sizes) * 1.2
    free = shutil.disk_usage(project).free
    if free < need + 10 * 2**30:  # and 10 GiB to spare for everyone else
        print(f"  M = {copies}: skipped, {need / 2**30:.1f} GiB of copies and {free / 2**30:.1f} GiB free")
        return
    f = distribution(ROOT, project, project / "output", copies, jobs)
    print(
        f"  new --jobs {jobs}, M = {copies}: {f['seconds']:6.1f} s; {f['wall']:6.1f} copies/s, {f['per_worker']:6.1f} "
        f"copies/s per worker; a worker's CPU {f['cpu_ms']:5.2f} ms a copy = {f['per_cpu_s']:6.1f} copies/CPU-s; "
        f"main process {f['main_ms']:5.2f} ms CPU a copy, {f['rss']:4.0f} MB peak [{load()}]",
        flush=True,
    )


def inner(code: Path, project: Path, count: int) -> dict[str, float]:
    env = {**os.environ, "CI": "1", "PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, "-c", INNER, "new" if code == ROOT else "old", str(project), str(count)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=project,
    )
    return {lang: float(ms) for lang, ms in (line.split() for line in done.stdout.splitlines())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--old", default="main", help="the commit the old code is checked out from")
    parser.add_argument("--copies-old", type=int, default=150)
    parser.add_argument("--copies-new", type=int, default=3000)
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--inner", type=int, default=200, help="recipients per edition for the in-process measure")
    parser.add_argument("--large", type=int, default=0, help="then the new code alone to this many recipients")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-stamp-") as tmp:
        old = Path(tmp) / "old"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), args.old], check=True, capture_output=True
        )
        try:
            commit = subprocess.run(
                ["git", "-C", str(old), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
            ).stdout.strip()
            here = subprocess.run(
                ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
            ).stdout.strip()
            project = Path(tmp) / "p"
            shutil.copytree(ROOT / "content", project / "content")
            shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
            if (ROOT / "templates").is_dir():
                shutil.copytree(ROOT / "templates", project / "templates")
            built = run(
                ROOT,
                project,
                "build",
                str(project / "content" / BRIEF),
                "--format",
                "pdf",
                "--lang",
                "zh-CN,en,zh-HK",
                "--jobs",
                "2",
            )
            print(
                f"old: {args.old} ({commit}), new: this checkout ({here}); {os.cpu_count()} cores; "
                f"base PDFs built in {built.seconds:.1f} s [{load()}]",
                flush=True,
            )
            sides = (("old", old, args.copies_old), ("new", ROOT, args.copies_new))
            print("in one process, the stamping function alone (warm), CPU per copy:")
            for side, code, _ in sides:
                ms = inner(code, project, args.inner if side == "new" else max(args.inner // 10, 5))
                figures = ", ".join(f"{lang} {v:6.2f} ms = {1000 / v:6.1f} copies/CPU-s" for lang, v in ms.items())
                print(f"  {side}: {figures} [{load()}]", flush=True)
            print("briefs distribute, one brief, editions in turn (figures leave start-up and the checks out):")
            for jobs in (int(j) for j in args.jobs.split(",")):
                for side, code, copies in sides:
                    f = distribution(code, project, project / "output", copies, jobs)
                    print(
                        f"  {side} --jobs {jobs}: {copies:5d} copies in {f['seconds']:6.1f} s; "
                        f"{f['wall']:6.1f} copies/s, "
                        f"{f['per_worker']:6.1f} copies/s per worker (target >= 50); a worker's CPU "
                        f"{f['cpu_ms']:6.2f} ms a copy = {f['per_cpu_s']:6.1f} copies/CPU-s; main process "
                        f"{f['main_ms']:5.2f} ms CPU a copy, {f['rss']:4.0f} MB peak [{load()}]",
                        flush=True,
                    )
            if args.large:
                large(project, args.large, max(int(j) for j in args.jobs.split(",")))
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False, capture_output=True
            )


if __name__ == "__main__":
    main()
