"""Portal benchmark (issue 16, point 3): what the index, feeds and search index cost a build.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_portal.py [--repeat N] [--copies K]

On a copy of the example project (with ``--copies K``: each example brief K times, under new
ids), HTML only, every number measured in this run:
  (a) cold build (briefs + portal), for scale
  (b) unchanged rebuild through the API (``briefs.build``: the "nothing changed" fast path, which
      also checks the portal's files by ``stat``) and through the command line (a new process)
  (c) the portal's own "still current?" check inside a build that did load the content
      (entries from the model, the files they link, the key; nothing written)
  (d) a rebuild after one brief's body changed (its HTML, the index pages, feeds and search)
  (e) writing the whole portal again (index pages, feeds, Pagefind) after deleting it and its record
Each timing is the median of --repeat runs (default 5).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def clock(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def make_project(folder: Path, copies: int) -> Path:
    shutil.copytree(ROOT / "content", folder / "content")
    shutil.copy(ROOT / "pyproject.toml", folder / "pyproject.toml")
    originals = [p.parent for p in (folder / "content").glob("*/brief.yaml")]
    for n in range(1, copies):
        for brief in originals:
            twin = folder / "content" / f"{brief.name}-{n}"
            shutil.copytree(brief, twin)
            yaml = twin / "brief.yaml"
            yaml.write_text(yaml.read_text("utf-8").replace(f"id: {brief.name}", f"id: {twin.name}", 1), "utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--copies", type=int, default=1)
    args = parser.parse_args()

    from briefs import build
    from briefs.project.config import project_config
    from briefs.pipeline.incremental import Manifest
    from briefs.load.project import load_project
    from briefs.pipeline.outputs import is_portal
    from briefs.portal.build import update_portal
    from briefs.portal.state import RECORD

    work = Path(tempfile.mkdtemp(prefix="briefs-portal-bench-"))
    try:
        project = make_project(work / "project", args.copies)
        out = project / "output"
        count = len(list((project / "content").glob("*/brief.yaml")))
        print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
              f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}; {count} briefs, HTML")

        started = time.perf_counter()
        first = build(project, formats=("html",), jobs=1)
        cold = time.perf_counter() - started
        print(f"(a) cold build: {cold:.2f} s ({len(first.written)} pages, {len(first.portal)} portal files)")

        def unchanged() -> None:
            assert build(project, formats=("html",), jobs=1).unchanged

        print(f"(b) unchanged rebuild, API: {clock(unchanged, args.repeat) * 1000:.1f} ms")
        cli = [sys.executable, "-m", "briefs", "build", "--format", "html"]
        env = {**os.environ, "CI": "1"}

        def command() -> None:
            done = subprocess.run(cli, cwd=project, env=env, capture_output=True, text=True, check=True)
            assert "up to date" in done.stdout, done.stdout

        print(f"    unchanged rebuild, command line (new process): {clock(command, args.repeat):.2f} s")

        config = project_config(project)
        loaded = load_project(config, ())

        def current() -> None:
            assert update_portal(loaded, Manifest.load(out), config.languages, False) == []

        print(f"(c) portal check after loading, nothing written: {clock(current, args.repeat) * 1000:.1f} ms")

        body = next((project / "content").glob("deepseek-cost-performance/innovations.en.md"))
        stamp = [0]

        def one_changed() -> None:
            stamp[0] += 1
            body.write_text(body.read_text("utf-8") + f"\n\nEdit {stamp[0]} for the benchmark.\n", "utf-8")
            result = build(project, formats=("html",), jobs=1)
            assert len(result.written) == 1 and result.portal

        print(f"(d) rebuild after one brief's body changed: {clock(one_changed, args.repeat):.2f} s")

        loaded = load_project(config, ())

        def rewrite() -> None:
            (out / RECORD).unlink()
            for path in out.iterdir():
                if is_portal(path.name):
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
            assert update_portal(loaded, Manifest.load(out), config.languages, False)

        print(f"(e) whole portal written again (pages, feeds, Pagefind): {clock(rewrite, args.repeat):.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
