"""The main process's share of a build, per document, measured in one process (issue 20):

    .venv/bin/python benchmarks/bench_main_share.py PROJECT     # e.g. one made by synth_project.py

Prints CPU milliseconds per document of what the main process does for every document (loading
and validating its brief, the in-build checks), of what it did before planning moved into the
tasks (localizing, charts, HTML: ``planning.plan``), of what it does now instead (making the
task and pickling it as the pool does), and of one document made as a worker makes it (planned
and laid out as PDF). The machine is shared: the ratios, taken in one process, are what compare.
"""

from __future__ import annotations

import os
import pickle
import sys
import time
from pathlib import Path

from briefs.load.project import load_project
from briefs.pipeline import workers
from briefs.pipeline.limits import Budget
from briefs.pipeline.planning import check_input, plan
from briefs.pipeline.tasks import DocumentOutcome, DocumentTask, Shared, make, shared_bytes
from briefs.plugins import run_checks
from briefs.project.config import load_config


def main() -> None:
    cpu = time.process_time
    config = load_config(Path(sys.argv[1]))
    langs = tuple(config.languages)
    started = cpu()
    project = load_project(config)
    loading = cpu() - started
    docs = len(project.briefs) * len(langs)
    plan(project, langs)  # warm: imports, matplotlib, the first chart
    started = cpu()
    plan(project, langs)
    planning = cpu() - started
    run_checks(check_input(project, (), langs), in_build=True)
    started = cpu()
    run_checks(check_input(project, (), langs), in_build=True)
    checks = cpu() - started
    started = cpu()
    shared = shared_bytes(Shared(config, project.library, langs, ("html", "pdf"), "f", "r", "t", ()))
    pairs = [(b, lang) for b in project.briefs for lang in langs]
    tasks = [DocumentTask(i, shared, b, lang, {}) for i, (b, lang) in enumerate(pairs)]
    sent = [pickle.dumps((workers.perform, task, 180.0)) for task in tasks]  # as the pool sends each
    sending = cpu() - started
    make(tasks[0], DocumentOutcome(0), Budget(None, None), 180.0)  # warm: WeasyPrint, fonts
    started = cpu()
    for task in tasks[:4]:
        make(task, DocumentOutcome(task.index), Budget(None, None), 180.0)
    worker = (cpu() - started) / min(4, len(tasks))
    ms = 1000 / docs
    here = (loading + checks + sending) * ms
    print(f"{len(project.briefs)} briefs, {docs} documents; load {os.getloadavg()[0]:.2f}")
    print(f"  main process, every build: loading {loading * ms:.1f} ms/document, in-build checks {checks * ms:.1f}")
    print(f"  main process, before: planning {planning * ms:.1f} ms/document")
    print(f"  main process, now: the task made and pickled {sending * ms:.2f} ms/document ({len(sent[0]) // 1024} KiB)")
    print(f"  a worker's document (planned, laid out): {worker * 1000:.0f} ms")
    print(f"  main / worker per document: before {(here - sending * ms + planning * ms) / (worker * 1000) * 100:.1f} %, "
          f"now {here / (worker * 1000) * 100:.1f} % (target <= 2 %)")


if __name__ == "__main__":
    main()
