"""Planning in the tasks (issue 20): the main process loads, validates and decides what to
rebuild; each document is localized, rendered to HTML and laid out where its task runs."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest

import briefs
from briefs.pipeline.incremental import Manifest
from briefs.pipeline.run import build
from briefs.project.config import load_config

from .conftest import copy_project

THEME = Path(briefs.__file__).parent / "themes" / "default"
BRIEF = "deepseek-cost-performance"
MADE = re.compile(r"^(\S+) made in process (\d+)$")


def _hong_kong_breaks(tmp_path: Path) -> Path:
    """A project whose disclosures partial prints the disclaimers' titles only: the zh-HK edition
    fails its jurisdiction's pack when its HTML is rendered; zh-CN passes (tests/test_jurisdictions)."""
    project = copy_project(tmp_path / "project", theme=False)
    target = project / "templates" / "partials" / "disclosures.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    text = (THEME / "partials" / "disclosures.html").read_text("utf-8")
    assert "    {{ d.html }}\n" in text
    target.write_text(text.replace("    {{ d.html }}\n", ""), "utf-8")
    return project


def _made_in(caplog: pytest.LogCaptureFixture) -> dict[str, int]:
    found = {}
    for record in caplog.records:
        match = MADE.match(record.getMessage()) if record.name == "briefs.pipeline.run" else None
        if match:
            found[match.group(1)] = int(match.group(2))
    return found


@pytest.mark.pdf
def test_a_document_fails_in_its_worker_alone_with_a_located_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    project = _hong_kong_breaks(tmp_path)
    caplog.set_level(logging.DEBUG, logger="briefs.pipeline.run")
    out = tmp_path / "out"
    chosen = [project / "content" / BRIEF]
    result = build(load_config(project), chosen, ["zh-CN", "zh-HK"], out=out, jobs=1)
    # Both documents were planned in the worker, not here.
    made = _made_in(caplog)
    assert set(made) == {f"{BRIEF}.zh-CN", f"{BRIEF}.zh-HK"}
    assert os.getpid() not in made.values()
    # The zh-HK edition's rule failed inside the worker: located at its brief, reported here.
    brief_yaml = project / "content" / BRIEF / "brief.yaml"
    assert result.failed and all(d.location.path == brief_yaml for d in result.failed)
    assert any(d.message.startswith("zh-HK output lacks the SFC-licensed entity statement") for d in result.failed)
    # The other edition is written whole; nothing of the failed one.
    assert sorted(p.name for p in result.written) == [f"{BRIEF}.zh-CN.html", f"{BRIEF}.zh-CN.pdf"]
    assert (out / BRIEF / f"{BRIEF}.zh-CN.pdf").read_bytes().startswith(b"%PDF-")
    assert not list((out / BRIEF).glob("*.zh-HK.*"))
    assert BRIEF not in Manifest.load(out).briefs  # not on record as built: planned again next time
    stamp = (out / BRIEF / f"{BRIEF}.zh-CN.pdf").stat().st_mtime_ns
    again = build(load_config(project), chosen, ["zh-CN", "zh-HK"], out=out, jobs=1)
    assert sorted(again.planned) == [f"{BRIEF}.zh-CN", f"{BRIEF}.zh-HK"]
    assert not again.written  # the zh-CN files are current: their keys came back unchanged
    assert (out / BRIEF / f"{BRIEF}.zh-CN.pdf").stat().st_mtime_ns == stamp
    assert [str(d) for d in again.failed] == [str(d) for d in result.failed]


@pytest.mark.pdf
def test_an_edit_that_changes_no_output_lays_out_nothing(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    out = tmp_path / "out"
    chosen = [project / "content" / BRIEF]
    first = build(load_config(project), chosen, out=out, jobs=1)
    assert not first.failed and len(first.written) >= 4
    stamps = {p: p.stat().st_mtime_ns for p in first.written}
    (project / "content" / BRIEF / "brief.yaml~").write_text("an editor's backup: read by no build\n", "utf-8")
    second = build(load_config(project), chosen, out=out, jobs=1)
    assert sorted(second.planned) == [f"{BRIEF}.en", f"{BRIEF}.zh-CN"]  # its input key changed
    assert not second.written and not second.failed
    assert {p: p.stat().st_mtime_ns for p in first.written} == stamps
    third = build(load_config(project), chosen, out=out, jobs=1)  # and it is now on record as built
    assert third.up_to_date


def test_without_pdfs_documents_are_made_in_this_process(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    project = _hong_kong_breaks(tmp_path)
    caplog.set_level(logging.DEBUG, logger="briefs.pipeline.run")
    out = tmp_path / "out"
    result = build(load_config(project), [project / "content" / BRIEF], ["zh-CN", "zh-HK"], ["html"], out)
    assert set(_made_in(caplog).values()) == {os.getpid()}
    assert [p.name for p in result.written] == [f"{BRIEF}.zh-CN.html"]
    assert any(d.message.startswith("zh-HK output lacks") for d in result.failed)
    assert "<html" in (out / BRIEF / f"{BRIEF}.zh-CN.html").read_text("utf-8")
