"""Safety round two, paths and text: what a brief names is read only through briefs.source.safefiles,
every file in a brief's folder is part of its key, and bidi controls never reach a page.

Each test holds the exact hostile input of issue 14 and, where noted, a variant the issue does not
list. Builds are HTML-only: the rules are the loader's and the key's, not the PDF's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefs.pipeline.run import build
from briefs.project.config import load_config

from .conftest import edit, line_of
from .forkcli import run_briefs


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about paths, not about the
    examples."""
    return small_project


BRIEF = Path("content") / "compute-etf-note"
SECRET = "briefs-test-secret-4f1c9a"


def png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x12\x35\x5b")) + chunk(b"IEND", b""))


def briefs_cli(project: Path, *args: str, env: dict[str, str] | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real command line in a child process (so a hang or a leak of *its* environment shows)."""
    return run_briefs(project, *args, env={**os.environ, **(env or {})}, timeout=timeout)


def add_paragraph(project: Path, text: str, name: str = "etfs.en.md") -> tuple[Path, int]:
    md = project / BRIEF / name
    md.write_text(md.read_text("utf-8") + f"\n\n{text}\n", "utf-8")
    return md, line_of(md, text)


def clean_failure(result: subprocess.CompletedProcess[str], where: str, message: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert where in result.stderr and message in result.stderr, result.stderr


def output_bytes(out: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and not p.is_symlink())


# --------------------------------------------------------------------- 1: nothing from outside

@pytest.mark.parametrize("reference", ["link/../x.png", "link/./../x.png"])
def test_a_path_collapsed_through_a_folder_link_publishes_nothing(project: Path, reference: str) -> None:
    """Issue 14.1: ``link`` a folder symlink, ``x.png`` a symlink to /proc/self/environ. The check
    resolved the whole path while the publisher read the collapsed one; now the resolved path is
    what is checked and read, and '..' in a published name is refused."""
    folder = project / BRIEF
    (folder / "sub" / "deep").mkdir(parents=True)
    (folder / "sub" / "x.png").write_bytes(png())  # what the check saw: a real picture, inside
    (folder / "link").symlink_to(folder / "sub" / "deep", target_is_directory=True)
    (folder / "x.png").symlink_to("/proc/self/environ")  # what the collapsed path read
    md, line = add_paragraph(project, f"![leak]({reference})")
    result = briefs_cli(project, "build", "--format", "html", "--out", "out",
                        env={"BRIEFS_TEST_SECRET": SECRET})
    clean_failure(result, f"{md.relative_to(project)}:{line}:", "a path with '..' is not allowed")
    assert SECRET.encode() not in output_bytes(project / "out")
    assert not (project / "out" / "compute-etf-note" / "x.png").exists()


def test_a_picture_that_links_out_of_the_folder_is_refused_at_its_line(project: Path) -> None:
    """Variant: a plain name that is itself a symlink to a file outside."""
    (project / BRIEF / "chart.png").symlink_to("/proc/self/environ")
    md, line = add_paragraph(project, "![chart](chart.png)")
    result = briefs_cli(project, "build", "--format", "html", "--out", "out",
                        env={"BRIEFS_TEST_SECRET": SECRET})
    clean_failure(result, f"{md.relative_to(project)}:{line}:", "outside the brief's folder")
    assert SECRET.encode() not in output_bytes(project / "out")


# --------------------------------------------------------------------- 4: bidi controls

def test_a_bidi_override_around_a_figure_is_refused_at_its_place(project: Path) -> None:
    """Issue 14.4: English ``\\u202e95\\u202c%`` matched the Chinese 95 % and printed as 59%."""
    md, line = add_paragraph(project, "About \u202e95\u202c% of flows went to the largest ETFs.")
    result = briefs_cli(project, "check", "--strict")
    clean_failure(result, f"{md.relative_to(project)}:{line}:7:", "U+202E RIGHT-TO-LEFT OVERRIDE")


@pytest.mark.parametrize("escape, name", [("\\u2067", "U+2067 RIGHT-TO-LEFT ISOLATE"),
                                          ("\\u200f", "U+200F RIGHT-TO-LEFT MARK")])
def test_a_bidi_control_from_a_yaml_escape_is_refused(project: Path, escape: str, name: str) -> None:
    """Variant: the control written as an escape in brief.yaml, so no file scan can see it."""
    path = project / BRIEF / "brief.yaml"
    text = path.read_text("utf-8")
    start = text.index("title:")
    en = text.index("en: ", start)
    end = text.index("\n", en)
    path.write_text(text[:en] + f'en: "{escape}{text[en + 4:end].strip(chr(34))}"' + text[end:], "utf-8")
    result = briefs_cli(project, "check")
    clean_failure(result, f"{(BRIEF / 'brief.yaml').as_posix()}:{text[:en].count(chr(10)) + 1}:", name)


def test_a_bidi_control_in_a_data_cell_is_refused(project: Path) -> None:
    """Variant: an isolate inside a CSV figure."""
    csv = project / BRIEF / "etfs.csv"
    lines = csv.read_text("utf-8").splitlines(keepends=True)
    row = next(i for i, text in enumerate(lines[1:], 1) if any(c.isdigit() for c in text))
    digit = next(i for i, c in enumerate(lines[row]) if c.isdigit())
    lines[row] = lines[row][:digit] + "\u2066" + lines[row][digit:]
    csv.write_text("".join(lines), "utf-8")
    result = briefs_cli(project, "check")
    clean_failure(result, f"{(BRIEF / 'etfs.csv').as_posix()}:{row + 1}:{digit + 1}:", "U+2066")


# --------------------------------------------------------------------- 6: every file is in the key

def html_build(project: Path):  # type: ignore[no-untyped-def]
    return build(load_config(project), paths=[project / BRIEF], formats=("html",), out=project / "out")


def test_editing_a_hidden_body_file_rebuilds(project: Path) -> None:
    """Issue 14.6: a dot-named body file edited gave 'up to date' and kept the old HTML."""
    folder = project / BRIEF
    (folder / "etfs.en.md").rename(folder / ".etfs.en.md")
    edit(folder / "brief.yaml", "en: etfs.en.md", "en: .etfs.en.md")
    first = html_build(project)
    assert first.written
    edit(folder / ".etfs.en.md", "R4", "R4 hidden-edit-marker")
    second = html_build(project)
    assert not second.up_to_date
    page = project / "out" / "compute-etf-note" / "compute-etf-note.en.html"
    assert "hidden-edit-marker" in page.read_text("utf-8")


def test_editing_a_hidden_picture_republishes_it(project: Path) -> None:
    """Variant: a dot-named picture shown in the text, replaced by another."""
    folder = project / BRIEF
    (folder / ".chart.png").write_bytes(png())
    add_paragraph(project, "![chart](.chart.png)")
    html_build(project)
    published = project / "out" / "compute-etf-note" / ".chart.png"
    assert published.read_bytes() == png()
    changed = png().replace(b"\x12\x35\x5b", b"\x00\x00\x00")  # another colour, same size
    changed = changed  # (the CRC is wrong, but only bytes are compared: the picture is copied)
    import struct
    import zlib
    ihdr = changed[8:33]
    body = zlib.compress(b"\x00\x00\x00\x00")
    changed = (changed[:33] + struct.pack(">I", len(body)) + b"IDAT" + body
               + struct.pack(">I", zlib.crc32(b"IDAT" + body)) + struct.pack(">I", 0) + b"IEND"
               + struct.pack(">I", zlib.crc32(b"IEND")))
    assert ihdr == png()[8:33]
    (folder / ".chart.png").write_bytes(changed)
    result = html_build(project)
    assert not result.up_to_date
    assert published.read_bytes() == changed


# --------------------------------------------------------------------- 7: special files

def test_a_brief_yaml_linked_to_dev_zero_is_refused_at_once(project: Path) -> None:
    """Issue 14.7: read in full before the size check (MemoryError)."""
    path = project / BRIEF / "brief.yaml"
    path.unlink()
    path.symlink_to("/dev/zero")
    result = briefs_cli(project, "check", timeout=60)
    clean_failure(result, (BRIEF / "brief.yaml").as_posix(), "outside its folder")


def test_a_fifo_brief_yaml_does_not_hang_check(project: Path) -> None:
    """Issue 14.7: a FIFO brief.yaml hung `check` waiting for a writer."""
    path = project / BRIEF / "brief.yaml"
    path.unlink()
    os.mkfifo(path)
    result = briefs_cli(project, "check", timeout=60)
    clean_failure(result, (BRIEF / "brief.yaml").as_posix(), "is a FIFO, not a regular file")


@pytest.mark.parametrize("special", ["fifo", "zero"])
def test_a_special_body_file_is_refused(project: Path, special: str) -> None:
    """Variant: the Markdown body is a FIFO, or a link to /dev/zero inside the folder's reach."""
    path = project / BRIEF / "etfs.en.md"
    path.unlink()
    if special == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    result = briefs_cli(project, "check", timeout=60)
    where = f"{(BRIEF / 'brief.yaml').as_posix()}:{line_of(project / BRIEF / 'brief.yaml', 'etfs.en.md')}:"
    clean_failure(result, where, "etfs.en.md")


def test_safefiles_reads_only_regular_files_within_the_limit(tmp_path: Path) -> None:
    from briefs.source.safefiles import Unsafe, read_bytes, resolve_inside

    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "big").write_bytes(b"x" * 101)
    (tmp_path / "ok").write_bytes(b"x" * 100)
    with pytest.raises(Unsafe, match="FIFO"):
        read_bytes(tmp_path / "pipe", 100)
    with pytest.raises(Unsafe, match="limit"):
        read_bytes(tmp_path / "big", 100)
    with pytest.raises(Unsafe, match="device"):
        read_bytes(Path("/dev/zero"), 100)
    with pytest.raises(Unsafe, match="limit"):  # a /proc file reports size 0 but is larger
        read_bytes(Path("/proc/self/maps"), 10)
    assert read_bytes(tmp_path / "ok", 100) == b"x" * 100
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(Unsafe, match=r"usable file name|not a regular file|unreadable"):
        resolve_inside(tmp_path, "loop")


# --------------------------------------------------------------------- 9: a brief really inside

def test_a_brief_folder_linked_into_content_from_outside_is_refused(project: Path) -> None:
    """Issue 14.9: built silently with the outside folder as its allowed root."""
    outside = project.parent / "outside-brief"
    (project / BRIEF).rename(outside)
    (project / BRIEF).symlink_to(outside, target_is_directory=True)
    result = briefs_cli(project, "check")
    clean_failure(result, BRIEF.as_posix(), "outside content/")
    named = briefs_cli(project, "check", str(BRIEF))  # named on the command line: the same
    clean_failure(named, BRIEF.as_posix(), "outside content/")


def test_a_brief_yaml_linked_to_another_folder_is_refused(project: Path) -> None:
    """Variant: only brief.yaml is a link, to a brief elsewhere (its folder would be the root)."""
    outside = project.parent / "outside"
    outside.mkdir()
    (project / BRIEF / "brief.yaml").rename(outside / "brief.yaml")
    (project / BRIEF / "brief.yaml").symlink_to(outside / "brief.yaml")
    result = briefs_cli(project, "check")
    clean_failure(result, (BRIEF / "brief.yaml").as_posix(), "outside its folder")


# --------------------------------------------------------------------- 10: odd entries in a folder

@pytest.mark.parametrize("entry", ["proc-mem", "loop", "fifo", "dangling"])
def test_odd_unrelated_entries_in_a_brief_folder_do_not_break_the_build(project: Path, entry: str) -> None:
    """Issue 14.10: a /proc symlink in a brief folder was hashed for the key (traceback). Variants:
    a symlink loop, a FIFO, a dangling link. None is used by the brief; the build goes on."""
    path = project / BRIEF / "notes"
    if entry == "proc-mem":
        path.symlink_to("/proc/self/mem")
    elif entry == "loop":
        path.symlink_to(path)
    elif entry == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(project / "nowhere")
    result = briefs_cli(project, "build", "--format", "html", "--out", "out", str(BRIEF), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    again = briefs_cli(project, "build", "--format", "html", "--out", "out", str(BRIEF), timeout=120)
    assert again.returncode == 0 and "up to date" in (again.stdout + again.stderr).lower()


def test_an_output_replaced_by_a_link_to_a_huge_file_is_not_read(project: Path) -> None:
    """A link put in place of a built page, to a 4 GiB (sparse) file elsewhere: the manifest's
    check hashed the page through the link, reading the whole target into memory. Now a link is
    never current: the page is written again in its place and the target is left alone."""
    import resource

    out = project / "out"
    first = briefs_cli(project, "build", "--format", "html", "--out", "out", str(BRIEF))
    assert first.returncode == 0, first.stderr
    page = out / "compute-etf-note" / "compute-etf-note.en.html"
    huge = project.parent / "huge.bin"
    with huge.open("wb") as handle:
        handle.truncate(4 * 2**30)
    page.unlink()
    page.symlink_to(huge)

    def limit() -> None:  # the old code needs the whole target in memory: a MemoryError here
        resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))

    result = subprocess.run([sys.executable, "-m", "briefs", "build", "--format", "html", "--out", "out",
                             str(BRIEF)], cwd=project, text=True, capture_output=True, timeout=120,
                            preexec_fn=limit, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert not page.is_symlink() and "<html" in page.read_text("utf-8")
    assert huge.stat().st_size == 4 * 2**30
