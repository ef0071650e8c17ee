"""Full-text search: Pagefind's extended build (which segments Chinese) indexes the briefs' HTML.

Pagefind runs in memory through its Python API; the bundle it makes (one index per language,
from each page's ``lang``) is written into ``<out>/pagefind/`` file by file with the atomic
writer, and files of an earlier bundle that the new one does not have are removed. Only the
pages the portal lists are indexed, so a draft left out of a final portal is not found either.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from briefs.errors import OutputError
from briefs.pipeline.outputs import SEARCH_FOLDER
from briefs.pipeline.write import write_atomic

# Parts of a brief that every brief shares (the house's disclosures) or that are not its text:
# left out of the index so that a query finds the brief that is about it.
EXCLUDE = (".draft-mark", ".draft-banner", "#disclosures", ".disclosures", "nav", "footer")


# Pagefind's Python API reads each reply of its service with a stream limited to 2 MiB. The
# reply to get_files() is the whole bundle, base64 in JSON: past about 20 long pages it overran
# that limit, the API's reading task died, and the build waited for ever (found at 100 briefs).
REPLY_LIMIT = 2**31


async def _bundle(pages: Sequence[tuple[str, str]]) -> dict[str, bytes]:
    from pagefind.index import IndexConfig, PagefindIndex

    config: IndexConfig = {"exclude_selectors": list(EXCLUDE), "keep_index_url": True}
    async with PagefindIndex(config) as index:
        # delete_index() forgets the service, so leaving the block would not stop it: one
        # pagefind process left running per build (pagefind 1.x); stopped here instead.
        service = getattr(index, "_service", None)
        stdout = getattr(getattr(service, "_backend", None), "stdout", None)
        if isinstance(getattr(stdout, "_limit", None), int):
            stdout._limit = REPLY_LIMIT  # type: ignore[union-attr]
        try:
            for url, text in pages:
                await index.add_html_file(content=text, url=url)
            files = await index.get_files()
        finally:
            try:
                await index.delete_index()  # nothing is written by Pagefind itself
            finally:
                if service is not None:
                    await service.close()
    return {f["path"]: f["content"] for f in files}


def _run(texts: Sequence[tuple[str, str]]) -> dict[str, bytes]:
    """Run the indexing coroutine to its end, also when called from inside an event loop (a
    build started by a server): then on a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_bundle(texts))
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _bundle(texts)).result()


def holds(path: Path, data: bytes) -> bool:
    """Whether the regular file ``path`` already has exactly ``data`` (then it is not written)."""
    try:
        return path.is_file() and not path.is_symlink() and path.read_bytes() == data
    except OSError:
        return False


def write_search(out: Path, pages: Sequence[tuple[str, Path]]) -> tuple[list[Path], list[Path]]:
    """Index ``pages`` ((site-relative URL, HTML file)) into ``out/pagefind``; returns the files
    of the bundle, and those of them written (a file the same as before is left alone).

    No page: no bundle (an earlier one is removed). A Pagefind that cannot run is an
    :class:`OutputError` at that folder."""
    folder = out / SEARCH_FOLDER
    bundle: dict[str, bytes] = {}
    if pages:
        texts = [(url, path.read_text("utf-8")) for url, path in pages]
        try:
            bundle = _run(texts)
        except Exception as exc:  # noqa: BLE001 - Pagefind's service reports failures of any kind
            raise OutputError.at(folder, 0, 0, f"Pagefind could not build the search index: {exc}") from None
    written: list[Path] = []
    keep: set[Path] = set()
    for name, data in sorted(bundle.items()):
        if ".." in Path(name).parts or Path(name).is_absolute():
            continue
        path = folder / name
        keep.add(path)
        if not holds(path, data):  # most of a bundle is the same from build to build
            write_atomic(path, data)
            written.append(path)
    _prune(folder, keep)
    return sorted(keep), written


def _prune(folder: Path, keep: set[Path]) -> None:
    """Remove what an earlier bundle left that this one does not have (never through a link)."""
    if not folder.is_dir() or folder.is_symlink():
        return
    for old in sorted(folder.rglob("*"), reverse=True):
        if old.is_symlink() or (old.is_file() and old not in keep):
            old.unlink()
        elif old.is_dir() and not any(old.iterdir()):
            old.rmdir()
