"""``briefs watch``: a real process on a copy of the project, edited as an analyst would."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .conftest import edit, line_of, make_draft


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about watch, not about the
    examples."""
    return small_project


pytestmark = pytest.mark.pdf
BRIEF = Path("content") / "compute-etf-note"


class Watch:
    """``briefs watch`` running in ``project``, its output read line by line."""

    def __init__(self, project: Path, *args: str) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "briefs", "watch", *args], cwd=project, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "CI": "1"},
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as a terminal's Ctrl-C
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def until(self, text: str, timeout: float = 90) -> list[str]:
        """The lines printed up to and including the first one containing ``text``."""
        deadline = time.monotonic() + timeout
        batch: list[str] = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.reader.is_alive(), f"watch ended without it: {self.seen}"
                continue
            batch.append(line)
            self.seen.append(line)
            if text in line:
                return batch
        raise AssertionError(f"no {text!r} within {timeout} s; saw {self.seen}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=60)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def watching(project: Path):  # type: ignore[no-untyped-def]
    make_draft(project / BRIEF)  # an edit then changes its edition only (approved, both would turn draft)
    watch = Watch(project, str(BRIEF))
    yield watch
    watch.stop()


def test_watch_rebuilds_what_was_saved_reports_errors_and_goes_on(project: Path, watching: Watch) -> None:
    first = watching.until("watching for changes")
    assert any("built 1 brief(s): 4 file(s) written" in line for line in first), first

    md = project / BRIEF / "etfs.zh-CN.md"
    edit(md, "R4", "R4 ")
    rebuilt = watching.until("watching for changes")
    assert any(line == f"changed: {md.relative_to(project)}" for line in rebuilt), rebuilt
    wrote = sorted(line.rsplit("/", 1)[1] for line in rebuilt if " wrote " in line)
    assert wrote == ["compute-etf-note.zh-CN.html", "compute-etf-note.zh-CN.pdf"]

    yaml = project / BRIEF / "brief.yaml"
    good = yaml.read_text("utf-8")
    line = line_of(yaml, "kind:")
    edit(yaml, "kind: fund-marketing", "kind: fund-marketting")  # a typo: an unknown kind
    broken = watching.until("watching for changes")
    assert any(entry.startswith(f"{yaml.relative_to(project)}:{line}:") and "fund-marketting" in entry
               for entry in broken), broken
    assert not any("Traceback" in entry for entry in broken)

    yaml.write_text(good, "utf-8")  # fixed: the outputs on disk are already right
    fixed = watching.until("watching for changes")
    assert any("up to date" in entry for entry in fixed), fixed

    assert watching.stop() == 0
    assert "stopped watching" in watching.until("stopped watching", timeout=10)[-1]
    assert watching.process.stdout is not None
    watching.process.stdout.close()
    assert not list((project / "output").rglob("*.tmp"))


def test_watch_in_an_empty_folder_reports_and_waits(tmp_path: Path) -> None:
    # No project yet: the build's errors are shown, located, and the watch waits for files.
    watch = Watch(tmp_path)
    try:  # a failed assertion must not leave the watch running for ever
        shown = watch.until("watching for changes")
        assert any(line.startswith("content: no content folder") for line in shown), shown
    finally:
        status = watch.stop()
    assert status == 0
    watch.reader.join(timeout=10)
    assert not any("Traceback" in line for line in watch.seen), watch.seen
    assert watch.process.stdout is not None
    watch.process.stdout.close()


def _quiet(watch: Watch, seconds: float = 3.0, limit: float = 60) -> None:
    """Read what the watch prints until it has printed nothing for ``seconds``."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            watch.seen.append(watch.lines.get(timeout=seconds))
        except queue.Empty:
            return
    raise AssertionError(f"the watch never went quiet; saw {watch.seen}")


def _ended(watch: Watch) -> None:
    """Ctrl-C; the watch ends with status 0 and its output is read to the end."""
    status = watch.stop()
    watch.reader.join(timeout=10)
    assert watch.process.stdout is not None
    watch.process.stdout.close()
    assert status == 0


def _saved_and_rebuilt(project: Path, watch: Watch) -> None:
    """A save after the folders were replaced is seen, and the page is built again from it."""
    template = project / "templates" / "brief.html"
    edit(template, '<meta name="viewport"', '<meta name="robots" content="noindex">\n<meta name="viewport"')
    seen = watch.until("changed: templates/brief.html", timeout=30)
    assert not any("Traceback" in line for line in seen), seen
    wrote = watch.until(" wrote ", timeout=60)[-1]
    assert wrote.endswith("compute-etf-note.zh-CN.html"), wrote
    page = project / "output" / "compute-etf-note" / "compute-etf-note.zh-CN.html"
    assert '<meta name="robots" content="noindex">' in page.read_text("utf-8")

    md = project / BRIEF / "etfs.zh-CN.md"
    edit(md, "R4", "R4 ")
    watch.until(f"changed: {md.relative_to(project)}", timeout=30)
    assert watch.until(" wrote ", timeout=60)[-1].endswith("compute-etf-note.zh-CN.html")


def test_watch_goes_on_after_content_is_deleted_and_made_again(project: Path, tmp_path: Path) -> None:
    """Issue 14: content/ deleted and copied back; a save after that was never seen again (the
    native watch belonged to the deleted folder)."""
    watch = Watch(project, str(BRIEF), "--format", "html", "--lang", "zh-CN")
    try:
        watch.until("watching for changes")
        shutil.copytree(project / "content", tmp_path / "backup")
        shutil.rmtree(project / "content")
        watch.until("no content folder", timeout=30)  # reported, and the watch goes on
        _quiet(watch)
        shutil.copytree(tmp_path / "backup", project / "content")
        watch.until("up to date", timeout=30)  # the restored folder is built at once
        _quiet(watch)
        _saved_and_rebuilt(project, watch)
    finally:
        _ended(watch)
    assert not any("Traceback" in line for line in watch.seen), watch.seen


def test_watch_goes_on_after_templates_are_replaced_by_a_renamed_copy(project: Path) -> None:
    """A variant: templates/ replaced by another folder renamed into its place (a checkout or an
    editor's safe save of a whole folder does this)."""
    watch = Watch(project, str(BRIEF), "--format", "html", "--lang", "zh-CN")
    try:
        watch.until("watching for changes")
        shutil.copytree(project / "templates", project / "t2")
        shutil.rmtree(project / "templates")
        (project / "t2").rename(project / "templates")
        _quiet(watch)
        _saved_and_rebuilt(project, watch)
    finally:
        _ended(watch)
    assert not any("Traceback" in line for line in watch.seen), watch.seen
