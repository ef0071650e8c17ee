"""Semi-trusted content and unattended builds: no local file leaks, no network, no half files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from .conftest import line_of, lock_held_elsewhere
from .forkcli import run_briefs


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about safe building, not about the
    examples."""
    return small_project


pytestmark = pytest.mark.pdf
BRIEF = Path("content") / "compute-etf-note"


def png(width: int = 1, height: int = 1) -> bytes:
    """A valid PNG (1x1 by default), so an image that *is* allowed can be shown to work."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = (b"\x00" + b"\x12\x35\x5b" * width) * height if width * height < 10_000 else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def add_paragraph(project: Path, text: str) -> tuple[Path, int]:
    md = project / BRIEF / "etfs.en.md"
    md.write_text(md.read_text("utf-8") + f"\n\n{text}\n", "utf-8")
    return md, line_of(md, text)


@pytest.mark.parametrize("target", ["../../../pyproject.toml", "/etc/passwd",
                                    "http://127.0.0.1:9/tracker.png"])
def test_images_outside_the_brief_folder_or_on_the_network_fail_the_build(
        project: Path, run_cli, target: str) -> None:  # type: ignore[no-untyped-def]
    md, line = add_paragraph(project, f"![chart]({target})")
    result = run_cli(project, "build", str(BRIEF), "--lang", "en", "--format", "pdf")
    assert result.exit_code == 1
    assert f"{md.relative_to(project)}:{line}" in result.stderr, result.stderr
    assert "image" in result.stderr and "Traceback" not in result.output
    assert not list((project / "output").rglob("*.pdf"))


@pytest.mark.parametrize("target", ["../../../pyproject.toml", "/etc/passwd", "innocent.png",
                                    "http://127.0.0.1:9/tracker.png", "file:///etc/hostname"])
def test_the_fetcher_refuses_what_the_loader_would(project: Path, target: str) -> None:
    """Defence in depth: HTML that never went through the loader still cannot fetch outside."""
    from briefs.errors import RenderError
    from briefs.render.pdf import render_pdf

    folder = project / BRIEF
    (folder / "innocent.png").symlink_to(project / "pyproject.toml")
    html = f'<!DOCTYPE html><html lang="en"><body><p>x</p><img src="{target}" alt=""></body></html>'
    with pytest.raises(RenderError) as refused:
        render_pdf(html, folder, [folder], folder / "brief.yaml")
    assert "refused to fetch" in str(refused.value)


def test_unsafe_urls_never_become_images_or_links_when_rendering() -> None:
    """The renderer's own rule, for Markdown the loader never saw (the loader refuses these, located)."""
    from briefs.render.markdown import render_block

    html = str(render_block("![x](file:///etc/hostname) [y](javascript:alert(1)) [z](data:text/html,hi) "
                            "[h](http://example.com) ![d](data:image/png;base64,AA) [p](//evil/x)"))
    assert "<img" not in html and "<a " not in html, html


def test_an_image_in_the_brief_folder_is_fine(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (project / BRIEF / "dot.png").write_bytes(png())
    add_paragraph(project, "![a dot](dot.png)")
    result = run_cli(project, "build", str(BRIEF), "--lang", "en", "--format", "pdf")
    assert result.exit_code == 0, result.output


def test_a_pixel_bomb_is_refused_before_decoding(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (project / BRIEF / "bomb.png").write_bytes(png(50_000, 50_000))  # 2.5 gigapixels, a few bytes
    md, line = add_paragraph(project, "![bomb](bomb.png)")
    result = run_cli(project, "build", str(BRIEF), "--lang", "en", "--format", "pdf")
    assert result.exit_code == 1
    assert f"{md.relative_to(project)}:{line}" in result.stderr
    assert "too large" in result.stderr or "pixels" in result.stderr


def test_an_image_over_the_pixel_limit_is_refused(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (project / BRIEF / "huge.png").write_bytes(png(9_000, 5_000))  # 45 Mpx: under Pillow's own limit
    add_paragraph(project, "![huge](huge.png)")
    result = run_cli(project, "build", str(BRIEF), "--lang", "en", "--format", "pdf")
    assert result.exit_code == 1 and "9000 x 5000 pixels" in result.stderr


def test_two_builds_cannot_write_one_folder(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    with lock_held_elsewhere(project / "output"):
        result = run_cli(project, "build", str(BRIEF), "--format", "html")
    assert result.exit_code == 1
    assert "another build (pid 4242) is writing to this output folder" in result.stderr
    assert run_cli(project, "build", str(BRIEF), "--format", "html").exit_code == 0  # released


def _default_sigint() -> None:
    # A test run started in the background by a non-interactive shell inherits SIGINT ignored,
    # and Python then never raises KeyboardInterrupt: give the build the disposition a
    # terminal's Ctrl-C meets.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


KILLED = ("content/compute-etf-note", "content/wechat-r1-inference")  # the briefs a stopped build renders


def _start_build(project: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "briefs", "build", *KILLED, "--jobs", "2", "--force"],
                            cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "CI": "1"}, preexec_fn=_default_sigint)


def _wait_for_first_pdf(project: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while not list((project / "output").rglob("*.pdf")):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)


def _processes_in(project: Path) -> list[str]:
    """Command lines of the processes started for ``project`` (the fork server and its workers
    carry the project folder in their arguments)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if str(project) in text:
            found.append(text[:120])
    return found


def _only_whole_files(out: Path) -> None:
    for pdf in out.rglob("*.pdf"):
        assert len(PdfReader(pdf).pages) > 0, pdf
    for html in out.rglob("*.html"):
        assert html.read_text("utf-8").rstrip().endswith("</html>"), html


def test_sigkill_mid_build_leaves_whole_files_and_the_next_build_recovers(project: Path) -> None:
    process = _start_build(project)
    _wait_for_first_pdf(project, process)
    process.kill()  # SIGKILL: no handler, no cleanup
    process.wait()
    # Its workers and their warm parent (the fork server) end with it, not linger for good.
    deadline = time.monotonic() + 30
    while (left := _processes_in(project)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"left running after the build was killed: {left}"
    out = project / "output"
    _only_whole_files(out)
    first = sorted(out.rglob("*.pdf"))[0]  # the killed build's first whole PDF (its order: longest brief first)
    hand_made = first.parent / f".{first.name}.abc123.tmp"  # not a name briefs makes
    hand_made.write_bytes(b"%PDF-1.7 half")
    rebuilt = run_briefs(project, "build", *KILLED, timeout=600)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert list(out.rglob("*.tmp")) == [hand_made]  # the killed build's temporaries are gone
    _only_whole_files(out)
    assert len(list(out.rglob("*.pdf"))) == 2 * len(KILLED)


def test_ctrl_c_leaves_no_temporary_files(project: Path) -> None:
    process = _start_build(project)
    _wait_for_first_pdf(project, process)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=120)
    assert process.returncode != 0
    assert not list((project / "output").rglob("*.tmp"))
    _only_whole_files(project / "output")


def test_an_image_over_the_size_limit_is_refused_at_its_line(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    # Refused when loading, so even an HTML-only build (which publishes the images beside the
    # page) never reads it whole.
    with (project / BRIEF / "big.png").open("wb") as f:
        f.write(png())
        f.truncate(21 * 1024 * 1024)  # sparse: 21 MiB on paper, nothing on disk
    md, line = add_paragraph(project, "![big](big.png)")
    result = run_cli(project, "build", str(BRIEF), "--format", "html")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{md.relative_to(project)}:{line}" in result.stderr
    assert "21.0 MiB; the limit is 20 MiB" in result.stderr
    assert not (project / "output" / "compute-etf-note").exists()


def test_an_html_build_publishes_only_the_images_the_text_shows(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (project / BRIEF / "dot.png").write_bytes(png())
    (project / BRIEF / "unused.png").write_bytes(png(2, 2))
    (project / BRIEF / "sub").mkdir()
    (project / BRIEF / "sub" / "n.png").write_bytes(png(3, 1))
    add_paragraph(project, "![a dot](dot.png) ![a line](sub/./n.png)")
    result = run_cli(project, "build", str(BRIEF), "--format", "html")
    assert result.exit_code == 0, result.output
    published = sorted(p.relative_to(project / "output" / "compute-etf-note").as_posix()
                       for p in (project / "output" / "compute-etf-note").rglob("*.png"))
    assert published == ["dot.png", "sub/n.png"]
    assert (project / "output" / "compute-etf-note" / "sub" / "n.png").read_bytes() == png(3, 1)


def test_a_wide_picture_is_scaled_to_its_column(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    # 2000 px at CSS's 96 px per inch would be 20.8 in wide, far past an A4 page (8.27 in): the
    # PDF must draw it within the page, so at well over 2000 / 8.27 = 242 pixels per inch.
    from PIL import Image

    Image.new("RGB", (2000, 60), (18, 53, 91)).save(project / BRIEF / "wide.png")
    add_paragraph(project, "![a wide band](wide.png)")
    result = run_cli(project, "build", str(BRIEF), "--lang", "en", "--format", "pdf")
    assert result.exit_code == 0, result.output
    listing = subprocess.run(["pdfimages", "-list", str(project / "output" / "compute-etf-note" /
                                                       "compute-etf-note.en.pdf")],
                             capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    wide = [line.split() for line in listing if line.split()[3:5] == ["2000", "60"]]
    assert wide and all(float(row[12]) > 2000 / 8.27 for row in wide), listing


def _clean_failure(result, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Exit 1, ``path: cannot write here: <reason>`` (relative to the project, where the CLI
    ran), no traceback."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    shown = path.relative_to(Path.cwd())
    assert f"{shown}: cannot write here: " in result.stderr, result.stderr


def test_an_output_folder_that_cannot_be_made_is_a_clean_error(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    blocker = project / "not-a-folder"
    blocker.write_text("a file where the output folder's parent should be", "utf-8")
    out = blocker / "out"
    result = run_cli(project, "build", str(BRIEF), "--format", "html", "--out", str(out))
    _clean_failure(result, out)
    assert blocker.read_text("utf-8").startswith("a file")


def test_an_output_file_that_cannot_be_written_is_a_clean_error(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    out = project / "out"
    taken = out / BRIEF.name / f"{BRIEF.name}.en.html"
    taken.mkdir(parents=True)  # a folder where the page should go: the rename into place fails
    result = run_cli(project, "build", str(BRIEF), "--lang", "en", "--format", "html", "--out", str(out))
    _clean_failure(result, taken)
    assert not list(out.rglob(".*.tmp")), "no temporary file is left behind"
    # Once the way is clear, the next build writes the page.
    taken.rmdir()
    result = run_cli(project, "build", str(BRIEF), "--lang", "en", "--format", "html", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert taken.is_file()


def test_a_distribution_log_that_cannot_be_appended_is_a_clean_error(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    out = project / "output"
    (out / "distribution.jsonl").mkdir(parents=True)
    result = run_cli(project, "distribute", str(BRIEF))
    _clean_failure(result, out / "distribution.jsonl")


def test_an_html_comment_in_markdown_is_refused_at_its_line(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """Raw HTML is off, so a comment would print as text; and the Markdown ships inside the PDF.
    Code that shows a comment is fine."""
    md, line = add_paragraph(project, "A last word.\n<!-- internal: check this figure with the desk -->")
    add_paragraph(project, "Write `<!-- like this -->` in HTML.")
    result = run_cli(project, "check", str(BRIEF))
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [e for e in result.stderr.splitlines() if "HTML comment" in e]
    assert errors == [f"{md.relative_to(project)}:{line + 1}:1: an HTML comment (<!-- … -->) would be "
                      "printed as text, and the source files are embedded in the PDF: delete it, and "
                      "keep notes outside content/"], result.stderr
