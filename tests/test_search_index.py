"""The search index (Pagefind's indexing service, briefs/portal/searchservice.py).

Pagefind's Python API read each reply of its service with a stream limited to 2 MiB; the reply to
``get_files`` is the whole bundle. A portal of about a hundred briefs made a bigger one, the
API's reading task died of it and the build waited for ever. A test indexes pages whose bundle
is well past 2 MiB. The others: the bundle is the same bytes from run to run, and a Pagefind
that fails, ends or hangs is an error at the search folder, never a wait without end.
"""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pytest

from briefs.errors import OutputError
from briefs.portal import search, searchservice


def _pages(folder: Path, count: int) -> list[tuple[str, Path]]:
    """``count`` English pages of 3,000 distinct made-up words each (about 50 KB of index each)."""
    draw = random.Random(7)
    pages = []
    for i in range(count):
        words = " ".join("".join(draw.choices(string.ascii_lowercase, k=8)) for _ in range(3000))
        path = folder / f"p{i}.html"
        path.write_text(f'<!DOCTYPE html><html lang="en"><head><title>Page {i}</title></head>'
                        f"<body><main><h1>Page {i}</h1><p>{words}</p></main></body></html>", "utf-8")
        pages.append((f"/p{i}.html", path))
    return pages


def test_a_bundle_larger_than_the_apis_reply_limit_is_written(tmp_path: Path) -> None:
    pages = _pages(tmp_path, 40)
    files, written = search.write_search(tmp_path / "out", pages)
    size = sum(f.stat().st_size for f in files)
    assert size > 2**21, f"the bundle ({size} bytes, more again in base64) is past the 2 MiB reply limit"
    assert files == written
    assert any(f.name == "pagefind-entry.json" for f in files)
    assert sum(1 for f in files if f.parent.name == "fragment") == 40  # one fragment per page


def test_the_entry_file_is_the_same_from_run_to_run(tmp_path: Path) -> None:
    # Pagefind lists the bundle's languages from a hash map seeded afresh in each process: the
    # same pages gave entry files in different orders, so no two builds were byte for byte alike.
    folder = tmp_path / "pages"
    folder.mkdir()
    pages = []
    for i, lang in enumerate(("zh-HK", "en", "zh-CN", "fr", "de")):
        path = folder / f"p{i}.html"
        path.write_text(f'<!DOCTYPE html><html lang="{lang}"><head><title>{i}</title></head>'
                        f"<body><main><p>page {i} 页面 {i}</p></main></body></html>", "utf-8")
        pages.append((f"/p{i}.html", path))
    entries = set()
    for run in range(3):
        files, _ = search.write_search(tmp_path / f"out{run}", pages)
        entry = next(f for f in files if f.name == "pagefind-entry.json")
        languages = list(json.loads(entry.read_bytes())["languages"])
        assert languages == sorted(languages) and len(languages) == 5, languages
        entries.add(entry.read_bytes())
    assert len(entries) == 1


@pytest.mark.parametrize("binary, words", [
    ("#!/bin/sh\nexit 3\n", "the service ended (status 3)"),
    ("#!/bin/sh\necho 'pagefind: cannot start' >&2\nexit 1\n", "the service ended (status 1): pagefind: cannot start"),
    ("#!/bin/sh\nexec sleep 60\n", "no reply within 1 s"),
    ("#!/bin/sh\nprintf 'bm90IGpzb24=,'\nexec sleep 60\n", "Pagefind could not build the search index"),
    (None, "cannot start"),  # not executable
])
def test_a_pagefind_that_fails_ends_or_hangs_is_a_located_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               binary: str | None, words: str) -> None:
    fake = tmp_path / "pagefind"
    fake.write_text(binary or "#!/bin/sh\n", "utf-8")
    fake.chmod(0o755 if binary else 0o644)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    monkeypatch.setattr(searchservice, "DEADLINE", 1.0)
    with pytest.raises(OutputError) as raised:
        search.write_search(tmp_path / "out", _pages(tmp_path, 1))
    message = str(raised.value.diagnostics[0])
    assert message.startswith(f"{tmp_path / 'out' / 'pagefind'}:") and words in message, message
