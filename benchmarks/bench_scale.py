"""Scale benchmark (issue 20): a synthetic project of N briefs, measured in one run.

    .venv/bin/python benchmarks/bench_scale.py [--large 1000] [--small 10] [--formats html,pdf]
                                               [--recipients 1000,100000] [--jobs 2]

Prints, each measured in this run on this machine (the machine is shared: compare the ratios):
  cold build, seconds per document, at N = small and N = large (target: within 10 %)
  no-op rebuild at N = large (target: under 1 s)
  one brief edited at N = large vs the same edit at N = 5 (target: under 2x)
  the main process's peak memory (max RSS of that process alone) at N = large (target: 500 MB)
  the main process's CPU per document vs the workers' (target: at most 2 %)
  `briefs distribute` of one brief to each M of --recipients: the main process's peak memory
  and copies per second per worker (targets: flat memory, 50 copies/s/worker)
  `--jobs 2` vs the same build pinned to one core (target: 1.8)
``--formats html`` measures the planning and HTML path only (minutes, not an hour, at N = 1000).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth_project import generate, write_recipients

# Runs briefs' CLI in this interpreter and reports, on its last stderr line, the main process's
# own peak memory and CPU seconds (the workers are other processes: not counted).
WRAPPER = """
import os, resource, sys
from briefs.cli import cli


def descendants():
    # CPU seconds of every live process below this one (the fork server and the PDF workers
    # are not waited for by this process, so RUSAGE_CHILDREN misses them), with the children
    # each has reaped (cutime, cstime): /proc/PID/stat fields 14-17.
    tick = os.sysconf("SC_CLK_TCK")
    parent, cpu = {}, {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent[int(entry)] = int(fields[1])
            cpu[int(entry)] = sum(int(x) for x in fields[11:15]) / tick
    mine, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {p for p, pp in parent.items() if pp in frontier and p not in mine}
        mine |= frontier
    return sum(cpu[p] for p in mine)

sys.argv = ["briefs", *sys.argv[1:]]
try:
    cli(prog_name="briefs")
    code = 0
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
me = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
workers = kids.ru_utime + kids.ru_stime + descendants()
print(f"SELF {me.ru_maxrss} {me.ru_utime + me.ru_stime} {workers}", file=sys.stderr)
sys.stderr.flush()
sys.stdout.flush()
os._exit(code)  # as briefs.cli.main: no interpreter teardown (workers end with this process)
"""


class Run:
    def __init__(self, seconds: float, rss_mb: float, main_cpu: float, children_cpu: float) -> None:
        self.seconds, self.rss_mb, self.main_cpu, self.children_cpu = seconds, rss_mb, main_cpu, children_cpu


ROOT = Path(__file__).resolve().parent.parent


def briefs(project: Path, *args: str, cores: set[int] | None = None, code: Path = ROOT) -> Run:
    """briefs' CLI from the checkout ``code`` (default: this one) on ``project``, optionally pinned
    to ``cores``: its wall time, and the main process's peak memory and CPU and its children's CPU.
    It runs in the project's folder, not a checkout's: ``python -c`` puts the working folder
    ahead of PYTHONPATH, and a checkout there would be imported instead of ``code``."""
    pin = (lambda: os.sched_setaffinity(0, cores)) if cores else None
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, "--project", str(project), *args],
        capture_output=True,
        text=True,
        # (without PYTHONDONTWRITEBYTECODE, set on some machines: an installed briefs has its
        # bytecode compiled, and a run here should not compile every module it imports again)
        env={
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "CI": "1",
            "PYTHONPATH": str(code),
        },
        preexec_fn=pin,
        check=False,
        cwd=project,
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"briefs {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    tag, rss, cpu, kids = done.stderr.strip().splitlines()[-1].split()
    assert tag == "SELF"
    return Run(seconds, int(rss) / 1024, float(cpu), float(kids))


def documents(project: Path, formats: str) -> int:
    return sum(1 for _ in (project / "output").glob("[!.]*/*.*") if _.suffix.lstrip(".") in formats.split(","))


def edit_one(project: Path, k: int) -> None:
    folder = sorted(p for p in (project / "content").glob("[!_]*") if (p / "brief.yaml").is_file())[0]
    target = folder / "brief.yaml"
    text = target.read_text("utf-8")
    target.write_text(text.replace("样本编号", f"样本编号{k}", 1), "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--formats", default="html,pdf")
    parser.add_argument("--recipients", default="1000,100000")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--projects",
        type=Path,
        help="keep each generated project in this folder (n<N>/) and start from a copy of it in later runs "
        "(making 1,000 approved briefs takes about 10 minutes); delete it after changing the examples",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="briefs-scale-"))
    print(
        f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load {os.getloadavg()[0]:.2f}, {time.strftime('%Y-%m-%d %H:%M')}; work in {work}"
    )
    build = ("build",)
    fmt = ["--format", args.formats]  # one option, comma-separated (a second --format replaces the first)
    jobs = ["--jobs", str(args.jobs)]
    results: dict[int, tuple[Run, int]] = {}
    for n in (5, args.small, args.large):
        project = work / f"n{n}"
        if args.projects is None:
            generate(project, n)
        else:
            kept = args.projects / f"n{n}"
            if not (kept / "content").is_dir():
                generate(kept, n)
            shutil.copytree(kept, project, symlinks=True)
        cold = briefs(project, *build, *fmt, *jobs)
        results[n] = (cold, documents(project, args.formats))
    for n in (args.small, args.large):
        run, docs = results[n]
        print(
            f"cold build, N = {n:5d}: {docs} documents in {run.seconds:8.1f} s = {run.seconds / docs:.3f} s/document; "
            f"main process {run.rss_mb:.0f} MB peak, {run.main_cpu / docs * 1000:.1f} ms CPU/document, "
            f"workers {run.children_cpu / docs * 1000:.1f} ms CPU/document"
        )
    (small_run, small_docs), (large_run, large_docs) = results[args.small], results[args.large]
    print(
        f"  per-document cost, N = {args.large} / N = {args.small}: "
        f"{(large_run.seconds / large_docs) / (small_run.seconds / small_docs):.2f} (target <= 1.10)"
    )
    print(
        f"  main process CPU per document / workers': "
        f"{large_run.main_cpu / max(large_run.children_cpu, 1e-9) * 100:.1f} % (target <= 2 %)"
    )
    print(f"  main process peak memory at N = {args.large}: {large_run.rss_mb:.0f} MB (target < 500 MB)")
    noop = briefs(work / f"n{args.large}", *build, *fmt, *jobs)
    print(f"no-op rebuild, N = {args.large}: {noop.seconds:.2f} s (target < 1 s)")
    edits = {}
    for n in (5, args.large):
        edit_one(work / f"n{n}", 1)
        edits[n] = briefs(work / f"n{n}", *build, *fmt, *jobs).seconds
    print(
        f"one brief edited: N = {args.large} {edits[args.large]:.2f} s, N = 5 {edits[5]:.2f} s, "
        f"ratio {edits[args.large] / edits[5]:.2f} (target < 2)"
    )
    # --jobs 2 against the same build pinned to one core (forced full builds of N = small)
    small = work / f"n{args.small}"
    two = briefs(small, *build, *fmt, "--jobs", "2", "--force").seconds
    one = briefs(small, *build, *fmt, "--jobs", "2", "--force", cores={0}).seconds
    print(f"--jobs 2 / pinned to one core, N = {args.small}: {one / two:.2f} (target >= 1.8)")
    if "pdf" in args.formats:
        for m in (int(x) for x in args.recipients.split(",") if x):
            project = work / f"n{args.small}"
            write_recipients(project, m)
            brief = sorted(p for p in (project / "content").glob("[!_]*") if (p / "brief.yaml").is_file())[0]
            run = briefs(project, "distribute", str(brief), *jobs)
            print(
                f"distribute one brief to M = {m:6d}: {run.seconds:.1f} s, {m / run.seconds / args.jobs:.1f} "
                f"copies/s/worker, main process {run.rss_mb:.0f} MB peak"
            )


if __name__ == "__main__":
    main()
