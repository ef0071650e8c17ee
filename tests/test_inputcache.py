"""The input files' hashes remembered by their stat (output/.briefs/inputs.json): a rebuild reads
only what changed, and never trusts a record that does not match the file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from briefs.pipeline import inputcache
from briefs.pipeline.run import build
from briefs.project.config import load_config

BRIEF = "compute-etf-note"


def _build(project: Path):  # type: ignore[no-untyped-def]
    return build(load_config(project), [project / "content" / BRIEF], formats=("html",), out=project / "out")


def test_an_edit_that_keeps_the_size_and_puts_the_time_back_is_seen(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inputcache, "SETTLED", 0.0)  # remember files however recently written
    first = _build(project)
    assert not first.failed
    record = json.loads((project / "out" / ".briefs" / "inputs.json").read_text("utf-8"))
    target = project / "content" / BRIEF / "etfs.en.md"
    assert str(target) in record["files"]
    assert _build(project).up_to_date
    info = target.stat()
    text = target.read_text("utf-8")
    assert "ETF" in text
    target.write_text(text.replace("ETF", "ETX", 1), "utf-8")  # same size
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))  # and the same modification time
    assert target.stat().st_size == info.st_size and target.stat().st_mtime_ns == info.st_mtime_ns
    again = _build(project)
    assert not again.up_to_date
    page = project / "out" / BRIEF / f"{BRIEF}.en.html"
    assert page in again.written and "ETX" in page.read_text("utf-8")


@pytest.mark.parametrize("damage", ["garbage", "fifo", "wrong-types", "deep", "link"])
def test_a_damaged_record_means_reading_again(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, damage: str
) -> None:
    monkeypatch.setattr(inputcache, "SETTLED", 0.0)
    assert not _build(project).failed
    record = project / "out" / ".briefs" / "inputs.json"
    record.unlink()
    if damage == "garbage":
        record.write_bytes(b"\xff{not json")
    elif damage == "fifo":
        os.mkfifo(record)
    elif damage == "wrong-types":
        entries = {str(project / "content" / BRIEF / "brief.yaml"): [True, "x", None, 1, 2, 3]}
        record.write_text(json.dumps({"format": 1, "files": entries}), "utf-8")
    elif damage == "deep":
        record.write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    else:
        (tmp_path / "elsewhere.json").write_text('{"format": 1, "files": {}}', "utf-8")
        record.symlink_to(tmp_path / "elsewhere.json")
    assert _build(project).up_to_date  # read everything again: the same key
    brief = project / "content" / BRIEF / "etfs.en.md"
    brief.write_text(brief.read_text("utf-8").replace("ETF", "ETX", 1), "utf-8")
    again = _build(project)
    assert not again.up_to_date and not again.failed
    assert "ETX" in (project / "out" / BRIEF / f"{BRIEF}.en.html").read_text("utf-8")
