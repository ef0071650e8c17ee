"""Full-text search: Pagefind's extended build (which segments Chinese) indexes the briefs' HTML.

Pagefind runs in memory as a service (:mod:`briefs.portal.searchservice`); the bundle it makes
(one index per language, from each page's ``lang``) is written into ``<out>/pagefind/`` file by
file with the atomic writer, and files of an earlier bundle that the new one does not have are removed. Only the
pages the portal lists are indexed, so a draft left out of a final portal is not found either.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Sequence
from pathlib import Path

from briefs.errors import OutputError
from briefs.pipeline.outputs import SEARCH_FOLDER
from briefs.pipeline.write import write_atomic
from briefs.portal.searchservice import SearchServiceError, index_pages

# Parts of a brief that every brief shares (the house's disclosures) or that are not its text:
# left out of the index so that a query finds the brief that is about it.
EXCLUDE = (".draft-mark", ".draft-banner", "#disclosures", ".disclosures", "nav", "footer")


ENTRY = "pagefind-entry.json"


def _steady(bundle: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle with its entry file's languages in one order. Pagefind writes them from a hash
    map seeded afresh in every process, so the same pages gave one of two entry files at random
    (two languages): a build was not byte for byte the same as the last. The order means nothing
    to Pagefind's reader, which looks the language up by name."""
    entry = bundle.get(ENTRY)
    if entry is None:
        return bundle
    data = json.loads(entry)
    if isinstance(data, dict) and isinstance(data.get("languages"), dict):
        data["languages"] = dict(sorted(data["languages"].items()))
        entry = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return {**bundle, ENTRY: entry}


def holds(path: Path, data: bytes) -> bool:
    """Whether the regular file ``path`` already has exactly ``data`` (then it is not written)."""
    try:
        return path.is_file() and not path.is_symlink() and path.read_bytes() == data
    except OSError:
        return False


# A large portal's index comes in parts, each a Pagefind bundle of its own that the page's search
# merges (Pagefind's mergeIndex). Pagefind has no incremental mode and takes about 12 ms of CPU a
# page: one index of 2,000 pages made again for one edited brief took 25 s. A brief's pages go to
# the part its id hashes to, so an edit re-indexes one part. Up to PART_PAGES pages one part (the
# bundle in pagefind/ as before); past that the number of parts doubles until each holds at most
# PART_PAGES on average. Part 0 is pagefind/, part k pagefind/part-k/.
PART_PAGES = 200
PART = re.compile(r"part-([1-9][0-9]*)")


def part_count(pages: int) -> int:
    """How many parts an index of ``pages`` pages comes in (a power of two)."""
    count = 1
    while pages > count * PART_PAGES:
        count *= 2
    return count


def part_name(number: int) -> str:
    """The folder of one part, relative to the output folder."""
    return SEARCH_FOLDER if number == 0 else f"{SEARCH_FOLDER}/part-{number}"


def part_of(name: str) -> int:
    """The part a file of the search bundle (relative to the output folder) belongs to."""
    parts = name.split("/")
    found = PART.fullmatch(parts[1]) if len(parts) > 2 else None
    return int(found[1]) if found else 0


def split(pages: Sequence[tuple[str, Path]]) -> list[list[tuple[str, Path]]]:
    """``pages`` ((site URL ``/<id>/…``, file)) by part, each in the order given."""
    count = part_count(len(pages))
    parts: list[list[tuple[str, Path]]] = [[] for _ in range(count)]
    for url, path in pages:
        brief = url.lstrip("/").split("/", 1)[0]
        parts[zlib.crc32(brief.encode("utf-8")) % count].append((url, path))
    return parts


def write_search(out: Path, pages: Sequence[tuple[str, Path]], number: int = 0) -> tuple[list[Path], list[Path]]:
    """Index ``pages`` ((site-relative URL, HTML file)) into part ``number`` of the search index
    (``out/pagefind``: part 0); returns the files of the bundle, and those of them written (a
    file the same as before is left alone).

    No page: no bundle (an earlier one is removed). A Pagefind that cannot run is an
    :class:`OutputError` at that folder."""
    folder = out / part_name(number)
    bundle: dict[str, bytes] = {}
    if pages:
        texts = [(url, path.read_text("utf-8")) for url, path in pages]
        try:
            bundle = _steady(index_pages(texts, {"exclude_selectors": list(EXCLUDE), "keep_index_url": True}))
        except (SearchServiceError, OSError, ValueError, KeyError) as exc:  # a reply not as agreed too
            raise OutputError.at(folder, 0, 0, f"Pagefind could not build the search index: {exc}") from None
    written: list[Path] = []
    keep: set[Path] = set()
    for name, data in sorted(bundle.items()):
        if ".." in Path(name).parts or Path(name).is_absolute() or PART.fullmatch(Path(name).parts[0]):
            continue
        path = folder / name
        keep.add(path)
        if not holds(path, data):  # most of a bundle is the same from build to build
            write_atomic(path, data)
            written.append(path)
    _prune(folder, keep, others=number == 0)
    return sorted(keep), written


def drop_parts(out: Path, count: int) -> None:
    """Remove the parts numbered ``count`` and above that an earlier, larger index left."""
    folder = out / SEARCH_FOLDER
    if not folder.is_dir() or folder.is_symlink():
        return
    for old in folder.iterdir():
        found = PART.fullmatch(old.name)
        if found and int(found[1]) >= count:
            if old.is_symlink() or not old.is_dir():
                old.unlink()
            else:
                _prune(old, set())
                old.rmdir()


def _prune(folder: Path, keep: set[Path], others: bool = False) -> None:
    """Remove what an earlier bundle left that this one does not have (never through a link);
    with ``others``, leave the other parts' folders (``part-k``) to their own bundles."""
    if not folder.is_dir() or folder.is_symlink():
        return
    for old in sorted(folder.rglob("*"), reverse=True):
        if others and PART.fullmatch(old.relative_to(folder).parts[0]) and not old.is_symlink():
            continue
        if old.is_symlink() or (old.is_file() and old not in keep):
            old.unlink()
        elif old.is_dir() and not any(old.iterdir()):
            old.rmdir()
