"""The tests' way of running the command line in a child process (tests/forkcli.py) behaves as a
new interpreter would: each run its own process, environment, folder and streams, nothing kept
from an earlier run, a run over its time stopped with its whole process group."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import edit
from .forkcli import run_briefs

BRIEF = "content/compute-etf-note"


def test_each_run_has_its_own_environment_folder_and_streams(small_project: Path, tmp_path: Path) -> None:
    bad = run_briefs(small_project, "check", BRIEF, env={**os.environ, "SOURCE_DATE_EPOCH": "soon"})
    assert bad.returncode == 1 and "SOURCE_DATE_EPOCH" in bad.stderr and "Traceback" not in bad.stderr
    assert bad.stdout == ""
    good = run_briefs(small_project, "check", BRIEF, env={k: v for k, v in os.environ.items()
                                                           if k != "SOURCE_DATE_EPOCH"})
    assert good.returncode == 0, good.stderr
    assert "checked 1 brief(s)" in good.stdout
    elsewhere = run_briefs(tmp_path, "check")  # no project here: the folder is the run's own
    assert elsewhere.returncode == 1 and "run briefs inside a project" in elsewhere.stderr, elsewhere.stderr


def test_nothing_is_kept_from_one_run_to_the_next(small_project: Path) -> None:
    # A run that read a file must not hand its parsed content to the next (the in-process caches
    # are keyed by content, but a fresh process has none at all): the edit is seen at its line.
    assert run_briefs(small_project, "check", BRIEF).returncode == 0
    line = edit(small_project / BRIEF / "brief.yaml", "\nkind:", "\nkind: [")
    broken = run_briefs(small_project, "check", BRIEF)
    assert broken.returncode == 1
    assert f"{BRIEF}/brief.yaml:{line + 1}:" in broken.stderr, broken.stderr


def test_a_run_over_its_time_is_stopped_with_its_process_group(small_project: Path) -> None:
    with pytest.raises(subprocess.TimeoutExpired):
        run_briefs(small_project, "watch", BRIEF, "--format", "html", timeout=3)
    # the server is still there for the next run
    assert run_briefs(small_project, "check", BRIEF).returncode == 0


def test_two_answers_that_arrive_together_are_both_read() -> None:
    # A run that ends at once (a usage error) has the server write its pid and its status lines
    # together; reading them must not leave the second in a buffer that select() cannot see (the
    # run then looked hung until its timeout: two full-suite failures, 2026-12-07).
    from .forkcli import _Server

    server = object.__new__(_Server)
    server.process = subprocess.Popen(["sh", "-c", 'printf \'{"pid": 7}\\n{"status": 2}\\n\'; exec sleep 30'],
                                      stdout=subprocess.PIPE)
    server.pending = b""
    try:
        time.sleep(0.5)  # both lines are in the pipe (still open, as the server's is) before one is read
        assert server.reply(10) == {"pid": 7}
        assert server.reply(2) == {"status": 2}
        with pytest.raises(TimeoutError):
            server.reply(0.2)
    finally:
        server.process.kill()
        server.process.wait()
        assert server.process.stdout is not None
        server.process.stdout.close()
