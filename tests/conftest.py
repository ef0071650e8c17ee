"""Shared fixtures: a throw-away copy of the example project, a CLI runner, one real build."""

from __future__ import annotations

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
from briefs.config import load_config
from briefs.pipeline import build
from briefs.theme import PACKAGE_THEME

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("zh-CN", "en")
EXAMPLES = tuple(sorted(p.parent.name for p in (ROOT / "content").glob("[!_]*/brief.yaml")))  # the example briefs


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--refresh-visual", action="store_true",
                     help="rewrite the reference images in tests/visual/ from this build (tests/test_visual.py)")


def copy_project(dest: Path, theme: bool = True) -> Path:
    """Copy the example project (content, its template overrides, pyproject) to ``dest``.

    With ``theme``, the project's templates/ also holds a copy of every file of the shipped theme
    (as a house that copied the theme to edit it: the same output byte for byte), so a test can
    break a template or a catalog of the project; without, templates/ holds only the example's
    own overrides (none: then there is no templates/ folder, as in the example project).
    """
    shutil.copytree(ROOT / "content", dest / "content")
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


def edit(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replace ``old`` by ``new`` in a file; returns the 1-based line of the first change."""
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count), "utf-8")
    return line


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


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Build every example brief (zh-CN, en and the derived zh-HK), HTML and PDF, once per session."""
    out = tmp_path_factory.mktemp("output")
    config = load_config(ROOT)
    result = build(config, langs=(*LANGS, "zh-HK"), out=out)
    assert not result.diagnostics, "the examples build without a warning:\n" + "\n".join(map(str, result.diagnostics))
    briefs = tuple(sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")))
    return Built(out, briefs)


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
