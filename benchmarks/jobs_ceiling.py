"""How far can `--jobs 2` get over `--jobs 1` on two cores? An experiment, not a feature.

    .venv/bin/python benchmarks/jobs_ceiling.py [--repeat N]

Runs forced full builds of the example briefs with `--jobs 1` and `--jobs 2`, alternating, twice
over: once as shipped, and once with every chart served from a table recorded beforehand, so
that charts (and importing matplotlib) cost nothing in the main process. The second pair shows
the best ratio the current design could reach if charts were free: the rest of the work outside
the PDF workers (starting Python, imports, loading, HTML) and the zygote's warm-up remain.
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _key(chart: object, font: str, anchor: str, title: str) -> str:
    return repr((chart, font, anchor, title))


def record(table: Path) -> int:
    """Plan every example document once, keeping each chart's SVG; returns how many."""
    sys.path.insert(0, str(ROOT))
    from briefs.exhibits import charts
    from briefs.project.config import load_config
    from briefs.load.project import load_project
    from briefs.pipeline.planning import plan

    real = charts.render_svg
    svgs: dict[str, str] = {}

    def recording(chart: object, *, font: str, anchor: str, title: str) -> str:
        svgs[_key(chart, font, anchor, title)] = svg = real(chart, font=font, anchor=anchor, title=title)  # type: ignore[arg-type]
        return svg

    charts.render_svg = recording  # type: ignore[assignment]
    config = load_config(ROOT)
    plan(load_project(config), config.languages)
    charts.render_svg = real
    table.write_bytes(pickle.dumps(svgs))
    return len(svgs)


def replay(table: Path, argv: list[str]) -> None:
    """Run the briefs command line with charts looked up in the recorded table."""
    from briefs.exhibits import charts

    svgs = pickle.loads(table.read_bytes())
    real = charts.render_svg

    def looked_up(chart: object, *, font: str, anchor: str, title: str) -> str:
        found = svgs.get(_key(chart, font, anchor, title))
        return found if found is not None else real(chart, font=font, anchor=anchor, title=title)  # type: ignore[arg-type]

    charts.render_svg = looked_up  # type: ignore[assignment]
    sys.argv = ["briefs", *argv]
    from briefs.cli import main

    main()


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, "CI": "1"})
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="briefs-ceiling-"))
    table = work / "charts.pickle"
    print(f"recorded {record(table)} charts; {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}")
    shipped = [sys.executable, "-m", "briefs"]
    free = [sys.executable, __file__, "--replay", str(table)]
    times: dict[tuple[str, int], list[float]] = {}
    for i in range(args.repeat):
        for name, command in (("as shipped", shipped), ("charts free", free)):
            for jobs in (1, 2):
                out = work / f"out-{i}-{jobs}-{name[0]}"
                times.setdefault((name, jobs), []).append(timed(
                    [*command, "--project", str(ROOT), "build", "--out", str(out), "--force",
                     "--jobs", str(jobs)]))
    for name in ("as shipped", "charts free"):
        one, two = (statistics.median(times[name, jobs]) for jobs in (1, 2))
        runs = ", ".join(f"{a / b:.2f}" for a, b in zip(times[name, 1], times[name, 2]))
        print(f"{name:12s} --jobs 1 {one:6.2f}s  --jobs 2 {two:6.2f}s  ratio {one / two:5.2f}"
              f"  (per run: {runs})")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--replay":
        replay(Path(sys.argv[2]), sys.argv[3:])
    else:
        main()
