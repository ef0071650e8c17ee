"""The distribution log is a record, and briefs touches nothing in the output folder it did not make.

Issue 14, items 3 and 5 (and ``trace`` on a FIFO from item 7): a copy never exists without its
log line, whatever stops ``distribute`` (SIGTERM, SIGINT, SIGKILL, a full disk, a file-size
limit); a torn line is repaired or reported at its number; copies for recipients of the same name
differ; ``trace`` refuses a forged or conflicting log and special files; the temporaries sweep,
the lock and the log never remove, follow or write through anything briefs did not make.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefs.distribute.dispatch import BATCH

from .conftest import copy_project
from .forkcli import run_briefs


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about distribution, not about the
    examples."""
    return small_project


pytestmark = pytest.mark.pdf
BRIEF = "content/compute-etf-note"
COPIES = Path("compute-etf-note") / "distribution"


def recipients(count: int, prefix: str = "client", name: str | None = None) -> str:
    """A distribution list of ``count`` English recipients (all called ``name`` if given)."""
    rows = [f"  - id: {prefix}-{i:03d}\n    name: {name or f'Client {i:03d}'}\n"
            f"    organisation: Alpha Capital\n    lang: en\n" for i in range(count)]
    return "recipients:\n" + "".join(rows)


def briefs(project: Path, *args: str, timeout: float = 600,
           limit: int | None = None) -> subprocess.CompletedProcess[str]:
    """The real CLI in a process of its own (optionally under a file-size limit)."""
    return run_briefs(project, *args, env={**os.environ, "CI": "1"}, timeout=timeout, file_size=limit)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copies(out: Path) -> list[Path]:
    """The copies under their final names (temporaries excluded)."""
    return sorted(p for p in out.glob("*/distribution/*.pdf") if not p.name.startswith("."))


def log_lines(out: Path) -> list[dict[str, str]]:
    data = (out / "distribution.jsonl").read_bytes()
    assert not data or data.endswith(b"\n"), "no torn last line"
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def assert_every_copy_logged_once(out: Path) -> list[Path]:
    """Every copy that exists has exactly one line, with its name and its SHA-256."""
    lines = log_lines(out)
    found = copies(out)
    for copy in found:
        digest = sha(copy)
        matching = [e for e in lines if e["sha256"] == digest]
        assert len(matching) == 1, (copy, matching)
        assert matching[0]["file"] == copy.relative_to(out).as_posix()
    return found


def assert_traced(project: Path, out: Path, found: list[Path]) -> None:
    """``briefs trace`` names each copy's own recipient (the id in its file name), once."""
    result = briefs(project, "trace", *map(str, found), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    answers = result.stdout.splitlines()
    assert len(answers) == len(found)
    for copy, answer in zip(found, answers, strict=True):
        recipient = copy.name.split(".")[-2]
        assert answer.startswith(f"{copy}: ") and f"[{recipient}]" in answer, answer


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of the base PDF (BRIEF in English), built once for this module's tests by
    the real CLI in a copy of the example project made as ``project`` makes it; see build_base."""
    project = copy_project(tmp_path_factory.mktemp("base") / "project")
    result = briefs(project, "build", BRIEF, "--format", "pdf", "--lang", "en", "--out", "output")
    assert result.returncode == 0, result.stdout + result.stderr
    return project / "output"


def build_base(project: Path, base: Path, out: str = "output") -> None:
    """The base PDF in ``project``'s output folder ``out``, as its own build would leave it: a copy
    (file times kept) of the module's one build (``base``). Building it for every test took
    seconds each; the copy is checked against the project's inputs by ``distribute`` as a
    build's would be, and a build there finds it up to date."""
    shutil.copytree(base, project / out, symlinks=True, dirs_exist_ok=True)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # as a terminal's Ctrl-C meets it (see test_safety)


# ----------------------------------------------------------------------------- stopped runs


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT], ids=lambda s: s.name)
def test_a_run_stopped_after_some_copies_leaves_a_line_for_every_copy(project: Path, base: Path,
                                                                      sig: signal.Signals) -> None:
    """Issue 14: SIGTERM after 20 of 150 copies left 20 sendable PDFs and no log line."""
    build_base(project, base)
    listing = project / "clients.yaml"
    listing.write_text(recipients(60), "utf-8")
    out = project / "output"
    process = subprocess.Popen([sys.executable, "-m", "briefs", "distribute", BRIEF, "--recipients",
                                str(listing), "--jobs", "1"], cwd=project, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env={**os.environ, "CI": "1"},
                               preexec_fn=_default_sigint)
    deadline = time.monotonic() + 300
    while len(copies(out)) < 4:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    process.send_signal(sig)
    process.wait(timeout=120)
    assert process.returncode != 0
    found = assert_every_copy_logged_once(out)
    assert 4 <= len(found) < 60, "stopped mid-run"
    # at most one batch's lines whose renames were cut off (lines go in a batch at a time)
    assert 0 <= len(log_lines(out)) - len(found) <= BATCH
    assert_traced(project, out, found)
    # The next run makes every copy; nothing a stopped run left is still there.
    again = briefs(project, "distribute", BRIEF, "--recipients", str(listing), "--jobs", "2")
    assert again.returncode == 0, again.stdout + again.stderr
    found = copies(out)
    assert len(found) == 60
    assert_traced(project, out, found)
    assert not list(out.rglob("*.tmp"))


def _mount_small_disk(folder: Path, size: str) -> bool:
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, check=False)
    return mounted.returncode == 0


def test_a_full_disk_mid_run_leaves_a_log_that_trace_reads(project: Path, base: Path) -> None:
    """Issue 14: with the disk full, 150 copies, 49 whole lines and a torn 50th, after which
    every trace failed on line 50. Here on a real (small tmpfs) disk that fills mid-run."""
    disk = project / "disk"
    if not _mount_small_disk(disk, "3m"):
        pytest.skip("cannot mount a small tmpfs here (not root); the file-size-limit test covers the rest")
    try:
        build_base(project, base, str(disk))
        base = disk / "compute-etf-note" / "compute-etf-note.en.pdf"
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        filler = disk / "filler"
        filler.write_bytes(b"\0" * (free - int(5.5 * (base.stat().st_size + 8192))))
        listing = project / "clients.yaml"
        listing.write_text(recipients(20), "utf-8")
        full = briefs(project, "distribute", BRIEF, "--recipients", str(listing), "--out", str(disk),
                      "--jobs", "1")
        assert full.returncode == 1 and "Traceback" not in full.stderr, full.stderr
        assert ": cannot write here: No space left on device" in full.stderr
        found = assert_every_copy_logged_once(disk)
        assert 1 <= len(found) < 20
        assert len(log_lines(disk)) == len(found)  # a failed write takes its line back
        assert_traced(project, disk, found)
        filler.unlink()
        again = briefs(project, "distribute", BRIEF, "--recipients", str(listing), "--out", str(disk))
        assert again.returncode == 0, again.stderr
        assert len(copies(disk)) == 20
        assert_traced(project, disk, copies(disk))
        assert not list(disk.rglob("*.tmp"))
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def _old_lines(count: int) -> bytes:
    """Well-formed lines of an earlier distribution whose copies are gone (harmless)."""
    lines = []
    for i in range(count):
        recipient = f"former-{i:04d}"
        lines.append(json.dumps({
            "brief": "compute-etf-note", "lang": "en", "recipient": recipient, "name": f"Former {i}",
            "organisation": "Beta Fund", "time": "2026-01-02T03:04:05+00:00",
            "file": f"compute-etf-note/distribution/compute-etf-note.en.{recipient}.pdf",
            "sha256": hashlib.sha256(recipient.encode()).hexdigest(),
            "version": hashlib.sha256(b"old").hexdigest()}, sort_keys=True))
    return ("\n".join(lines) + "\n").encode()


def test_a_log_line_cut_short_by_a_file_size_limit_is_taken_back(project: Path, base: Path) -> None:
    """A write that fails half-way through a line (here EFBIG under RLIMIT_FSIZE: the kernel
    writes up to the limit, then refuses) leaves no torn line: the log is cut back, the copy is
    not released, and the error is located."""
    build_base(project, base)
    out = project / "output"
    listing = project / "clients.yaml"
    listing.write_text(recipients(3), "utf-8")
    first = briefs(project, "distribute", BRIEF, "--recipients", str(listing), "--only", "client-000")
    assert first.returncode == 0, first.stderr
    log = out / "distribution.jsonl"
    with log.open("ab") as handle:  # longer than a copy, so only the log meets the limit
        handle.write(_old_lines(1 + 2 * (out / COPIES / "compute-etf-note.en.client-000.pdf").stat().st_size // 300))
    before = log.read_bytes()
    limited = briefs(project, "distribute", BRIEF, "--recipients", str(listing), limit=len(before) + 100)
    assert limited.returncode == 1 and "Traceback" not in limited.stderr, limited.stderr
    assert "output/distribution.jsonl: cannot write here: File too large" in limited.stderr
    assert log.read_bytes() == before
    assert [p.name for p in copies(out)] == ["compute-etf-note.en.client-000.pdf"]
    assert_traced(project, out, copies(out))
    again = briefs(project, "distribute", BRIEF, "--recipients", str(listing))
    assert again.returncode == 0, again.stderr
    assert_traced(project, out, copies(out))


@pytest.mark.parametrize("tail", [
    b'{"brief": "compute-etf-note", "file": "compute-etf-note/distribution/compute-etf-no',  # the issue
    b'{"brief": "compute',
    b"  ",
])
def test_a_torn_last_line_is_reported_by_trace_and_removed_by_the_next_run(
        project: Path, base: Path, tail: bytes) -> None:
    build_base(project, base)
    out = project / "output"
    listing = project / "clients.yaml"
    listing.write_text(recipients(2), "utf-8")
    assert briefs(project, "distribute", BRIEF, "--recipients", str(listing)).returncode == 0
    log = out / "distribution.jsonl"
    whole = log.read_bytes()
    log.write_bytes(whole + tail)
    found = copies(out)
    traced = briefs(project, "trace", *map(str, found))
    assert traced.returncode == 0, traced.stderr
    assert ("output/distribution.jsonl:3:1: warning: ignored a torn line left by an interrupted run"
            in traced.stderr)
    again = briefs(project, "distribute", BRIEF, "--recipients", str(listing))
    assert again.returncode == 0, again.stderr
    assert ("output/distribution.jsonl:3:1: warning: removed a torn line left by an interrupted run"
            in again.stderr)
    assert log.read_bytes().startswith(whole) and len(log_lines(out)) == 4
    traced = briefs(project, "trace", *map(str, found))
    assert traced.returncode == 0 and not traced.stderr, traced.stderr


def test_a_last_line_missing_only_its_newline_is_kept(project: Path, base: Path) -> None:
    build_base(project, base)
    out = project / "output"
    listing = project / "clients.yaml"
    listing.write_text(recipients(1), "utf-8")
    assert briefs(project, "distribute", BRIEF, "--recipients", str(listing)).returncode == 0
    log = out / "distribution.jsonl"
    log.write_bytes(log.read_bytes().rstrip(b"\n"))  # as an editor may save it
    assert_traced(project, out, copies(out))
    again = briefs(project, "distribute", BRIEF, "--recipients", str(listing))
    assert again.returncode == 0, again.stderr
    assert "distribution.jsonl:1:1: warning: added the missing newline" in again.stderr
    assert len(log_lines(out)) == 2 and len(copies(out)) == 1  # the copy made again, logged again


def test_a_copy_without_a_line_does_not_survive_the_next_run(project: Path, base: Path) -> None:
    """What an earlier version left (copies stamped before the log was written), or a copy put
    under a copy's name by hand: no line names it, so nobody could trace it; it is removed."""
    build_base(project, base)
    out = project / "output"
    listing = project / "clients.yaml"
    listing.write_text(recipients(1), "utf-8")
    assert briefs(project, "distribute", BRIEF, "--recipients", str(listing)).returncode == 0
    logged = copies(out)[0]
    unlogged = out / COPIES / "compute-etf-note.en.ghost-7.pdf"
    unlogged.write_bytes(logged.read_bytes() + b"%altered\n")
    swapped = out / COPIES / "compute-etf-note.zh-CN.client-000.pdf"  # logged bytes, another name
    swapped.write_bytes(logged.read_bytes())
    notes = out / COPIES / "notes.txt"  # not a copy's name: never touched
    notes.write_text("mine", "utf-8")
    again = briefs(project, "distribute", BRIEF, "--recipients", str(listing))
    assert again.returncode == 0, again.stderr
    for gone in (unlogged, swapped):
        assert not gone.exists()
        assert f"{gone.relative_to(project)}: warning: removed: a copy with no line" in again.stderr
    assert notes.read_text("utf-8") == "mine"
    assert copies(out) == [logged]


# ----------------------------------------------------------------------------- recipients


def test_recipients_of_the_same_name_and_organisation_get_different_copies(project: Path, base: Path) -> None:
    """Issue 14: two recipients with the same name and organisation got byte-identical copies,
    and trace named both."""
    build_base(project, base)
    listing = project / "clients.yaml"
    listing.write_text(recipients(2, name="Jane Doe"), "utf-8")
    result = briefs(project, "distribute", BRIEF, "--recipients", str(listing))
    assert result.returncode == 0, result.stderr
    out = project / "output"
    one, two = copies(out)
    assert sha(one) != sha(two)
    assert_traced(project, out, [one, two])
    import pikepdf

    for copy in (one, two):
        with pikepdf.open(copy) as pdf:
            assert str(pdf.docinfo["/BriefsRecipient"]) == copy.name.split(".")[-2]


def test_a_recipient_listed_twice_is_refused_at_its_line(project: Path) -> None:
    listing = project / "clients.yaml"
    listing.write_text(recipients(2).replace("client-001", "client-000"), "utf-8")
    result = briefs(project, "distribute", BRIEF, "--recipients", str(listing))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "clients.yaml:6:" in result.stderr and "duplicate id 'client-000'" in result.stderr


# ----------------------------------------------------------------------------- trace


def _distributed(project: Path, base: Path, count: int = 2) -> tuple[Path, list[dict[str, str]], list[Path]]:
    build_base(project, base)
    listing = project / "clients.yaml"
    listing.write_text(recipients(count), "utf-8")
    assert briefs(project, "distribute", BRIEF, "--recipients", str(listing)).returncode == 0
    out = project / "output"
    return out / "distribution.jsonl", log_lines(out), copies(out)


def test_trace_refuses_a_forged_duplicate_line(project: Path, base: Path) -> None:
    """Issue 14: a forged duplicate line naming another recipient was printed beside the real
    one without a warning."""
    log, lines, found = _distributed(project, base)
    forged = {**lines[0], "recipient": "client-001", "name": "Client 001",
              "file": lines[1]["file"], "time": "2026-12-24T00:00:00+00:00"}
    with log.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(forged) + "\n")
    result = briefs(project, "trace", str(found[0]))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert not result.stdout  # no answer from an altered log
    assert "output/distribution.jsonl:1:1: its SHA-256 is claimed again on line 3" in result.stderr
    assert "output/distribution.jsonl:3:1: the SHA-256 of line 1" in result.stderr
    assert "for [client-001]" in result.stderr
    # distribute adds nothing to a log it cannot read back.
    before = log.read_bytes()
    listing = project / "clients.yaml"
    again = briefs(project, "distribute", BRIEF, "--recipients", str(listing))
    assert again.returncode == 1 and "output/distribution.jsonl:3:1:" in again.stderr
    assert log.read_bytes() == before


def test_the_same_copy_made_again_is_one_answer(project: Path, base: Path) -> None:
    log, lines, found = _distributed(project, base, 1)
    again = {**lines[0], "time": "2026-12-24T00:00:00+00:00"}
    with log.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(again) + "\n")
    result = briefs(project, "trace", str(found[0]))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("[client-000]") == 1 and "again 2026-12-24T00:00:00+00:00" in result.stdout


@pytest.mark.parametrize("change, words", [
    ({"sha256": "xyz"}, "malformed sha256"),
    ({"file": "../../etc/passwd"}, "file '../../etc/passwd' is not compute-etf-note/distribution/"),
    ({"recipient": 7}, "recipient must be text"),
    ({"time": "yesterday"}, "malformed time"),
    ({"extra": "x"}, "unknown extra"),
    (None, "not a log entry (one JSON object per line)"),
])
def test_trace_refuses_a_malformed_line_at_its_number(project: Path, base: Path, change: dict[str, object] | None,
                                                      words: str) -> None:
    log, lines, found = _distributed(project, base)
    bad = "[1, 2]" if change is None else json.dumps({**lines[1], **change})
    log.write_text(f"{json.dumps(lines[0])}\n{bad}\n", "utf-8")
    result = briefs(project, "trace", str(found[0]))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "output/distribution.jsonl:2:1: " in result.stderr and words in result.stderr, result.stderr


def test_trace_refuses_special_and_huge_files_at_once(project: Path, base: Path, tmp_path: Path) -> None:
    """Issue 14: ``briefs trace`` on a FIFO blocked forever."""
    log, _, found = _distributed(project, base, 1)
    fifo = tmp_path / "copy.pdf"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as handle:
        handle.truncate(3 << 30)  # sparse: 3 GiB on paper
    link = tmp_path / "zero.pdf"
    link.symlink_to("/dev/zero")
    result = briefs(project, "trace", str(fifo), "/dev/zero", str(huge), str(link), str(found[0]),
                    timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{fifo}: cannot be traced: it is a FIFO, not a regular file" in result.stderr
    assert "/dev/zero: cannot be traced: it is a device, not a regular file" in result.stderr
    assert f"{link}: cannot be traced: it is a device" in result.stderr
    assert f"{huge}: cannot be traced: it is 3072 MiB, larger than any copy" in result.stderr
    assert "[client-000]" in result.stdout  # the real copy is still answered
    folder = briefs(project, "trace", str(tmp_path), timeout=60)
    assert folder.returncode == 2 and "is a directory" in folder.stderr
    # The log itself as a FIFO or a symlink: refused, not waited on or followed.
    log.unlink()
    os.mkfifo(log)
    result = briefs(project, "trace", str(found[0]), timeout=60)
    assert result.returncode == 1 and "output/distribution.jsonl: cannot read the log: it is a FIFO" in result.stderr
    log.unlink()
    log.symlink_to(found[0])
    result = briefs(project, "trace", str(found[0]), timeout=60)
    assert result.returncode == 1 and "cannot read the log: it is a symbolic link" in result.stderr


# ----------------------------------------------------------------------------- what briefs did not write


def test_a_hand_made_temporary_below_the_output_folder_survives_a_build(project: Path, tmp_path: Path) -> None:
    """Issue 14: with ``output`` set to a home folder, the sweep deleted
    ``.config/app/.settings.json.tmp``. Only the temporaries briefs recorded are removed."""
    home = tmp_path / "home"
    settings = home / ".config" / "app" / ".settings.json.tmp"
    settings.parent.mkdir(parents=True)
    settings.write_bytes(b'{"theme": "dark"}')
    # A file with exactly the name briefs gives its temporaries, but not recorded: kept too.
    lookalike = home / "compute-etf-note" / ".compute-etf-note.en.html.briefs-0123456789abcdef.tmp"
    lookalike.parent.mkdir()
    lookalike.write_bytes(b"mine")
    for _ in range(2):
        result = briefs(project, "build", BRIEF, "--format", "html", "--out", str(home), "--force")
        assert result.returncode == 0, result.stderr
    assert settings.read_bytes() == b'{"theme": "dark"}'
    assert lookalike.read_bytes() == b"mine"


def test_recorded_temporaries_are_removed_without_following_links(project: Path, tmp_path: Path) -> None:
    """What a killed build left (recorded in .briefs/temporaries) is removed; a recorded name
    that is now a symlink, or reached through a symlinked folder, is not followed."""
    out = project / "output"
    left = out / "compute-etf-note" / ".compute-etf-note.en.html.briefs-00000000000000aa.tmp"
    left.parent.mkdir(parents=True)
    left.write_bytes(b"<html>half")
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / ".x.briefs-00000000000000bb.tmp"
    victim.write_bytes(b"not briefs'")
    (out / "via").symlink_to(outside)
    pointer = out / ".y.briefs-00000000000000cc.tmp"
    pointer.symlink_to(victim)
    (out / ".briefs").mkdir()
    (out / ".briefs" / "temporaries").write_text(
        f"{left.relative_to(out)}\nvia/{victim.name}\n{pointer.name}\n../outside/{victim.name}\n", "utf-8")
    result = briefs(project, "build", BRIEF, "--format", "html")
    assert result.returncode == 0, result.stderr
    assert not left.exists()
    assert victim.read_bytes() == b"not briefs'" and pointer.is_symlink()
    assert (out / ".briefs" / "temporaries").read_bytes() == b""


@pytest.mark.parametrize("name", ["lock", "temporaries"])
def test_a_symlinked_lock_or_journal_is_refused_and_its_target_untouched(project: Path, tmp_path: Path,
                                                                        name: str) -> None:
    """Issue 14: a symlinked ``output/.briefs/lock`` had its target truncated."""
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious\x00bytes\n")
    (project / "output" / ".briefs").mkdir(parents=True)
    (project / "output" / ".briefs" / name).symlink_to(victim)
    result = briefs(project, "build", BRIEF, "--format", "html")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"output/.briefs/{name}: cannot write here: it is a symbolic link" in result.stderr
    assert victim.read_bytes() == b"precious\x00bytes\n"


def test_a_symlinked_or_hard_linked_state_folder_or_lock_is_refused(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / "output").mkdir()
    (project / "output" / ".briefs").symlink_to(elsewhere)
    result = briefs(project, "build", BRIEF, "--format", "html")
    assert result.returncode == 1 and "output/.briefs: cannot write here: it is a symbolic link" in result.stderr
    assert list(elsewhere.iterdir()) == []
    (project / "output" / ".briefs").unlink()
    (project / "output" / ".briefs").mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    os.link(victim, project / "output" / ".briefs" / "lock")
    result = briefs(project, "build", BRIEF, "--format", "html")
    assert result.returncode == 1 and "output/.briefs/lock: cannot write here: it is a hard link" in result.stderr
    assert victim.read_bytes() == b"precious"


@pytest.mark.parametrize("kind", ["symlink", "dangling symlink", "hard link"])
def test_a_linked_distribution_log_is_refused_and_its_target_untouched(project: Path, base: Path, tmp_path: Path,
                                                                       kind: str) -> None:
    """Issue 14: ``distribution.jsonl`` was appended through a symlink."""
    build_base(project, base)
    victim = tmp_path / "victim.jsonl"
    log = project / "output" / "distribution.jsonl"
    if kind == "dangling symlink":
        log.symlink_to(victim)
    else:
        victim.write_bytes(b"precious\n")
        (log.symlink_to if kind == "symlink" else log.hardlink_to)(victim)
    listing = project / "clients.yaml"
    listing.write_text(recipients(1), "utf-8")
    result = briefs(project, "distribute", BRIEF, "--recipients", str(listing))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    reason = "it is a hard link" if kind == "hard link" else "it is a symbolic link"
    assert f"output/distribution.jsonl: cannot write here: {reason}" in result.stderr
    assert (victim.read_bytes() == b"precious\n") if victim.exists() else kind == "dangling symlink"
    assert not victim.exists() or kind != "dangling symlink"
    assert copies(project / "output") == []


def test_a_symlinked_distribution_folder_is_refused(project: Path, base: Path, tmp_path: Path) -> None:
    build_base(project, base)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / "output" / COPIES).symlink_to(elsewhere)
    listing = project / "clients.yaml"
    listing.write_text(recipients(1), "utf-8")
    result = briefs(project, "distribute", BRIEF, "--recipients", str(listing))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"output/{COPIES}: cannot write here: not a folder briefs made" in result.stderr
    assert list(elsewhere.iterdir()) == []
