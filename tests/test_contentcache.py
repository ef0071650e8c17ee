"""The loader remembers, within a process, what it derived from each text (briefs.source.contentcache):
parsed YAML, a CSV file's cells, the Markdown checks' findings. Any edit between two loads must be
seen, however quickly it follows and even with the file's modification time put back; an edit
that breaks a file is reported at its line; what one caller is handed is not another's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefs.errors import ContentError
from briefs.load.project import load_project
from briefs.project.config import load_config
from briefs.source.contentcache import ContentCache
from briefs.source.yamlsource import cached_yaml, load_yaml

from .conftest import copy_project, edit

ETF = "compute-etf-note"


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small copy of the examples for the module: loaded first, so the caches hold it."""
    project = copy_project(tmp_path_factory.mktemp("cache") / "project", theme=False, briefs=(ETF,))
    load_project(load_config(project))
    return project


@pytest.fixture
def project(examples: Path, tmp_path: Path) -> Path:
    """A copy of that project (the same texts: every file of it is in the caches already)."""
    copy = copy_project(tmp_path / "project", theme=False, briefs=(ETF,))
    load_project(load_config(copy))
    return copy


def edited_in_place(path: Path, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` (of the same length) keeping the file's size and modification
    time, as a quick editor or a test can within one clock tick; returns the line changed."""
    assert len(old.encode()) == len(new.encode())
    before = path.stat()
    line = edit(path, old, new)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    return line


def errors(project: Path) -> str:
    with pytest.raises(ContentError) as info:
        load_project(load_config(project))
    return str(info.value)


def test_an_edit_to_a_shared_file_is_seen_by_the_next_load(project: Path) -> None:
    edited_in_place(project / "content/_shared/analysts.yaml", "en: Lin Qing}", "en: Lin Qiao}")
    library = load_project(load_config(project)).library
    assert library.analyst("lin-qing").name["en"] == "Lin Qiao"  # type: ignore[union-attr]


def test_a_broken_shared_file_is_reported_at_its_line_then_loads_again_when_fixed(project: Path) -> None:
    path = project / "content/_shared/analysts.yaml"
    line = edited_in_place(path, "role: analyst\n", "role: [analys\n")  # a bracket never closed
    assert f"analysts.yaml:{line}:" in errors(project)
    edited_in_place(path, "role: [analys\n", "role: analyst\n")
    load_project(load_config(project))


def test_an_edit_to_a_brief_is_seen_and_a_broken_one_located(project: Path) -> None:
    path = project / "content" / ETF / "brief.yaml"
    line = edited_in_place(path, "    kind: chart\n", "    kind: chaRt\n")
    message = errors(project)
    assert f"{ETF}/brief.yaml:{line}:" in message and "chaRt" in message


def test_an_edit_to_a_csv_file_is_seen_and_a_broken_one_located(project: Path) -> None:
    path = project / "content" / ETF / "compute-share.csv"
    edited_in_place(path, "inference,95\ntraining,5\n", "inference,91\ntraining,9\n")
    loaded = load_project(load_config(project)).briefs[0]
    assert [row["share"].value for row in loaded.exhibits["compute-share"].rows] == [91, 9]
    line = edited_in_place(path, "training,9\n", "training,,\n")
    assert f"{ETF}/compute-share.csv:{line}:" in errors(project)


def test_an_edit_to_a_markdown_file_is_seen_and_its_error_located(project: Path) -> None:
    path = project / "content" / ETF / "etfs.en.md"
    line = edited_in_place(path, "(see [](#etf-list))", "(see [](#etf-lisT))")
    message = errors(project)
    assert f"{ETF}/etfs.en.md:{line}:" in message and "#etf-lisT" in message
    edited_in_place(path, "(see [](#etf-lisT))", "(see [](#etf-list))")
    load_project(load_config(project))


def test_an_edit_to_the_phrase_table_is_seen_by_the_next_load(project: Path) -> None:
    path = project / "content/_shared/phrases.yaml"
    edited_in_place(path, "芯片: 晶片", "芯片: 芯片")
    phrases = dict(load_project(load_config(project)).library.phrases["zh-HK"].phrases)
    assert phrases["芯片"] == "芯片"


def test_the_same_texts_in_another_project_are_located_in_that_project(project: Path, tmp_path: Path) -> None:
    other = copy_project(tmp_path / "other", theme=False, briefs=(ETF,))
    loaded = load_project(load_config(other))
    assert all(doc.path.is_relative_to(other) for doc in loaded.library.docs.values())
    brief = loaded.briefs[0]
    assert brief.path.is_relative_to(other) and brief.doc is not None and brief.doc.path.is_relative_to(other)
    assert all(cell.where.path.is_relative_to(other) for row in brief.exhibits["compute-share"].rows
               for cell in row.values())
    edit(other / "content" / ETF / "etfs.en.md", "(see [](#etf-list))", "(see [](#etf-lisT))")
    message = errors(other)
    assert str(other.name) in message and str(project) not in message


def test_what_one_caller_is_handed_is_its_own(project: Path) -> None:
    path = project / "content" / ETF / "brief.yaml"
    first = cached_yaml(path)
    first.data["id"] = "changed"
    first.data["sections"].clear()
    first.lines.clear()
    again = cached_yaml(path)
    assert again.data == load_yaml(path).data and again.lines == load_yaml(path).lines
    assert again.data["id"] == ETF and again.data["sections"]


def test_a_cache_keeps_its_size_dropping_the_least_recently_used() -> None:
    cache: ContentCache[str] = ContentCache(10)
    cache.put("a", "A", 4)
    cache.put("b", "B", 4)
    assert cache.get("a") == "A"  # now the most recently used
    cache.put("c", "C", 4)  # over 10: "b" goes
    assert cache.get("b") is None and cache.get("a") == "A" and cache.get("c") == "C"
    cache.put("huge", "H", 11)  # heavier than the whole cache: not kept, nothing dropped for it
    assert cache.get("huge") is None and len(cache) == 2
    assert cache.remembered("d", lambda: "D", 4) == "D" and cache.get("d") == "D"
