"""The distribution list read as a stream (issue 20): the same recipients and the same located
errors as any content file, and memory that does not grow with the length of the list."""

from __future__ import annotations

import os
import threading
import tracemalloc
from pathlib import Path

import pytest

from briefs.distribute.listing import MAX_ERRORS, RecipientFile
from briefs.distribute.recipients import load_recipients
from briefs.errors import ContentError
from briefs.project.config import load_config

LANGS = ("zh-CN", "en")


def listing(path: Path, count: int, start: int = 0) -> Path:
    path.write_text("recipients:\n" + "".join(
        f"  - {{id: client-{i:06d}, name: 测试客户{i}, organisation: 示例资产管理公司, lang: {LANGS[i % 2]}}}\n"
        for i in range(start, start + count)), "utf-8")
    return path


def problems(project: Path, text: str | bytes, only: tuple[str, ...] = ()) -> list[str]:
    path = project / "clients.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    with pytest.raises(ContentError) as refused:
        RecipientFile(load_config(project), path, only)
    return [str(d).removeprefix(f"{path}:") for d in refused.value.diagnostics]


def test_the_stream_gives_the_recipients_the_whole_file_gives(project: Path) -> None:
    config = load_config(project)
    path = listing(project / "clients.yaml", 40)
    streamed = RecipientFile(config, path)
    assert list(streamed) == load_recipients(config, path)
    assert list(streamed) == list(streamed)  # read again, the same
    assert len(streamed) == 40 and streamed.langs == ("zh-CN", "en")
    chosen = RecipientFile(config, path, ("client-000003",))
    assert [r.id for r in chosen] == ["client-000003"] and chosen.langs == ("en",)


def test_the_example_list_reads_as_before(project: Path) -> None:
    config = load_config(project)
    assert list(RecipientFile(config)) == load_recipients(config)


ENTRY = "  - id: {id}\n    name: Jane Doe\n    organisation: Alpha Capital\n    lang: {lang}\n"


@pytest.mark.parametrize("text, expected", [
    ("recipients:\n" + ENTRY.format(id="a", lang="en") + ENTRY.format(id="b", lang="fr"),
     ["9:5: language 'fr' is not one of the project's editions (zh-CN, en, zh-HK)"]),
    ("recipients:\n" + ENTRY.format(id="a", lang="en") + ENTRY.format(id="a", lang="en"),
     ["6:5: duplicate id 'a' (first used on line 2)"]),
    ("recipients:\n" + ENTRY.format(id="a", lang="en") + "    email: x@example.com\n",
     ["6:5: unknown key 'email'"]),
    ("recipients:\n  - id: a\n    name: Jane Doe\n    lang: en\n",
     ["2:5: missing required key 'organisation'"]),
    ("recipients:\n  - id: a\n    name: {first: Jane}\n    organisation: A\n    lang: en\n",
     ["3:5: 'name' must be text, not a mapping"]),
    ("recipients:\n  - id: a\n    name: Jane\u202e Doe\n", ["3:15: bidirectional control U+202E"]),
    ("recipients:\n  - id: a\n    name: \"Jane\\x01\"\n", ["3:11: control character U+0001"]),
    ("recipients:\n  - &x {id: a}\n  - *x\n", ["2:5: anchors (&x) are not allowed"]),
    ("recipients:\n  - !!python/object {id: a}\n", ["2:5: YAML tags are not allowed"]),
    ("recipients:\n  - id: a\n    id: b\n", ["3:5: duplicate key 'id' (first defined on line 2)"]),
    ("recipients: []\n", ["1:1: 'recipients' needs at least 1 item(s)"]),
    ("clients:\n  - id: a\n", ["1:1: unknown key 'clients'; the list is 'recipients'"]),
    ("- id: a\n", ["1:1: the distribution list is a mapping with one key, 'recipients'"]),
    ("", ["1:1: missing required key 'recipients'"]),
    ("recipients:\n  - id: a\n   name: b\n", ["3:"]),  # a YAML syntax error, at its line
    ("recipients:\n  - " + "[" * 5000 + "\n", ["2:"]),
    ("recipients:\n  - {id: a, name: Jane\u2028Doe}\n", ["2:23: U+2028 LINE SEPARATOR is not allowed"]),
    (b"recipients:\n  - {id: a, name: \xff}\n", ["2:1: not valid UTF-8"]),
])
def test_a_broken_list_is_refused_at_its_line(project: Path, text: str | bytes, expected: list[str]) -> None:
    found = problems(project, text)
    assert len(found) == len(expected), found
    for message, start in zip(found, expected, strict=True):
        assert message.startswith(start), (message, start)


def test_unknown_recipients_of_only_are_named(project: Path) -> None:
    found = problems(project, "recipients:\n" + ENTRY.format(id="a", lang="en"), ("a", "nobody"))
    assert found == ["1:1: no recipient 'nobody' on the list"]


def test_a_list_full_of_errors_is_reported_by_its_first_ones(project: Path) -> None:
    found = problems(project, "recipients:\n" + "".join(ENTRY.format(id=f"c{i}", lang="fr") for i in range(500)))
    assert len(found) == MAX_ERRORS
    assert found[0].startswith("5:5: language 'fr'")


def test_a_fifo_or_a_folder_is_refused_without_waiting(project: Path) -> None:
    fifo = project / "clients.yaml"
    os.mkfifo(fifo)
    done: list[BaseException] = []

    def read() -> None:
        try:
            RecipientFile(load_config(project), fifo)
        except ContentError as exc:
            done.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(30)
    assert done and "not a regular file" in str(done[0])
    with pytest.raises(ContentError, match="not a regular file"):
        RecipientFile(load_config(project), project / "content")


def _peak(project: Path, count: int) -> int:
    path = listing(project / f"clients-{count}.yaml", count)
    config = load_config(project)
    tracemalloc.start()
    try:
        streamed = RecipientFile(config, path)
        seen = sum(1 for _ in streamed)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        assert seen == count


def test_memory_does_not_grow_with_the_list(project: Path) -> None:
    # Ten times the recipients, checked and read through: the peak grows by the 8-byte hash of
    # each id (80 KB here), not with the list (load_recipients holds it all: about 30 MB here).
    small, large = _peak(project, 1_000), _peak(project, 10_000)
    assert large < small + 1_000_000, (small, large)
