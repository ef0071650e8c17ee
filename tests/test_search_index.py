"""The search index of a large portal (Pagefind through its Python API).

Pagefind's API reads each reply of its service with a stream limited to 2 MiB; the reply to
``get_files`` is the whole bundle. A portal of about a hundred briefs made a bigger one, the
API's reading task died of it and the build waited for ever. This test indexes pages whose
bundle is well past 2 MiB.
"""

from __future__ import annotations

import random
import string
from pathlib import Path

from briefs.portal import search


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
