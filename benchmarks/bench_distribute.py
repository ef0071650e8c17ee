"""Distribution benchmark (issue 20): copies per second per worker, and the main process's memory.

    .venv/bin/python benchmarks/bench_distribute.py [--copies 200] [--lists 1000,10000,100000]
                                                    [--modes local1,local2,cluster2]

One example brief (compute-etf-note, in a copy of the example project) is built in its three
editions, then sent:
  * to ``--copies`` recipients on each mode: ``local1`` (``--jobs 1``: stamped in the main
    process), ``local2`` (``--jobs 2``: two warm local workers), ``cluster2`` (``--scheduler`` of
    a LocalCluster of two worker processes started here); copies per second per worker is
    (copies - 1) / (time for all - time for one recipient) / workers, so the build check and
    start-up are left out;
  * from lists of each M of ``--lists`` to one recipient (``--only``): the whole list is read
    and checked, then read again as the copies go out; the main process's peak memory (its own
    max RSS, workers not counted) shows what M costs it, with the full runs above for stamping.
Each figure is printed with the load average at that moment: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import briefs
from synth_project import ROOT, write_recipients


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def stamping(project: Path, brief: Path, copies: int, workers: int, flags: list[str]) -> None:
    write_recipients(project, copies)
    one = briefs(project, "distribute", str(brief), "--only", "client-000000", *flags)
    many = briefs(project, "distribute", str(brief), *flags)
    rate = (copies - 1) / (many.seconds - one.seconds) / workers
    main_cpu = (many.main_cpu - one.main_cpu) / (copies - 1) * 1000
    # Local workers are the run's children: their CPU a copy gives the rate of an idle core (with
    # --jobs 1 the main process stamps; a cluster's workers are not the run's children).
    kids = (many.children_cpu - one.children_cpu) / (copies - 1) * 1000
    stamp_cpu = kids if kids > 1 else main_cpu
    cpu = f"; stamping {stamp_cpu:5.1f} ms CPU a copy = {1000 / stamp_cpu:4.1f}/CPU-s"
    cpu = cpu if workers == 1 or kids > 1 else ""
    print(
        f"  {' '.join(flags):40s} {copies} copies in {many.seconds:6.1f} s (one: {one.seconds:5.1f} s): "
        f"{rate:5.1f} copies/s/worker; main process {many.rss_mb:4.0f} MB peak, {main_cpu:5.1f} ms CPU a copy"
        f"{cpu} [{load()}]",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--copies", type=int, default=200)
    parser.add_argument("--lists", default="1000,10000,100000")
    parser.add_argument("--modes", default="local1,local2,cluster2")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-distribute-") as tmp:
        project = Path(tmp) / "p"
        shutil.copytree(ROOT / "content", project / "content")
        shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
        if (ROOT / "templates").is_dir():
            shutil.copytree(ROOT / "templates", project / "templates")
        brief = project / "content" / "compute-etf-note"
        langs = "zh-CN,en,zh-HK"
        built = briefs(project, "build", str(brief), "--format", "pdf", "--lang", langs, "--jobs", "2")
        print(f"base PDFs ({langs}) built in {built.seconds:.1f} s [{load()}]", flush=True)
        modes = args.modes.split(",")
        print(f"stamping {args.copies} copies of one brief (editions in turn):")
        if "local1" in modes:
            stamping(project, brief, args.copies, 1, ["--jobs", "1"])
        if "local2" in modes:
            stamping(project, brief, args.copies, 2, ["--jobs", "2"])
        cluster: Any = None
        if "cluster2" in modes:
            from distributed import LocalCluster

            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
            flags = ["--scheduler", cluster.scheduler_address]
            write_recipients(project, 4)
            briefs(project, "distribute", str(brief), *flags)  # the workers' first layout (fonts)
            stamping(project, brief, args.copies, 2, flags)
        print("main process peak memory, a list of M recipients read whole, one of them sent:")
        for m in (int(x) for x in args.lists.split(",") if x):
            write_recipients(project, m)
            run = briefs(project, "distribute", str(brief), "--only", "client-000000", "--jobs", "1")
            print(f"  M = {m:7d}: {run.rss_mb:4.0f} MB peak, {run.seconds:6.1f} s [{load()}]", flush=True)
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    main()
