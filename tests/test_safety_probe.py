"""Safety round two, attacked: hostile inputs and faults found by probing the fixes of issue 14
(pictures, paths, the output folder, the distribution log, the keys) that the other safety tests
did not cover. Each test holds the exact input that got through, and fails without its fix.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from briefs.exhibits.images import checked_image
from briefs.exhibits.svg import MAX_SVG_DRAWN

from .test_load_errors import RunCli, assert_error, check
from .test_safety_images import BRIEF, MD, assert_inert, published, show, svg


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about safety probes, not about the
    examples."""
    return small_project


OUT = Path("output") / "compute-etf-note"


# --------------------------------------------------------------------- pictures

def use_bomb(levels: int = 9) -> bytes:
    """Ten <use> of a group of ten <use> …: a hundred elements in the file, 10**levels drawn."""
    groups = ['<g id="a0">' + '<rect width="1" height="1"/>' * 10 + "</g>"]
    groups += [f'<g id="a{i}">' + f'<use href="#a{i - 1}"/>' * 10 + "</g>" for i in range(1, levels)]
    return svg("<defs>", *groups, "</defs>", f'<use href="#a{levels - 1}"/>')


def test_an_svg_that_draws_a_billion_elements_through_use_is_refused(project: Path, run_cli: RunCli) -> None:
    # It passed the element budget (112 elements) and was published; a browser opening it hangs,
    # and the PDF renderer ran out of its memory allowance after three minutes.
    line = show(project, "chart.svg", use_bomb())
    assert_error(check(run_cli, project), MD, line, "image 'chart.svg'",
                 f"draws more than {MAX_SVG_DRAWN:,} elements", "(<use>, url(#id))")
    result = run_cli(project, "build", str(BRIEF), "--format", "html")
    assert result.exit_code == 1
    assert not (project / OUT / "chart.svg").exists()


@pytest.mark.parametrize("data", [
    pytest.param(svg("<defs>", '<pattern id="p0" width="1" height="1"><rect width="1" height="1"/></pattern>',
                     *(f'<pattern id="p{i}" width="1" height="1">' + f'<rect fill="url(#p{i - 1})"/>' * 10
                       + "</pattern>" for i in range(1, 8)),
                     "</defs>", '<rect width="40" height="20" fill="url(#p7)"/>'), id="patterns-through-url"),
    pytest.param(svg('<g id="a"><use xlink:href="#a"/></g>'), id="use-of-its-own-group"),
    # a marker is drawn at every vertex: 15 KB kept the PDF renderer busy for 48 s
    pytest.param(svg('<defs><marker id="m" markerWidth="1" markerHeight="1">' + '<rect width="1" height="1"/>' * 100
                     + '</marker></defs>', '<path stroke="black" marker-mid="url(#m)" d="M0 0 '
                     + " ".join(f"L{i % 40} {i % 20}" for i in range(2000)) + '"/>'), id="marker-per-vertex"),
    pytest.param(svg('<style>path { marker-mid: url(#m) }</style>',
                     '<defs><marker id="m">' + '<rect width="1" height="1"/>' * 100 + '</marker></defs>',
                     '<path stroke="black" d="M0 0 ' + " ".join(f"L{i % 40} {i % 20}" for i in range(2000)) + '"/>'),
                 id="marker-from-a-style-rule"),
])
def test_a_variant_through_url_references_or_a_loop_is_refused(data: bytes) -> None:
    with pytest.raises(Exception, match=r"draws more than|leads back to itself"):
        checked_image("chart.svg", data)


def test_a_chain_of_nine_thousand_references_is_counted_without_recursion() -> None:
    chain = [f'<g id="g{i}"><use href="#g{i - 1}"/></g>' for i in range(1, 9_000)]
    data = svg("<defs>", '<rect id="g0" width="1" height="1"/>', *chain, "</defs>", '<use href="#g8999"/>')
    assert b"<use" in checked_image("chart.svg", data)  # 36,000 drawn: within the budget, no RecursionError


def test_xml_base_under_an_own_part_link_is_refused(project: Path, run_cli: RunCli) -> None:
    # "#r" under xml:base="javascript:alert(1)//" resolves to a script in browsers that honour xml:base.
    data = svg('<a href="#r"><rect id="r" width="40" height="20"/></a>',
               attributes='width="40" height="20" xml:base="javascript:alert(1)//"')
    line = show(project, "chart.svg", data)
    assert_error(check(run_cli, project), MD, line, "image 'chart.svg' has xml:base='javascript:alert(1)//'")
    run_cli(project, "build", str(BRIEF), "--format", "html")
    assert not (project / OUT / "chart.svg").exists()
    assert_inert(project / "output")


def test_a_huge_width_is_named_in_a_few_characters(project: Path, run_cli: RunCli) -> None:
    line = show(project, "chart.svg", svg("<g/>", attributes='width="1e308" height="1"'))
    message = assert_error(check(run_cli, project), MD, line, "is 1e+308 x 1 pixels (width and height)")
    assert len(message) < 300, message


# --------------------------------------------------------------------- the distribution log

def logged(project: Path, **fields: str) -> tuple[Path, Path]:
    """A copy (any bytes) and a log line for it, as distribute writes them, changed by ``fields``."""
    import hashlib

    copy = project / "copy.pdf"
    copy.write_bytes(b"%PDF-1.7 a copy that turned up somewhere\n")
    entry = {"brief": "compute-etf-note", "lang": "en", "recipient": "mallory",
             "file": "compute-etf-note/distribution/compute-etf-note.en.mallory.pdf",
             "name": "Mallory", "organisation": "Acme", "time": "2026-12-06T13:39:09+00:00",
             "sha256": hashlib.sha256(copy.read_bytes()).hexdigest(), "version": "a" * 64, **fields}
    log = project / "output" / "distribution.jsonl"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(json.dumps(entry) + "\n", "utf-8")
    return copy, log


@pytest.mark.parametrize(("field", "value"), [
    ("name", "Eve\n/tmp/leaked.pdf: compute-etf-note (en) for Emily Chan"),  # a second, forged answer
    ("organisation", "Acme\x1b[2K\rsomething else"),                         # a terminal escape
    ("organisation", "Acme \u202eEmily Chan"),                                # a bidi override
    ("name", "Mal\ud800"),                       # a lone surrogate: trace died with a UnicodeEncodeError
])
def test_trace_refuses_a_name_that_would_print_a_forged_answer(project: Path, run_cli: RunCli,
                                                               field: str, value: str) -> None:
    copy, _ = logged(project, **{field: value})
    result = run_cli(project, "trace", str(copy))
    assert_error(result, "output/distribution.jsonl", 1, f"malformed {field}")
    assert result.stdout == ""


# --------------------------------------------------------------------- paths: a race

SECRET = b"briefs-race-secret"


def swap_after(monkeypatch: pytest.MonkeyPatch, module: object, name: str, folder: Path, outside: Path) -> None:
    """Make ``module.name`` (a resolving function) swap ``folder`` for a symlink to ``outside`` right
    after it resolves a file in that folder, as another process could at that instant."""
    real = getattr(module, name)

    def resolving_then_swapped(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = real(*args, **kwargs)
        if f"{os.sep}{folder.name}{os.sep}" in str(result) and not folder.is_symlink():
            folder.rename(folder.with_name(folder.name + "-moved"))
            folder.symlink_to(outside)
        return result

    monkeypatch.setattr(module, name, resolving_then_swapped)


def test_a_picture_whose_folder_becomes_a_link_after_resolving_is_not_published(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Resolved inside the brief's folder, then opened by that path after 'real' had become a link
    # out: the file outside was published (a thread swapping the folder got it 1 read in 600).
    import briefs.source.safefiles
    from briefs.errors import ContentError
    from briefs.exhibits.images import published_images

    from .test_safety import png

    brief, outside = tmp_path / "brief", tmp_path / "outside"
    (brief / "real").mkdir(parents=True)
    outside.mkdir()
    (brief / "real" / "x.png").write_bytes(png())
    (outside / "x.png").write_bytes(png() + SECRET)
    swap_after(monkeypatch, briefs.source.safefiles, "resolve_inside", brief / "real", outside)
    with pytest.raises(ContentError, match="changed while it was read: it now leads outside"):
        published_images(brief, ["real/x.png"])


def test_a_body_file_whose_folder_becomes_a_link_after_resolving_is_refused(
        project: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import briefs.load.project

    from .conftest import edit

    folder = project / BRIEF
    (folder / "real").mkdir()
    (folder / "etfs.en.md").rename(folder / "real" / "etfs.en.md")
    edit(folder / "brief.yaml", "en: etfs.en.md", "en: real/etfs.en.md")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "etfs.en.md").write_text("A secret: " + SECRET.decode() + "\n", "utf-8")
    swap_after(monkeypatch, briefs.load.project, "locate", folder / "real", outside)
    result = run_cli(project, "build", str(BRIEF), "--format", "html")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert (f"{BRIEF}/real/etfs.en.md: file changed while it was read: it now leads outside the "
            "brief's folder") in result.stderr
    assert not any(SECRET in p.read_bytes() for p in published(project / "output"))


# --------------------------------------------------------------------- the output folder

@pytest.mark.parametrize("linked", ["compute-etf-note", "compute-etf-note/distribution"])
def test_an_output_folder_replaced_by_a_link_is_not_written_through(project: Path, run_cli: RunCli,
                                                                     tmp_path: Path, linked: str) -> None:
    # output/<id> made a symlink to another folder: the build printed a ValueError traceback (the
    # manifest resolved the link), and the write itself followed the link.
    assert run_cli(project, "build", str(BRIEF), "--format", "html").exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = project / "output" / linked
    if folder.exists():
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.symlink_to(elsewhere)
    md = project / MD
    md.write_text(md.read_text("utf-8") + "\n\nEdited.\n", "utf-8")
    if linked == "compute-etf-note":
        result = run_cli(project, "build", str(BRIEF), "--format", "html")
        assert result.exit_code == 1 and "Traceback" not in result.stderr, result.stderr
        assert "output/compute-etf-note: cannot write here: it is a symbolic link" in result.stderr
    else:  # a folder briefs writes into below the brief's, through write.stage (as distribute does)
        from briefs.errors import OutputError
        from briefs.pipeline.write import output_lock, stage

        with output_lock(project / "output"), pytest.raises(OutputError, match="symbolic link") as caught:
            stage(folder / "copy.pdf", b"%PDF")
        assert str(caught.value.diagnostics[0].location.path).endswith(linked)
    assert list(elsewhere.iterdir()) == []


# --------------------------------------------------------------------- keys

def test_an_edit_in_a_linked_shared_folder_rebuilds(project: Path, run_cli: RunCli, tmp_path: Path) -> None:
    # content/_shared linked to a folder several projects share: the key listed the link, never
    # its files, so editing house.yaml there (in place) gave "up to date" with the old house name.
    shared = tmp_path / "shared"
    (project / "content" / "_shared").rename(shared)
    (project / "content" / "_shared").symlink_to(shared)
    assert run_cli(project, "build", str(BRIEF), "--format", "html", "--lang", "en").exit_code == 0
    house = shared / "house.yaml"
    text = house.read_text("utf-8")
    assert "Example Securities Co., Ltd." in text
    with house.open("r+", encoding="utf-8") as handle:  # in place: the folder's time does not change
        handle.write(text.replace("Example Securities Co., Ltd.", "Exemple Securities Co., Ltd.", 1))
    result = run_cli(project, "build", str(BRIEF), "--format", "html", "--lang", "en")
    assert result.exit_code == 0 and not result.output.startswith("up to date"), result.output
    assert "Exemple Securities" in (project / OUT / "compute-etf-note.en.html").read_text("utf-8")


def test_a_link_back_up_in_templates_is_walked_once(project: Path, run_cli: RunCli) -> None:
    (project / "templates" / "loop").symlink_to(project / "templates")
    (project / "content" / "_shared" / "loop").symlink_to(project / "content")
    assert run_cli(project, "build", str(BRIEF), "--format", "html", "--lang", "en").exit_code == 0
    result = run_cli(project, "build", str(BRIEF), "--format", "html", "--lang", "en")
    assert result.exit_code == 0 and result.output.startswith("up to date"), result.output


def test_an_image_name_longer_than_the_file_system_allows_is_a_plain_message(project: Path, run_cli: RunCli) -> None:
    name = "a" * 5000 + ".png"
    md = project / MD
    md.write_text(md.read_text("utf-8") + f"\n\nA picture.\n![A picture]({name})\n", "utf-8")
    result = check(run_cli, project)
    assert "is a unreadable entry" not in result.stderr  # (it said so)
    assert_error(result, MD, md.read_text("utf-8").count("\n"), "cannot be read (a name too long")


def test_a_journal_line_cut_short_by_a_full_disk_is_taken_back(tmp_path: Path) -> None:
    # The journal of temporaries was written with one os.write: a short write (disk full, here a
    # file-size limit) left a torn line, the next line ran into it, and neither temporary was
    # ever swept (a staged copy is a whole stamped PDF). Now the line is whole or absent.
    import subprocess
    import sys

    code = f"""
import resource, signal
from pathlib import Path
from briefs.errors import OutputError
from briefs.pipeline.write import JOURNAL, STATE, output_lock, stage
out = Path({str(tmp_path / "out")!r})
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
with output_lock(out):
    journal = out / STATE / JOURNAL
    resource.setrlimit(resource.RLIMIT_FSIZE, (journal.stat().st_size + 20, resource.RLIM_INFINITY))
    try:
        stage(out / "brief" / "distribution" / ("b" * 60 + ".pdf"), b"%PDF")
        print("staged")
    except OutputError as exc:
        print("refused:", exc.diagnostics[0].message)
    print(repr(journal.read_bytes()))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["refused: cannot write here: File too large", "b''"], result.stdout
    assert not [p for p in (tmp_path / "out").rglob("*.tmp")]


def test_the_journal_of_temporaries_holds_only_those_not_yet_settled(tmp_path: Path) -> None:
    # The journal kept a line for every file a run wrote, and the sweep read it all when the
    # folder was let go: about 10 MB and 40 MB of the main process's memory after a distribution
    # of 100,000 copies. A line is needed only while its temporary may still be left behind.
    from briefs.pipeline.write import JOURNAL, STATE, discard, output_lock, release, stage, write_atomic

    out = tmp_path / "out"
    with output_lock(out):
        journal = out / STATE / JOURNAL
        first = stage(out / "b" / "one.pdf", b"1", sync=False)
        second = stage(out / "b" / "two.pdf", b"2", sync=False)
        third = stage(out / "b" / "three.pdf", b"3", sync=False)
        lines = journal.read_text("utf-8").splitlines()
        assert [Path(line).name for line in lines] == [first.name, second.name, third.name]
        release(first, out / "b" / "one.pdf")
        discard(second)
        assert journal.read_text("utf-8").splitlines() == lines  # the third may still be left behind
        release(third, out / "b" / "three.pdf")
        assert journal.read_bytes() == b""
        for k in range(200):
            write_atomic(out / "b" / f"{k}.txt", b"x")
        assert journal.read_bytes() == b""
        left = stage(out / "b" / "left.pdf", b"4")
        assert journal.read_text("utf-8").splitlines() == [f"b/{left.name}"]
    assert not left.exists()  # swept when the folder was let go
    kept = sorted(p.name for p in (out / "b").iterdir())
    assert kept == sorted(["one.pdf", "three.pdf", *(f"{k}.txt" for k in range(200))])


@pytest.mark.parametrize("given", ["content/compute-etf-note/etfs.csv", "content/_shared/house.yaml"])
def test_a_file_that_is_not_a_brief_given_as_one_is_refused_in_a_line(project: Path, run_cli: RunCli,
                                                                       given: str) -> None:
    # It was read as a brief: "'' must be a mapping, not '<the whole file>'" (5 MB of CSV, one line).
    result = check(run_cli, project, given)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == (f"{given}: not a brief: give a brief's folder, its "
                                             "brief.yaml or a folder of briefs")


@pytest.mark.parametrize("special", ["fifo", "dev-zero"])
def test_a_special_file_in_place_of_the_manifest_does_not_hang_a_build(project: Path, special: str) -> None:
    # output/.briefs/manifest.json as a FIFO (or a link to /dev/zero): every build hung reading it.
    from .test_safety_paths import briefs_cli

    manifest = project / "output" / ".briefs" / "manifest.json"
    manifest.parent.mkdir(parents=True)
    if special == "fifo":
        os.mkfifo(manifest)
    else:
        manifest.symlink_to("/dev/zero")
    result = briefs_cli(project, "build", str(BRIEF), "--format", "html", timeout=120)
    assert result.returncode == 0, result.stderr
    assert (project / OUT / "compute-etf-note.en.html").is_file()
    assert manifest.is_file() and not manifest.is_symlink()  # replaced by the real one, by rename
    json.loads(manifest.read_text("utf-8"))


def test_an_arrowhead_marker_applied_by_a_style_rule_passes() -> None:
    # The common arrowhead: a rule gives every path a marker whose own path the rule also matches.
    data = svg('<style>path { marker-end: url(#arrow) }</style>',
               '<defs><marker id="arrow" markerWidth="4" markerHeight="4"><path d="M0 0 L4 2 L0 4 z"/></marker></defs>',
               '<path stroke="black" d="M0 10 L30 10"/>')
    assert b'marker id="arrow"' in checked_image("chart.svg", data)
