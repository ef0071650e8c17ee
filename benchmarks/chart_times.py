"""Chart drawing: the CPU time of every chart the examples and the chart tests draw, and the
SHA-256 of each SVG, so a faster drawing can be proven to change no byte.

    PYTHONPATH=. .venv/bin/python benchmarks/chart_times.py [--tree DIR ...] [--save FILE] [--against FILE] [--check]

The charts: every chart of the example project's eight briefs in zh-CN, en and zh-HK, each drawn
for print and for a phone, and each company note's price chart; the synthetic charts of
tests/test_exhibits.py (its ``synthetic`` fixture) and the charts of tests/test_charts.py. They are
collected by planning the documents with the drawing functions replaced by a recorder (so the
arguments are exactly what a build passes), then each distinct set of arguments is drawn once,
timed (CPU of this process, user + system) with no memo of drawn charts.

Each tree given (default: this checkout; give two, e.g. a checkout of main and one of a branch)
runs in its own process with ``PYTHONPATH`` at that tree (this file need not exist there). The
first tree's digests are the reference: every other tree prints how many of its SVGs are the
same and names those that differ. ``--save FILE`` writes the first tree's digests as JSON,
``--against FILE`` compares every tree with a file saved before: benchmarks/chart_digests.json
holds the digests of the code before the drawing was made faster (matplotlib 3.11.2 and this
machine's Noto CJK fonts: another version or font file gives other bytes, so save a reference
from the old tree there). ``--check`` also times
``briefs.check`` on each tree's example project, its languages (a fresh process: its CPU, which
includes loading, rendering the HTML and every check, and its drawing of charts).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EDITIONS = ("zh-CN", "en", "zh-HK")
FONT = "Noto Sans CJK SC"  # tests/test_charts.py's


def _collect() -> list[tuple[str, str, tuple[Any, ...], dict[str, Any]]]:
    """(name, function, args, kwargs) of every chart, in the order a build draws them."""
    from briefs.exhibits import charts, price_chart
    from briefs.load.project import load_project
    from briefs.pipeline.planning import plan
    from briefs.project.config import load_config

    calls: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = []
    where = [""]

    def record_chart(chart: Any, **kwargs: Any) -> str:
        calls.append((f"{where[0]}:{chart.lang}:{kwargs['anchor']}", "chart", (chart,), kwargs))
        return _placeholder(kwargs["anchor"], kwargs["title"])

    def record_price(*args: Any, **kwargs: Any) -> str:
        calls.append((f"{where[0]}:{kwargs['lang']}:{kwargs['anchor']}", "price", args, kwargs))
        return _placeholder(kwargs["anchor"], kwargs["title"])

    original = charts.render_svg, price_chart.render_price_chart
    charts.render_svg = record_chart  # type: ignore[assignment]
    price_chart.render_price_chart = record_price  # type: ignore[assignment]
    try:
        tree = Path.cwd()
        config = load_config(tree)
        for folder in sorted(p.parent for p in (tree / "content").glob("[!_]*/brief.yaml")):
            where[0] = folder.name
            plan(load_project(config, [folder]), EDITIONS)
        with tempfile.TemporaryDirectory() as tmp:
            where[0] = "synthetic"
            plan(load_project(*_synthetic(tree, Path(tmp))), EDITIONS)
        sys.path.insert(0, str(tree))
        from tests.test_charts import CHARTS  # type: ignore[import-not-found]

        for name, chart in sorted(CHARTS.items()):
            calls.append(
                (f"test_charts:{chart.lang}:{name}", "chart", (chart,), {"font": FONT, "anchor": name, "title": name})
            )
    finally:
        charts.render_svg, price_chart.render_price_chart = original
    return calls


def _placeholder(anchor: str, title: str) -> str:
    from html import escape

    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" width="1pt" height="1pt" viewBox="0 0 1 1" '
        f'role="img" aria-labelledby="{anchor}-title"><title id="{anchor}-title">{escape(title)}</title>\n</svg>\n'
    )


def _synthetic(tree: Path, tmp: Path) -> tuple[Any, list[Path]]:
    """The example project plus tests/test_exhibits.py's synthetic exhibits (its fixture)."""
    from briefs.project.config import load_config

    sys.path.insert(0, str(tree))
    from tests.test_exhibits import SYNTHETIC_CSV, SYNTHETIC_SPEC  # type: ignore[import-not-found]

    shutil.copytree(tree / "content", tmp / "content")
    shutil.copy(tree / "pyproject.toml", tmp / "pyproject.toml")
    if (tree / "templates").is_dir():
        shutil.copytree(tree / "templates", tmp / "templates")
    folder = tmp / "content" / "deepseek-cost-performance"
    (folder / "synthetic.csv").write_text(SYNTHETIC_CSV, "utf-8")
    text = (folder / "brief.yaml").read_text("utf-8")
    head, _, exhibits = text.partition("exhibits:\n")
    (folder / "brief.yaml").write_text(head + SYNTHETIC_SPEC + exhibits, "utf-8")
    return load_config(tmp), [folder]


def worker() -> dict[str, Any]:
    """Collect, then draw each distinct chart once: digests and CPU seconds."""
    from briefs.exhibits import charts, price_chart

    calls = _collect()
    import matplotlib.figure  # noqa: F401  the import is not drawing

    distinct: dict[str, tuple[str, str, tuple[Any, ...], dict[str, Any]]] = {}
    for name, kind, args, kwargs in calls:
        distinct.setdefault(repr((kind, args, sorted(kwargs.items()))), (name, kind, args, kwargs))
    forget = _forget()
    digests: dict[str, str] = {}
    started = time.process_time()
    for key, (name, kind, args, kwargs) in distinct.items():
        forget()
        draw = charts.render_svg if kind == "chart" else price_chart.render_price_chart
        svg = draw(*args, **kwargs)
        digests[f"{name} #{hashlib.sha256(key.encode()).hexdigest()[:10]}"] = hashlib.sha256(svg.encode()).hexdigest()
    cpu = time.process_time() - started
    return {"calls": len(calls), "charts": len(distinct), "cpu": cpu, "digests": digests}


def _forget() -> Any:
    """What empties the tree's memo of drawn charts, if it has one (then each chart is drawn)."""
    try:
        from briefs.exhibits.chart_memo import forget  # type: ignore[import-not-found]
    except ImportError:  # a tree before the memo: nothing is remembered unless `briefs serve`
        return lambda: None
    return forget


def run_tree(tree: Path, check: bool) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(tree), "MPLBACKEND": "svg"}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"{tree}: the worker failed\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if check:
        code = "import briefs, sys; r = briefs.check('.'); print(r.documents if hasattr(r, 'documents') else r)"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        ran = subprocess.run(
            [sys.executable, "-c", code], cwd=tree, env=env, capture_output=True, text=True, check=False
        )
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if ran.returncode:
            sys.exit(f"{tree}: briefs.check failed\n{ran.stderr[-3000:]}")
        result["check_cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        result["check_wall"] = wall
    result["load"] = os.getloadavg()[0]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", action="append", type=Path, help="a checkout to time (repeatable)")
    parser.add_argument("--save", type=Path, help="write the first tree's digests here (JSON)")
    parser.add_argument("--against", type=Path, help="compare every tree with digests saved before")
    parser.add_argument("--check", action="store_true", help="also time briefs.check on the examples")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker()))
        return
    trees = [t.resolve() for t in args.tree or [ROOT]]
    reference: dict[str, str] | None = json.loads(args.against.read_text()) if args.against else None
    failed = False
    for tree in trees:
        result = run_tree(tree, args.check)
        line = f"{tree}: {result['charts']} charts ({result['calls']} calls) drawn in {result['cpu']:.2f} s CPU"
        if "check_cpu" in result:
            line += f"; briefs.check {result['check_cpu']:.2f} s CPU, {result['check_wall']:.2f} s wall"
        print(line + f" (load {result['load']:.1f})")
        digests = result["digests"]
        if reference is None:
            reference = digests
            if args.save:
                args.save.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
            continue
        differ = sorted(k for k in reference.keys() | digests.keys() if reference.get(k) != digests.get(k))
        print(f"  same SVG bytes: {len(reference) - len(differ)}/{len(reference)}")
        for name in differ:
            print(f"  differs: {name}")
        failed = failed or bool(differ)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
