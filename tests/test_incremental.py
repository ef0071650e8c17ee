"""Incremental and parallel builds: what is rebuilt after which edit, and failure isolation."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from briefs.pipeline.run import build
from briefs.project.config import load_config

from .conftest import SMALL, approve_again, edit, make_draft

HTML_FILES = 2 * len(SMALL)  # zh-CN and en HTML of every brief of the small project

HTML = ("html",)


@pytest.fixture
def project(small_project: Path) -> Path:
    """Here ``project`` is the small project (tests/conftest.py SMALL, four of the example briefs):
    what is rebuilt after an edit does not depend on how many briefs there are."""
    return small_project


def html_build(project: Path, **kwargs):  # type: ignore[no-untyped-def]
    return build(load_config(project), formats=HTML, out=project / "out", **kwargs)


def rewritten(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {p.parent.name for p in result.written}


def test_noop_rebuild_writes_nothing(project: Path) -> None:
    first = html_build(project)
    assert len(first.written) == HTML_FILES and not first.up_to_date
    mtimes = {p: p.stat().st_mtime_ns for p in first.written}
    second = html_build(project)
    assert second.up_to_date and not second.written
    assert all(p.stat().st_mtime_ns == m for p, m in mtimes.items())


def test_editing_one_brief_rebuilds_only_that_brief(project: Path) -> None:
    html_build(project)
    edit(project / "content" / "compute-etf-note" / "etfs.en.md", "R4", "R4 ")
    approve_again(project, "compute-etf-note")
    result = html_build(project)
    assert {p.name for p in result.written} == {"compute-etf-note.en.html"}
    assert len(result.skipped) == HTML_FILES - 1


def test_editing_a_shared_disclaimer_rebuilds_the_briefs_that_carry_it(project: Path) -> None:
    html_build(project)
    disclaimers = project / "content" / "_shared" / "disclaimers.yaml"
    text = disclaimers.read_text("utf-8")
    start = text.index("id: fund-risk-warning")
    version = text.index('version: "2025.1"', start)
    disclaimers.write_text(text[:version] + 'version: "2025.2"' + text[version + 17:], "utf-8")
    result = html_build(project)
    config = load_config(project)
    from briefs.load.project import load_project

    carriers = {b.brief.id for b in load_project(config).briefs
                if "fund-risk-warning" in load_project(config).library.kind(b.brief.kind).disclaimers}
    assert carriers and rewritten(result) == carriers
    assert len(result.planned) == HTML_FILES  # shared content: every brief is planned, few written
    assert all("2025.2" in p.read_text("utf-8") for p in result.written)


def test_template_edit_rebuilds_everything(project: Path) -> None:
    html_build(project)
    edit(project / "templates" / "css" / "brief.css", "--navy: #12355b;", "--navy: #12355c;")
    assert len(html_build(project).written) == HTML_FILES


def test_option_change_and_force(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    html_build(project)
    english_only = html_build(project, langs=("en",))  # no zh-CN twin to link to any more
    assert {p.name.split(".", 1)[1] for p in english_only.written} == {"en.html"}
    assert all('hreflang="zh-CN"' not in p.read_text("utf-8") for p in english_only.written)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")  # 2025-01-01, before every brief's date:
    assert len(html_build(project).written) == HTML_FILES  # each date is clamped to it
    assert html_build(project).up_to_date
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1893456000")  # 2030: a later commit bounds nothing,
    later = html_build(project)  # so every file is as it was without it
    assert not later.up_to_date and len(later.written) == HTML_FILES
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1893456060")  # the next commit, a minute on
    again = html_build(project)
    assert not again.written and len(again.skipped) == HTML_FILES  # CI's cached output is reused
    assert not again.planned  # and no brief is even planned: their dates are as they were
    assert len(html_build(project, force=True).written) == HTML_FILES


def test_an_altered_or_deleted_output_is_rebuilt(project: Path) -> None:
    first = html_build(project)
    victim, deleted = first.written[0], first.written[1]
    victim.write_text("tampered", "utf-8")
    deleted.unlink()
    result = html_build(project)
    assert set(result.written) == {victim, deleted}
    assert "tampered" not in victim.read_text("utf-8")
    assert {doc.rsplit(".", 1)[0] for doc in result.planned} == {victim.parent.name, deleted.parent.name}


@pytest.mark.pdf
def test_pdf_rebuild_follows_its_inputs(project: Path) -> None:
    config = load_config(project)
    one = [project / "content" / "compute-etf-note"]
    first = build(config, one, out=project / "out", jobs=2)
    assert len(first.written) == 4 and not first.failed
    assert len(first.worker_peak_rss_kib) >= 1
    edit(project / "content" / "compute-etf-note" / "etfs.zh-CN.md", "R4", "R4 ")
    approve_again(project, "compute-etf-note")
    second = build(config, one, out=project / "out", jobs=2)
    assert {p.name for p in second.written} == {"compute-etf-note.zh-CN.html",
                                                "compute-etf-note.zh-CN.pdf"}
    # A PDF may fetch files from templates/ (a logo, say) that its HTML only names: any change
    # there renders the PDFs again, though the HTML is the same.
    (project / "templates" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', "utf-8")
    third = build(config, one, out=project / "out", jobs=2)
    assert {p.name for p in third.written} == {"compute-etf-note.zh-CN.pdf", "compute-etf-note.en.pdf"}


def _failing_for(brief_id: str, how: str):  # type: ignore[no-untyped-def]
    """Fault injection for one brief; every other document renders for real."""
    from briefs.render import pdf

    real = pdf.render_pdf

    def render(html, base_url, *args, **kwargs):  # type: ignore[no-untyped-def]
        if base_url.name == brief_id:
            if how == "crash":
                os._exit(70)  # the worker process dies outright
            time.sleep(90)  # runs into the per-document time limit
        return real(html, base_url, *args, **kwargs)

    return render


@pytest.mark.pdf
@pytest.mark.parametrize("how", ["crash", "hang"])
def test_one_failing_document_does_not_stop_the_batch(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                      how: str) -> None:
    import multiprocessing

    from briefs.pipeline import workers
    from briefs.render import pdf

    # The fault is injected by patching this process, so the workers are plain forks of it
    # here (they normally come from the warm zygote); the recovery code is the same for both.
    monkeypatch.setattr(workers, "_context", lambda: multiprocessing.get_context("fork"))
    monkeypatch.setattr(pdf, "render_pdf", _failing_for("compute-etf-note", how))
    config = load_config(project)
    chosen = [project / "content" / "compute-etf-note", project / "content" / "wechat-r1-inference"]
    # The workers are forks of this test process, whose address space (threads, arenas, what
    # earlier tests loaded) is not a worker's: no address-space cap, or they may die of it at
    # once. The limit leaves a loaded machine time to lay the healthy brief out.
    result = build(config, chosen, formats=("pdf",), out=project / "out", jobs=2, timeout=20, memory_limit=None)
    assert len(result.failed) == 2
    assert all("compute-etf-note" in str(d.location.path) for d in result.failed)
    message = "died" if how == "crash" else "longer than 20 s"
    assert all(message in d.message for d in result.failed)
    written = sorted(p.name for p in result.written)
    assert written == ["wechat-r1-inference.en.pdf", "wechat-r1-inference.zh-CN.pdf"]
    assert not list((project / "out" / "compute-etf-note").glob("*.pdf"))
    from briefs.pipeline.incremental import Manifest

    recorded = Manifest.load(project / "out").briefs  # the failed brief goes first next time
    assert "wechat-r1-inference" in recorded and "compute-etf-note" not in recorded
    # Once the fault is gone, the next build renders the failed ones only.
    monkeypatch.undo()
    again = build(config, chosen, formats=("pdf",), out=project / "out", jobs=2)
    assert sorted(p.name for p in again.written) == ["compute-etf-note.en.pdf",
                                                     "compute-etf-note.zh-CN.pdf"]
    assert sorted(again.planned) == ["compute-etf-note.en", "compute-etf-note.zh-CN"]
    assert not again.failed


@pytest.mark.pdf
def test_workers_are_forks_of_the_warm_zygote() -> None:
    # Every worker was forked from one process that had already imported WeasyPrint and laid
    # out a page (the zygote), not from this one, and not warmed up on its own.
    from briefs.pipeline import workers

    with workers.start_pool(2) as pool:
        origins = {pool.submit(workers.origin).result(timeout=60) for _ in range(6)}
    parents = {parent for parent, _ in origins}
    assert len(parents) == 1 and os.getpid() not in parents
    assert all(warmed == parent for parent, warmed in origins)


def test_only_the_edited_brief_is_planned_again(project: Path) -> None:
    # Planning (localizing, charts, HTML) is skipped for briefs whose inputs are as at their last
    # build: the rebuild after an edit costs one brief, however many briefs there are.
    from briefs.load.project import load_project

    first = html_build(project)
    assert sorted(first.planned) == sorted(f"{b}.{lang}" for b in SMALL for lang in ("zh-CN", "en"))
    sizes = {b.brief.id: sum(f.stat().st_size for f in b.files)
             for b in load_project(load_config(project)).briefs}
    order = list(dict.fromkeys(doc.rsplit(".", 1)[0] for doc in first.planned))
    assert [sizes[b] for b in order] == sorted(sizes.values(), reverse=True)  # longest first

    edit(project / "content" / "compute-etf-note" / "etfs.en.md", "R4", "R4 ")
    approve_again(project, "compute-etf-note")
    second = html_build(project)
    assert second.planned == ["compute-etf-note.zh-CN", "compute-etf-note.en"]
    assert {p.name for p in second.written} == {"compute-etf-note.en.html"}
    assert len(second.skipped) == HTML_FILES - 1

    # Any file in a brief's folder counts, used or not; nothing is rewritten if the HTML is the same.
    (project / "content" / "wechat-r1-inference" / "notes.txt").write_text("draft", "utf-8")
    approve_again(project, "wechat-r1-inference")  # (what it approved includes every file)
    third = html_build(project)
    assert third.planned == ["wechat-r1-inference.zh-CN", "wechat-r1-inference.en"]
    assert not third.written
    assert html_build(project).up_to_date


@pytest.mark.parametrize("damage", [
    '{"format": 1, "outputs": [], "tree": 5, "briefs": null}',
    '{"format": 1, "outputs": {"a/b.html": 3}, "tree": {"x": {"outputs": 7}}, "briefs": {"a": 1}}',
    '[1, 2, 3]',
    '{"format": 1, "tree": {"x": {"key": 1, "outputs": [null, 2]}}}',
])
def test_a_damaged_manifest_means_rebuild_not_crash(project: Path, damage: str) -> None:
    html_build(project)
    manifest = project / "out" / ".briefs" / "manifest.json"
    manifest.write_text(damage, "utf-8")
    result = html_build(project)
    assert not result.failed and len(result.written) + len(result.skipped) == HTML_FILES
    assert html_build(project).up_to_date  # and the manifest is whole again


def test_installing_or_upgrading_a_library_ends_the_noop_fast_path(project: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from briefs.pipeline.fingerprints import installed_fingerprint

    html_build(project)
    assert html_build(project).up_to_date
    site = tmp_path / "site"
    (site / "jinja2-99.0.dist-info").mkdir(parents=True)  # as if a new Jinja were installed
    monkeypatch.syspath_prepend(str(site))
    installed_fingerprint.cache_clear()
    try:
        after = html_build(project)
        # Not a no-op: every output's key was checked; the HTML came out the same, so none is
        # rewritten, and the next build is a no-op again.
        assert not after.up_to_date and not after.written and len(after.skipped) == HTML_FILES
        assert html_build(project).up_to_date
    finally:
        monkeypatch.undo()
        installed_fingerprint.cache_clear()


def _shown_colour(pdf_path: Path) -> tuple[int, int, int]:
    """The colour of the one raster image a PDF draws (its first pixel)."""
    import pikepdf
    from pikepdf import PdfImage

    with pikepdf.open(pdf_path) as pdf:
        # WeasyPrint shares one resource dictionary between pages: the same object on each
        images = {image.objgen: image for page in pdf.pages for image in page.get_images().values()}
        assert len(images) == 1
        return PdfImage(next(iter(images.values()))).as_pil_image().convert("RGB").getpixel((0, 0))


@pytest.mark.pdf
def test_an_image_is_published_beside_the_html_and_its_edits_rebuild_the_pdf(project: Path) -> None:
    from html.parser import HTMLParser

    from PIL import Image

    brief = project / "content" / "compute-etf-note"
    Image.new("RGB", (40, 20), (200, 30, 30)).save(brief / "pic.png")
    with (brief / "etfs.zh-CN.md").open("a", encoding="utf-8") as f:
        f.write("\n![示意图：红色方块](pic.png)\n")
    config, out = load_config(project), project / "out"
    first = build(config, [brief], out=out, jobs=1)
    assert not first.failed and (out / "compute-etf-note" / "pic.png").read_bytes() == (brief / "pic.png").read_bytes()

    class Sources(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "img":
                self.found.append(dict(attrs)["src"] or "")

    page = out / "compute-etf-note" / "compute-etf-note.zh-CN.html"
    parser = Sources()
    parser.feed(page.read_text("utf-8"))
    assert parser.found == ["pic.png"] and all((page.parent / src).is_file() for src in parser.found)
    assert _shown_colour(page.with_suffix(".pdf")) == (200, 30, 30)

    Image.new("RGB", (40, 20), (30, 30, 200)).save(brief / "pic.png")  # the same name, a new picture
    second = build(config, [brief], out=out, jobs=1)
    assert {p.name for p in second.written} >= {"pic.png", "compute-etf-note.zh-CN.pdf"}
    assert "compute-etf-note.zh-CN.html" not in {p.name for p in second.written}  # its text is the same
    assert (out / "compute-etf-note" / "pic.png").read_bytes() == (brief / "pic.png").read_bytes()
    assert _shown_colour(page.with_suffix(".pdf")) == (30, 30, 200)

    (out / "compute-etf-note" / "pic.png").unlink()  # a published image deleted is put back
    assert [p.name for p in build(config, [brief], out=out, jobs=1).written] == ["pic.png"]


def test_default_jobs_follow_the_cores_this_process_may_use() -> None:
    # Pinned to one core (as taskset or a container's CPU set does), the default is 1 worker,
    # not the machine's core count.
    import subprocess
    import sys

    script = ("import os; os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]}); "
              "from briefs.cli import usable_cores; print(usable_cores())")
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True).stdout.strip()
    assert shown == "1"


def test_a_brief_outside_content_is_tracked_by_its_own_files(project: Path, tmp_path: Path) -> None:
    import shutil

    elsewhere = tmp_path / "drafts" / "compute-etf-note"
    shutil.copytree(project / "content" / "compute-etf-note", elsewhere)
    make_draft(elsewhere)  # (an approved brief edited is a draft again: both editions would change)
    config = load_config(project)
    first = build(config, [elsewhere], formats=HTML, out=project / "out")
    assert not first.failed and len(first.planned) == 2
    assert build(config, [elsewhere], formats=HTML, out=project / "out").up_to_date
    edit(elsewhere / "etfs.en.md", "R4", "R4 ")  # outside content/, and still an input
    again = build(config, [elsewhere], formats=HTML, out=project / "out")
    assert sorted(again.planned) == ["compute-etf-note.en", "compute-etf-note.zh-CN"]
    assert [p.name for p in again.written] == ["compute-etf-note.en.html"]
    assert build(config, [elsewhere], formats=HTML, out=project / "out").up_to_date


def test_the_layout_libraries_on_this_machine_are_part_of_the_keys() -> None:
    # WeasyPrint's text layout comes from system libraries, not Python packages: their files
    # are seen (so an apt upgrade of Pango or HarfBuzz re-renders the PDFs).
    from briefs.pipeline.fingerprints import layout_libraries

    seen = layout_libraries()
    names = {Path(line.split(":")[0]).name.split(".so")[0] for line in seen}
    assert {"libpango-1.0", "libpangoft2-1.0", "libharfbuzz", "libfontconfig", "libfreetype"} <= names
    for line in seen:
        path, size, mtime = line.rsplit(":", 2)
        stat = Path(path).stat()
        assert (int(size), int(mtime)) == (stat.st_size, stat.st_mtime_ns)


def test_outputs_no_brief_writes_any_more_are_removed(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """A withdrawn (or renamed) brief, a dropped edition and an image no longer shown leave the
    output folder, so they are not published with it; files the build did not write stay."""
    from PIL import Image

    out = project / "out"
    etf = project / "content" / "compute-etf-note"
    Image.new("RGB", (8, 8), (200, 30, 30)).save(etf / "pic.png")
    markdown = etf / "etfs.en.md"
    markdown.write_text(markdown.read_text("utf-8") + "\n![A red square](pic.png)\n", "utf-8")
    assert run_cli(project, "build", "--format", "html", "--lang", "zh-CN,en,zh-HK", "--out", "out").exit_code == 0
    withdrawn = out / "wechat-r1-inference"
    (withdrawn / "distribution").mkdir()
    (withdrawn / "distribution" / "sent.pdf").write_bytes(b"a copy that was sent")
    (out / "notes.txt").write_text("kept by hand", "utf-8")
    hk_pages = sorted(out.glob("*/*.zh-HK.html"))
    assert len(hk_pages) == len(SMALL)

    (project / "content" / "wechat-r1-inference").rename(project / "content" / "_withdrawn")
    markdown.write_text(markdown.read_text("utf-8").replace("\n![A red square](pic.png)\n", ""), "utf-8")
    edit(project / "pyproject.toml", 'zh-HK = { from = "zh-CN", convert = "s2hkp" }', "")
    result = run_cli(project, "build", "--format", "html", "--out", "out")
    assert result.exit_code == 0, result.output
    removed = {line.split()[1] for line in result.stdout.splitlines() if line.startswith("removed ")}
    expected = {"out/wechat-r1-inference/wechat-r1-inference.zh-CN.html",
                "out/wechat-r1-inference/wechat-r1-inference.en.html", "out/compute-etf-note/pic.png",
                *(p.relative_to(project).as_posix() for p in hk_pages)}
    assert removed == expected
    assert not any((project / name).exists() for name in expected)
    assert (withdrawn / "distribution" / "sent.pdf").is_file() and (out / "notes.txt").is_file()
    manifest = (out / ".briefs" / "manifest.json").read_text("utf-8")
    assert "wechat-r1-inference" not in manifest and "zh-HK" not in manifest
    assert run_cli(project, "build", "--format", "html", "--out", "out").stdout.startswith("up to date")


def test_a_manifest_never_leads_a_build_to_delete_outside_the_output_folder(project: Path) -> None:
    """Outputs on record that no brief writes are deleted; a damaged or hand-edited manifest
    naming files outside the output folder must not turn that into deleting them."""
    import json

    first = html_build(project)
    assert not first.failed
    victims = [project / "victim.txt", project / "content" / "_shared" / "house.yaml"]
    (project / "victim.txt").write_text("not the build's", "utf-8")
    out = project / "out"
    outside = out / "elsewhere"
    outside.symlink_to(project, target_is_directory=True)
    manifest = out / ".briefs" / "manifest.json"
    data = json.loads(manifest.read_text("utf-8"))
    entry = next(iter(data["outputs"].values()))
    for name in ("../victim.txt", str(project / "victim.txt"), "elsewhere/content/_shared/house.yaml"):
        data["outputs"][name] = dict(entry)
    manifest.write_text(json.dumps(data), "utf-8")
    result = html_build(project, force=True)
    assert not result.failed
    assert all(path.is_file() for path in victims)
    assert not result.removed
    recorded = set(json.loads(manifest.read_text("utf-8"))["outputs"])
    assert not {"../victim.txt", str(project / "victim.txt"), "elsewhere/content/_shared/house.yaml"} & recorded
