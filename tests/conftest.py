"""Shared fixtures: a throw-away copy of the example project, a CLI runner, one real build.

Test tiers: a test that renders a PDF (itself, through ``built``, through a build without
``--format html``, through ``distribute``) is marked ``pdf``; ``scripts/test --fast`` runs the
others (``-m "not pdf and not install and not java and not slow"``). The guard below keeps that
true: an unmarked test that asks for ``built``, starts the PDF workers or renders a PDF in this
process fails, and so does one that leaves a PDF rendered by WeasyPrint in its temporary folder
(a build in a subprocess).
"""

from __future__ import annotations

import fcntl
import hashlib
import inspect
import os
import pickle
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from briefs.cli import cli
from briefs.exhibits import charts, price_chart
from briefs.pipeline import workers
from briefs.pipeline.outputs import is_portal
from briefs.pipeline.run import build
from briefs.project.config import load_config
from briefs.render import pdf as pdf_render
from briefs.render.theme import PACKAGE_THEME

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("zh-CN", "en")
EXAMPLES = tuple(sorted(p.parent.name for p in (ROOT / "content").glob("[!_]*/brief.yaml")))  # the example briefs


PDF_FIXTURES = ("built",)  # fixtures that render PDFs: a test using one is marked pdf

# Tests that render no PDF but take seconds (child processes of the real command line, hostile
# inputs at their limits, the plugin install, whole-project builds): listed in tests/slow.txt,
# one per line (``file::name`` for every case of a test, ``file::name[case]`` for one case),
# written from a measured run by ``benchmarks/suite_times.py --mark-slow SECONDS``. Marked
# ``slow`` here so ``scripts/test --fast`` leaves them to the full suite (as it leaves the
# ``java`` tests, the Nu HTML checker); a name that no longer exists fails the run.
SLOW_LIST = Path(__file__).with_name("slow.txt")
SLOW = frozenset(line.strip() for line in SLOW_LIST.read_text("utf-8").splitlines()
                 if line.strip() and not line.startswith("#"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--refresh-visual", action="store_true",
                     help="rewrite the reference images in tests/visual/ from this build (tests/test_visual.py)")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that uses a PDF-rendering session fixture must be marked ``pdf`` (checked before
    anything runs: the fixture would otherwise be built before any per-test guard could stop it).
    Tests listed in SLOW, and every test that drives a browser, are marked ``slow``.
    """
    unmarked = [item.nodeid for item in items if item.get_closest_marker("pdf") is None
                and any(name in getattr(item, "fixturenames", ()) for name in PDF_FIXTURES)]
    if unmarked:
        raise pytest.UsageError("these tests use the PDF build `built` but are not marked pdf (mark them "
                                "@pytest.mark.pdf, or use `built_html` if they read HTML only):\n  "
                                + "\n  ".join(unmarked))
    modules = {item.nodeid.split("::")[0].removeprefix("tests/"): getattr(item, "module", None) for item in items}
    stale = sorted(name for name in SLOW if (file := name.split("::")[0]) in modules
                   and not hasattr(modules[file], name.split("::")[1].split("[")[0]))
    if stale:
        raise pytest.UsageError("tests/slow.txt names tests that do not exist: " + ", ".join(stale))
    for item in items:
        name = item.nodeid.removeprefix("tests/")
        if name in SLOW or name.split("[")[0] in SLOW or _drives_a_browser(item):
            item.add_marker(pytest.mark.slow)


def _drives_a_browser(item: pytest.Item) -> bool:
    """A test that starts headless Chromium (tests/browser.py), itself or through a fixture named
    ``browser``: 10-20 s each, so slow by rule rather than by a list that new ones would miss."""
    function = getattr(item, "function", None)
    if "browser" in getattr(item, "fixturenames", ()):
        return True
    try:
        return function is not None and "chromium(" in inspect.getsource(function)
    except (OSError, TypeError):
        return False



def _renders_a_pdf(*args: object, **kwargs: object) -> None:
    raise AssertionError("this test renders a PDF: mark it pdf (@pytest.mark.pdf), or build with "
                         "--format html if the PDF is not what it tests")


class _NoPdfPool:
    """The PDF workers' pool in a test not marked ``pdf``: handing it a PDF fails the test."""

    def submit(self, *args: object, **kwargs: object) -> None:
        _renders_a_pdf()

    map = submit

    def shutdown(self, *args: object, **kwargs: object) -> None:
        pass

    def __enter__(self) -> _NoPdfPool:
        return self

    def __exit__(self, *args: object) -> None:
        pass


@pytest.fixture(autouse=True)
def _no_pdf_unless_marked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """In a test not marked ``pdf``: starting the PDF workers or rendering a PDF in this process
    is an error, and a PDF rendered by WeasyPrint left in the test's temporary folder (a build in
    a subprocess) fails the test at teardown. Keeps ``scripts/test --fast`` free of PDFs."""
    if request.node.get_closest_marker("pdf") is not None:
        yield
        return
    for target, name in ((pdf_render, "render_pdf"), (workers, "render_task"), (workers, "_context"),
                         (workers, "run_dask")):
        assert hasattr(target, name), f"the PDF guard lost {target.__name__}.{name}: update tests/conftest.py"
        monkeypatch.setattr(target, name, _renders_a_pdf)
    # A build that may render PDFs warms the workers' parent up and opens their pool before it
    # reads anything; a test of such a build that stops before rendering (a located error) gets
    # no warm-up and a pool that refuses any PDF handed to it.
    monkeypatch.setattr(workers, "start_zygote", lambda: None)
    monkeypatch.setattr(workers, "start_pool", lambda *args, **kwargs: _NoPdfPool())
    tmp = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    if tmp is not None:
        rendered = [str(p.relative_to(tmp)) for p in tmp.rglob("*.pdf") if _weasyprint_pdf(p)]
        assert not rendered, ("this test rendered a PDF (a build in a subprocess?): mark it pdf, or build "
                              f"with --format html: {rendered}")


def _weasyprint_pdf(path: Path) -> bool:
    """Whether ``path`` is a regular file (not a link) holding a PDF WeasyPrint wrote."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 64 << 20:
            return False
        with path.open("rb") as handle:
            if handle.read(5) != b"%PDF-":
                return False
        from pypdf import PdfReader

        producer = (PdfReader(path).metadata or {}).get("/Producer", "")
    except Exception:  # noqa: BLE001 - not a PDF pypdf can read: not one WeasyPrint wrote
        return False
    return str(producer).startswith("WeasyPrint")


@pytest.fixture(scope="session", autouse=True)
def _each_chart_drawn_once(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """matplotlib drawing is most of an HTML build, and most tests build the same example charts:
    within a test session, ``charts.render_svg`` (the exhibits) and
    ``price_chart.render_price_chart`` (a company note's price chart) draw each distinct chart
    (every argument the same) once and hand the same SVG to later builds, in this process and,
    under pytest-xdist, in the session's other workers (through files in the session's base
    temporary folder, as the example builds are shared). The first time the process that drew a
    chart is asked for it again, it draws it again and it must come out byte for byte the same
    (charts are deterministic by design), so the shortcut is itself checked. A chart a test
    changes is a new chart, drawn."""
    base = tmp_path_factory.getbasetemp()
    store = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "charts"
    store.mkdir(exist_ok=True)
    patch = pytest.MonkeyPatch()
    # Over the drawing itself (the process's own memo, briefs.exhibits.chart_memo, would hand the
    # check its first SVG again): tests/test_charts.py tests that memo.
    patch.setattr(charts, "render_svg", _drawn_once(charts.draw_svg, store))
    patch.setattr(price_chart, "render_price_chart", _drawn_once(price_chart.draw_price_chart, store))
    yield
    patch.undo()


def _drawn_once(draw: Callable[..., str], store: Path) -> Callable[..., str]:
    """``draw`` (a chart renderer: the same arguments give the same SVG) with each result kept in
    this process and in ``store`` (a file named by the arguments' digest), and checked against a
    second drawing the first time this process reuses a chart it drew."""
    drawn: dict[tuple[object, ...], str] = {}
    mine: set[tuple[object, ...]] = set()  # drawn here and not yet checked

    def render(*args: object, **kwargs: object) -> str:
        key = (draw.__name__, *(tuple(a) if isinstance(a, list) else a for a in args), *sorted(kwargs.items()))
        try:
            hash(key)
            digest = hashlib.sha256(pickle.dumps(key, protocol=5)).hexdigest()
        except (TypeError, pickle.PicklingError, AttributeError):  # not a key: drawn every time
            return draw(*args, **kwargs)
        if key in mine:
            again = draw(*args, **kwargs)
            assert again == drawn[key], f"the chart {kwargs.get('anchor')} was drawn differently the second time"
            mine.discard(key)
        if key not in drawn:
            path = store / f"{digest}.svg"
            try:
                drawn[key] = path.read_text("utf-8")
            except FileNotFoundError:
                drawn[key] = draw(*args, **kwargs)
                mine.add(key)
                temporary = path.with_name(f".{digest}.{os.getpid()}")
                temporary.write_text(drawn[key], "utf-8")
                temporary.replace(path)  # whole or absent for the other workers
        return drawn[key]

    return render


def copy_project(dest: Path, theme: bool = True, briefs: tuple[str, ...] | None = None) -> Path:
    """Copy the example project (content, its template overrides, pyproject) to ``dest``.

    With ``briefs``, only those example briefs are copied (every shared and distribution file
    still is): a smaller project of real example content, for tests about something other than
    the examples themselves.

    With ``theme``, the project's templates/ also holds a copy of every file of the shipped theme
    (as a house that copied the theme to edit it: the same output byte for byte), so a test can
    break a template or a catalog of the project; without, templates/ holds only the example's
    own overrides (none: then there is no templates/ folder, as in the example project).
    """
    if briefs is None:
        shutil.copytree(ROOT / "content", dest / "content")
    else:
        unknown = sorted(set(briefs) - set(EXAMPLES))
        assert not unknown, f"not example briefs: {unknown}"
        for folder in (ROOT / "content").iterdir():
            if folder.name.startswith("_") or folder.name in briefs:
                shutil.copytree(folder, dest / "content" / folder.name)
    if theme:
        shutil.copytree(PACKAGE_THEME, dest / "templates")
    overrides = [p for p in (ROOT / "templates").rglob("*") if p.is_file() and p.name != "README.md"]
    for path in overrides:
        target = dest / "templates" / path.relative_to(ROOT / "templates")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the example project to break in a test."""
    return copy_project(tmp_path / "project")


# The briefs of ``small_project``: one of each kind of document the tests that are not about the
# examples need (an approved industry comment, a company note with its price chart and rating,
# a fund note, and the example draft), four of the eight; the others cost as much again to build.
SMALL = ("china-mobile-operator-cloud", "compute-etf-note", "deepseek-efficiency-not-deflation",
         "wechat-r1-inference")


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """A fresh copy of the example project holding only the briefs in SMALL (and every shared
    file): for the tests whose subject is not the example content (builds, the portal,
    incremental rebuilds, messages, the command line), at half the cost of ``project``."""
    return copy_project(tmp_path / "project", briefs=SMALL)


def edit(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replace ``old`` by ``new`` in a file; returns the 1-based line of the first change."""
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count), "utf-8")
    return line


def approve_again(project: Path, brief_id: str) -> None:
    """Compliance approves an edited example brief again (same approver and date), as a release
    needs: an approved brief edited since is a draft again (briefs.compliance.approvals)."""
    import datetime as dt
    import re

    from briefs.authoring.approval import approve

    text = (project / "content" / brief_id / "brief.yaml").read_text("utf-8")
    found = re.search(r"^approval: \{by: ([\w-]+), date: ([\d-]+)\}", text, re.MULTILINE)
    assert found, f"{brief_id} has no approval to give again"
    approve(load_config(project), brief_id, found[1], dt.date.fromisoformat(found[2]))


def make_draft(folder: Path) -> None:
    """Take a brief's approval away (brief.yaml's entry and its record): a draft from the start,
    so an edit to one edition changes that edition only."""
    brief = folder / "brief.yaml"
    brief.write_text("".join(line for line in brief.read_text("utf-8").splitlines(keepends=True)
                             if not line.startswith("approval:")), "utf-8")
    (folder / "approval.yaml").unlink(missing_ok=True)


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first occurrence of ``needle`` in a file."""
    text = path.read_text("utf-8")
    assert needle in text, f"{needle!r} not in {path}"
    return text[: text.index(needle)].count("\n") + 1


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run the real CLI in-process from a project folder; returns click's Result (exit code, output)."""

    def run(project_dir: Path, *args: str) -> Result:
        monkeypatch.chdir(project_dir)
        return CliRunner().invoke(cli, list(args), catch_exceptions=True)

    return run


@dataclass(frozen=True)
class Built:
    """The example project built once for the whole session."""

    out: Path
    briefs: tuple[str, ...]

    def file(self, brief_id: str, lang: str, ext: str) -> Path:
        return self.out / brief_id / f"{brief_id}.{lang}.{ext}"


def _build_examples(out: Path, formats: tuple[str, ...], jobs: int = 1) -> None:
    config = load_config(ROOT)
    result = build(config, langs=(*LANGS, "zh-HK"), formats=formats, out=out, jobs=jobs)
    assert not result.diagnostics, "the examples build without a warning:\n" + "\n".join(map(str, result.diagnostics))


def _examples_built_once(factory: pytest.TempPathFactory, name: str, formats: tuple[str, ...]) -> Built:
    """The example project built into a folder once per test session.

    Under pytest-xdist the workers of one session share the build: the first worker to ask
    builds it in the session's base temporary folder (the parent of every worker's own), holding
    a lock there, and the others wait for it and read the same files. Nothing outlives the
    session: a new session has a new base folder and builds again from the code under test. A
    build that fails leaves no mark of success, so the next worker to ask builds it again (and
    fails as well). The shared build renders on two processes: a worker that waits for it leaves
    its core to the build (the files are the same with any number of processes:
    tests/test_distribute.py compares whole documents made on one and on two, and
    tests/test_visual.py compares these pages with its references)."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        out = factory.mktemp(name)
        _build_examples(out, formats)
    else:
        shared = factory.getbasetemp().parent
        out = shared / name
        with (shared / f"{name}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            done = shared / f"{name}.done"
            if not done.exists():
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir()
                _build_examples(out, formats, jobs=2)
                done.write_text("built\n", "utf-8")
    briefs = tuple(sorted(p.name for p in out.iterdir()
                          if p.is_dir() and not p.name.startswith(".") and not is_portal(p.name)))
    return Built(out, briefs)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Build every example brief (zh-CN, en and the derived zh-HK), HTML and PDF, once per session
    (once for all the workers of a session under pytest-xdist). Tests only read it."""
    return _examples_built_once(tmp_path_factory, "output", ("html", "pdf"))


@pytest.fixture(scope="session")
def built_html(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Every example brief built once per session as ``built`` is, but HTML only (no PDF): for the
    tests that read the HTML pages only, so they run in the fast tier."""
    return _examples_built_once(tmp_path_factory, "output-html", ("html",))


DIAGNOSTIC = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<msg>.*)$", re.MULTILINE)


def failed(result: Result) -> list[tuple[str, int, str]]:
    """Exit status 1, no traceback; every ``path:line:col: message`` printed."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return [(m["path"], int(m["line"]), m["msg"]) for m in DIAGNOSTIC.finditer(result.stderr)]


def has(found: list[tuple[str, int, str]], path: Path, line: int, *words: str) -> bool:
    """Whether ``found`` holds a diagnostic at ``path:line`` whose message has every one of ``words``."""
    return any(p == str(path) and n == line and all(w in msg for w in words) for p, n, msg in found)


@contextmanager
def lock_held_elsewhere(out: Path) -> Iterator[None]:
    """Another process holds the output folder's lock, as a running build would (as pid 4242)."""
    lock = out / ".briefs" / "lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, time\n"
         f"h = open({str(lock)!r}, 'a+'); fcntl.lockf(h, fcntl.LOCK_EX)\n"
         "h.write('pid 4242'); h.flush(); print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()  # type: ignore[union-attr]
