"""The load cache (briefs.pipeline.loadcache): a rebuild loads again only the briefs whose inputs
changed, builds exactly what a build without it builds, and never unpickles an entry that this
user's builds did not sign."""

from __future__ import annotations

import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from briefs.load import project as loading
from briefs.pipeline.loadcache import FOLDER, MAGIC, secret_path
from briefs.pipeline.run import build
from briefs.project.config import load_config

from .conftest import SMALL, approve_again, edit

ETF = "compute-etf-note"


@pytest.fixture
def project(small_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "cache"))  # this test's own secret
    return small_project


def counting(monkeypatch: pytest.MonkeyPatch, module: object, name: str, which: Callable[..., str]) -> list[str]:
    """Calls of ``module.name`` from now on, each named by ``which`` of its arguments; the
    function itself still runs."""
    seen: list[str] = []
    real = getattr(module, name)

    def counted(*args: object) -> object:
        seen.append(which(*args))
        return real(*args)

    monkeypatch.setattr(module, name, counted)
    return seen


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The briefs loaded from their files (not taken from the cache), by folder name, in order."""
    return counting(monkeypatch, loading, "load_brief", lambda path, *_: path.parent.name)


def html_build(project: Path, out: str = "out", **kwargs):  # type: ignore[no-untyped-def]
    return build(load_config(project), formats=("html",), out=project / out, **kwargs)


def html_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.glob("*/*.html"))}


def entries(project: Path, out: str = "out") -> list[Path]:
    return sorted((project / out / FOLDER).glob("*.pickle"))


def edit_etf(project: Path, loads: list[str]) -> None:
    """Change one brief (and approve it again, as compliance would); forget the approval's loads."""
    edit(project / "content" / ETF / "etfs.en.md", "R4", "R4 ")
    approve_again(project, ETF)
    loads.clear()


def test_after_an_edit_only_the_edited_brief_is_loaded_and_the_output_is_as_without_the_cache(
    project: Path, loads: list[str]
) -> None:
    html_build(project)
    assert sorted(loads) == sorted(SMALL) and len(entries(project)) == len(SMALL)
    edit_etf(project, loads)
    result = html_build(project)
    assert loads == [ETF]
    assert {p.name for p in result.written} == {f"{ETF}.en.html"}
    html_build(project, out="fresh")  # another output folder: nothing kept there yet
    assert sorted(loads) == sorted([ETF, *SMALL])
    assert html_of(project / "out") == html_of(project / "fresh")


def test_a_shared_edit_loads_every_brief_again(project: Path, loads: list[str]) -> None:
    html_build(project)
    analysts = project / "content" / "_shared" / "analysts.yaml"
    text = analysts.read_text("utf-8")
    licence = text.split("licence:", 1)[1].split("\n", 1)[0].strip()
    analysts.write_text(text.replace(licence, "S0000000000099", 1), "utf-8")
    loads.clear()
    html_build(project)
    assert sorted(loads) == sorted(SMALL)
    assert any("S0000000000099" in html.decode() for html in html_of(project / "out").values())


def test_force_loads_every_brief_afresh(project: Path, loads: list[str]) -> None:
    html_build(project)
    loads.clear()
    html_build(project, force=True)
    assert sorted(loads) == sorted(SMALL)


def test_an_entry_this_user_did_not_sign_is_never_unpickled(project: Path, loads: list[str], tmp_path: Path) -> None:
    html_build(project)
    marker = tmp_path / "unpickled"

    class Payload:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (os.mkdir, (str(marker),))

    body = pickle.dumps(Payload())
    for entry in entries(project):
        raw = entry.read_bytes()
        key_line = raw[len(MAGIC) + 32 :].split(b"\n", 1)[0] + b"\n"  # the right key, a forged signature
        entry.write_bytes(MAGIC + bytes(32) + key_line + body)
    edit_etf(project, loads)
    html_build(project)
    assert not marker.exists()
    assert sorted(loads) == sorted(SMALL)  # every brief loaded from its files
    html_build(project, out="fresh")
    assert html_of(project / "out") == html_of(project / "fresh")


def test_entries_signed_with_another_users_secret_are_not_used(
    project: Path, loads: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html_build(project)  # signed with this test's secret
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "another"))  # as a colleague, or a CI runner
    edit_etf(project, loads)
    html_build(project)
    assert sorted(loads) == sorted(SMALL)
    loads.clear()
    edit(project / "content" / ETF / "etfs.en.md", "R4 ", "R4")
    approve_again(project, ETF)
    loads.clear()
    html_build(project)  # written again under the new secret: used from now on
    assert loads == [ETF]


def test_damaged_entries_are_loaded_again_without_a_word(project: Path, loads: list[str]) -> None:
    html_build(project)
    for entry in entries(project):
        entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])
    edit_etf(project, loads)
    result = html_build(project)
    assert sorted(loads) == sorted(SMALL) and not result.failed


def test_a_secret_others_can_read_turns_the_cache_off(project: Path, loads: list[str]) -> None:
    html_build(project)
    secret_path().chmod(0o644)
    edit_etf(project, loads)
    html_build(project)
    assert sorted(loads) == sorted(SMALL)


def test_the_entries_of_removed_briefs_go(project: Path) -> None:
    html_build(project)
    assert len(entries(project)) == len(SMALL)
    shutil.rmtree(project / "content" / ETF)
    html_build(project)
    assert len(entries(project)) == len(SMALL) - 1


def test_an_approval_kept_bound_follows_an_edit_of_the_approved_brief(project: Path, loads: list[str]) -> None:
    """Binding is kept with the loaded brief: an edit without a new approval makes a draft,
    and the brief that was not edited stays approved (taken from the cache, not bound again)."""
    html_build(project)
    edit(project / "content" / ETF / "etfs.en.md", "R4", "R4 ")  # not approved again
    loads.clear()
    html_build(project)
    assert loads == [ETF]
    result = html_build(project, out="fresh")  # every brief loaded and bound afresh
    assert not result.failed and html_of(project / "out") == html_of(project / "fresh")
    manifest = (project / "out" / ".briefs" / "manifest.json").read_text("utf-8")
    assert f'"{ETF}/{ETF}.en.html"' in manifest
    drafts = {b.brief.id for b in loading.load_project(load_config(project)).briefs if b.brief.draft}
    assert ETF in drafts and "wechat-r1-inference" not in drafts


def test_a_rebuild_checks_the_briefs_it_plans_and_check_sees_them_all(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """The build's checks look at what it plans; the others were reported when they were built."""
    edit(project / "content" / ETF / "etfs.en.md", "R4", "R4 \U0001d11e")  # no font draws it: a warning
    first = run_cli(project, "build", "--format", "html")
    assert first.exit_code == 0
    assert "etfs.en.md" in first.output and "U+1D11E" in first.output
    (project / "content" / "wechat-r1-inference" / "notes.txt").write_text("x", "utf-8")  # only its key changes
    second = run_cli(project, "build", "--format", "html")
    assert second.exit_code == 0 and "U+1D11E" not in second.output  # the glyph's brief was not planned
    checked = run_cli(project, "check")
    assert "U+1D11E" in checked.output


def test_a_portal_entry_is_made_again_only_when_its_briefs_key_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefs.portal import build as portal

    made = counting(monkeypatch, portal, "entry_of", lambda loaded, *_: loaded.brief.id)
    html_build(project)
    assert sorted(made) == sorted(SMALL)
    edit(project / "content" / ETF / "brief.yaml", "is still compute-hungry", "is still compute-hungry, revised")
    approve_again(project, ETF)
    made.clear()
    html_build(project)
    assert made == [ETF]
    assert "compute-hungry, revised" in (project / "out" / "index.en.html").read_text("utf-8")
    kinds = project / "content" / "_shared" / "kinds.yaml"  # a shared label: every entry made again
    edit(kinds, "en: Industry Comment}", "en: Industry Commentary}")
    made.clear()
    html_build(project)
    assert sorted(made) == sorted(SMALL)
    assert "Industry Commentary" in (project / "out" / "index.en.html").read_text("utf-8")


def test_the_index_pages_are_rendered_again_only_when_what_they_show_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefs.portal import build as portal

    rendered = counting(monkeypatch, portal, "render_page", lambda theme, ed, data: ed.lang)
    html_build(project)
    assert sorted(rendered) == ["en", "zh-CN"]
    index = project / "out" / "index.en.html"
    edit(project / "content" / ETF / "etfs.en.md", "R4", "R4 ")  # a body: nothing the index shows
    approve_again(project, ETF)
    rendered.clear()
    before = index.stat().st_mtime_ns
    html_build(project)
    assert rendered == [] and index.stat().st_mtime_ns == before
    house = project / "content" / "_shared" / "house.yaml"  # the house's name heads every page
    text = house.read_text("utf-8")
    name = text.split("en:", 1)[1].split("\n", 1)[0].split(",", 1)[0].strip().strip("}").strip("'\"")
    edit(house, name, name + " Research Desk")
    html_build(project)
    assert sorted(rendered) == ["en", "zh-CN"] and f"{name} Research Desk" in index.read_text("utf-8")
    rendered.clear()
    index.write_text("altered", "utf-8")  # a page altered by hand is written again
    html_build(project, force=True)
    assert sorted(rendered) == ["en", "zh-CN"] and "altered" not in index.read_text("utf-8")



def test_a_moved_project_plans_only_what_changed_and_loads_every_brief_afresh(project: Path, loads: list[str]) -> None:
    """The project and its output folder moved together (a CI checkout elsewhere, with output/
    restored), then one brief edited: the brief keys hold no absolute path, so only that brief is
    planned; the kept briefs name their files by absolute path, so none is taken from the cache."""
    html_build(project)
    moved = project.rename(project.with_name("moved"))
    assert html_build(moved).up_to_date  # nothing changed: not even loaded
    edit_etf(moved, loads)
    result = html_build(moved)
    assert result.planned and all(ETF in label for label in result.planned), result.planned
    assert {p.parent.name for p in result.written} == {ETF}
    assert sorted(loads) == sorted(SMALL)
