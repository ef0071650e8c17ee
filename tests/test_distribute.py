"""Per-recipient editions: stamped on every page, same pages as the base, logged for compliance."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from .conftest import edit, line_of, lock_held_elsewhere
from .forkcli import run_briefs

pytestmark = pytest.mark.pdf

RECIPIENTS = """recipients:
  - id: client-a
    name: 李明
    organisation: 甲乙资产管理公司
    lang: zh-CN
  - id: client-b
    name: Jane Doe
    organisation: Alpha Capital
    lang: en
"""


def page_texts(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [p for p in out.split("\f") if p.strip()]


def test_each_recipient_gets_a_stamped_copy_and_a_log_line(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    listing = project / "clients.yaml"
    listing.write_text(RECIPIENTS, "utf-8")
    result = run_cli(project, "distribute", "content/compute-etf-note", "--recipients", str(listing),
                     "--jobs", "2")
    assert result.exit_code == 0, result.output
    out = project / "output"
    log = [json.loads(line) for line in (out / "distribution.jsonl").read_text("utf-8").splitlines()]
    assert [(e["recipient"], e["lang"]) for e in log] == [("client-a", "zh-CN"), ("client-b", "en")]
    for entry, name in zip(log, ("李明", "Jane Doe"), strict=True):
        stamped = out / entry["file"]
        base = out / "compute-etf-note" / f"compute-etf-note.{entry['lang']}.pdf"
        assert entry["sha256"] == hashlib.sha256(stamped.read_bytes()).hexdigest()
        assert entry["version"] == hashlib.sha256(base.read_bytes()).hexdigest()
        # The stamp's font is cut down to the glyphs of one line: it adds little to the brief.
        assert stamped.stat().st_size < 1.1 * base.stat().st_size, (stamped.stat().st_size, base.stat().st_size)
        stamped_pages, base_pages = page_texts(stamped), page_texts(base)
        assert len(stamped_pages) == len(base_pages)
        for page, original in zip(stamped_pages, base_pages, strict=True):
            assert name in page and name not in original
            assert original.split()[:5] == page.split()[:5]  # the brief itself is untouched
    # A second distribution appends: the log is a record, never rewritten.
    run_cli(project, "distribute", "content/compute-etf-note", "--recipients", str(listing),
            "--only", "client-b")
    assert len((out / "distribution.jsonl").read_text("utf-8").splitlines()) == 3


def test_bad_distribution_lists_are_located(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    listing = project / "clients.yaml"
    listing.write_text(RECIPIENTS, "utf-8")
    line = edit(listing, "lang: en", "lang: fr")
    result = run_cli(project, "distribute", "--recipients", str(listing))
    assert result.exit_code == 1
    assert f"clients.yaml:{line}:" in result.stderr and "'fr'" in result.stderr
    edit(listing, "lang: fr", "lang: en\n    email: x@example.com")
    result = run_cli(project, "distribute", "--recipients", str(listing))
    assert result.exit_code == 1
    assert f"clients.yaml:{line_of(listing, 'email')}:" in result.stderr
    result = run_cli(project, "distribute", "--only", "nobody")
    assert result.exit_code == 1 and "no recipient 'nobody'" in result.stderr
    assert not (project / "output" / "distribution.jsonl").exists()


@pytest.mark.parametrize("field, value, words", [
    ("name", "Jane\u202e Doe", ("U+202E", "RIGHT-TO-LEFT OVERRIDE")),  # refused as it is read
    ("organisation", "Alpha\\nCapital", ("organisation contains the invisible character U+000A",)),
    ("name", " Jane Doe", ("name starts or ends with a space",)),
    ("organisation", " ".join(["Alpha Capital"] * 6), ("organisation", "too long for the one-line stamp")),
    ("name", "李" * 16, ("name is too long for the one-line stamp: 32 columns, at most 30",)),
])
def test_stamp_text_that_would_mislead_or_overflow_is_refused(project: Path, run_cli, field: str,  # type: ignore[no-untyped-def]
                                                              value: str, words: tuple[str, ...]) -> None:
    """A recipient's name and organisation are printed in the compliance stamp: no control or
    bidi characters (an override would print "Not for onward distribution." backwards), no
    stray spaces, and short enough for the stamp's one line."""
    listing = project / "clients.yaml"
    old = {"name": "name: Jane Doe", "organisation": "organisation: Alpha Capital"}[field]
    listing.write_text(RECIPIENTS.replace(old, f'{field}: "{value}"'), "utf-8")
    result = run_cli(project, "distribute", "content/compute-etf-note", "--recipients", str(listing))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    located = [m for m in result.stderr.splitlines() if m.startswith("clients.yaml:")]
    assert located and all(w in located[0] for w in words), result.stderr
    line = line_of(listing, field + ': "')
    assert located[0].startswith(f"clients.yaml:{line}:"), located
    assert not (project / "output" / "distribution.jsonl").exists()


def test_distributing_on_workers_gives_the_same_files_and_log(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    # With --jobs 2 the recipients are shared out among workers; files, hashes and the log's
    # order are exactly those of one process.
    listing = project / "clients.yaml"
    listing.write_text(RECIPIENTS, "utf-8")
    briefs = ["content/compute-etf-note", "content/wechat-r1-inference"]
    logs = {}
    for jobs in ("1", "2"):
        out = project / f"out{jobs}"
        result = run_cli(project, "distribute", *briefs, "--recipients", str(listing), "--out", str(out),
                         "--jobs", jobs)
        assert result.exit_code == 0, result.output
        logs[jobs] = [{k: v for k, v in json.loads(line).items() if k != "time"}
                      for line in (out / "distribution.jsonl").read_text("utf-8").splitlines()]
    assert len(logs["1"]) == 4 and logs["1"] == logs["2"]
    assert [(e["brief"], e["recipient"]) for e in logs["1"]] == [  # in the order they were made
        ("compute-etf-note", "client-a"), ("wechat-r1-inference", "client-a"),
        ("compute-etf-note", "client-b"), ("wechat-r1-inference", "client-b")]
    for entry in logs["1"]:
        one, two = (project / f"out{jobs}" / entry["file"] for jobs in ("1", "2"))
        assert one.read_bytes() == two.read_bytes()
        assert hashlib.sha256(two.read_bytes()).hexdigest() == entry["sha256"]


def test_a_stamping_worker_that_dies_is_an_error_not_a_traceback(project: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing
    import os

    from briefs.distribute import stamp as dist
    from briefs.distribute.recipients import load_recipients
    from briefs.errors import RenderError
    from briefs.pipeline import workers
    from briefs.pipeline.run import build
    from briefs.project.config import load_config

    config = load_config(project)
    brief = [project / "content" / "compute-etf-note"]
    out = project / "output"
    assert not build(config, brief, ("zh-CN", "en"), ("pdf",), out, jobs=1).failed
    real = dist.stamp_pdf

    def dying(config, edition, recipient):  # type: ignore[no-untyped-def]
        if recipient.id == "client-b":
            os._exit(70)  # the worker process dies outright
        return real(config, edition, recipient)

    # The fault is injected by patching this process, so the workers are plain forks of it.
    monkeypatch.setattr(workers, "_context", lambda: multiprocessing.get_context("fork"))
    monkeypatch.setattr(dist, "stamp_pdf", dying)
    listing = project / "clients.yaml"
    listing.write_text(RECIPIENTS, "utf-8")
    with pytest.raises(RenderError) as died:
        dist.distribute(config, brief, out, load_recipients(config, listing), jobs=2)
    assert "a stamping worker died" in str(died.value)
    # The run stopped, but every copy that exists has its line, and client-b's copy does not exist.
    copies = sorted((out / "compute-etf-note" / "distribution").glob("*.pdf"))
    assert (out / "compute-etf-note" / "distribution" / "compute-etf-note.en.client-b.pdf") not in copies
    log = (out / dist.LOG_NAME).read_text("utf-8").splitlines() if copies else []
    logged = {(json.loads(line)["file"], json.loads(line)["sha256"]) for line in log}
    assert {(c.relative_to(out).as_posix(), hashlib.sha256(c.read_bytes()).hexdigest())
            for c in copies} == logged


def test_distribution_holds_the_output_folder_as_a_build_does(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """Stamping and logging hold the output folder, as a build does: while another process holds
    it (a build replacing base PDFs), nothing is stamped and nothing is logged."""
    listing = project / "clients.yaml"
    listing.write_text(RECIPIENTS, "utf-8")
    brief = "content/compute-etf-note"
    assert run_cli(project, "build", brief, "--format", "pdf", "--lang", "zh-CN,en").exit_code == 0
    with lock_held_elsewhere(project / "output"):
        result = run_cli(project, "distribute", brief, "--recipients", str(listing))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "another build (pid 4242) is writing to this output folder" in result.stderr
    assert not (project / "output" / "distribution.jsonl").exists()
    assert not (project / "output" / "compute-etf-note" / "distribution").exists()
    assert run_cli(project, "distribute", brief, "--recipients", str(listing)).exit_code == 0


def test_trace_names_the_recipient_of_a_copy_from_the_log(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    listing = project / "clients.yaml"
    listing.write_text(RECIPIENTS, "utf-8")
    assert run_cli(project, "trace", "output/x.pdf").exit_code == 1  # no log yet
    assert run_cli(project, "distribute", "content/compute-etf-note", "--recipients",
                   str(listing)).exit_code == 0
    out = project / "output"
    log = [json.loads(line) for line in (out / "distribution.jsonl").read_text("utf-8").splitlines()]
    copies = [out / entry["file"] for entry in log]
    result = run_cli(project, "trace", *map(str, copies))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == len(log) == 2
    for line, entry in zip(lines, log, strict=True):
        assert f"for {entry['name']}, {entry['organisation']} [{entry['recipient']}]" in line
        assert entry["time"] in line and entry["brief"] in line
    # The base PDF was never sent, and a copy changed after sending is not the copy that was sent.
    altered = project / "altered.pdf"
    altered.write_bytes(copies[0].read_bytes() + b"\n")
    base = out / "compute-etf-note" / "compute-etf-note.en.pdf"
    result = run_cli(project, "trace", str(base), str(altered))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.count("not in output/distribution.jsonl") == 2
    # A damaged log is reported at its line, not guessed around.
    with (out / "distribution.jsonl").open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    result = run_cli(project, "trace", str(copies[0]))
    assert result.exit_code == 1
    assert "output/distribution.jsonl:3:1: not a log entry" in result.stderr


def test_the_example_list_of_three_editions_is_distributed(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """Every edition of the example list (zh-CN, en, zh-HK): the base PDFs' recorded keys are
    checked against documents planned with the editions in the project's order, as the build
    made them (planned in sorted order, the zh-HK page linked its editions the other way round
    and was refused as 'not built from the current inputs')."""
    result = run_cli(project, "distribute", "content/compute-etf-note")
    assert result.exit_code == 0, result.output
    log = [json.loads(line) for line in (project / "output" / "distribution.jsonl").read_text("utf-8").splitlines()]
    assert sorted(e["lang"] for e in log) == ["en", "zh-CN", "zh-HK"]


def test_base_pdfs_built_with_more_editions_are_distributed_from_python(project: Path) -> None:
    """Built with three editions, sent to a zh-CN recipient only: a page links the editions built
    with it, so the check plans it with the editions its build recorded in the manifest (with the
    recipients' editions it was refused as 'not built from the current inputs')."""

    from briefs.distribute.recipients import Recipient
    from briefs.distribute.stamp import distribute
    from briefs.project.config import load_config

    brief = project / "content" / "compute-etf-note"
    out = project / "out"
    built = run_briefs(project, "build", str(brief), "--lang", "zh-CN,en,zh-HK", "--out", str(out), timeout=300)
    assert built.returncode == 0, built.stderr
    base = out / "compute-etf-note" / "compute-etf-note.zh-CN.pdf"
    before = base.read_bytes()
    who = Recipient(id="client-a", name="李明", organisation="示例资产管理公司", lang="zh-CN")
    result = distribute(load_config(project), [brief], out, [who])
    assert [p.name for p in result.written] == ["compute-etf-note.zh-CN.client-a.pdf"]
    assert base.read_bytes() == before  # the base PDF was checked, not built again
