"""Writing the portal after a build: the index of each language (and ``index.html``), the Atom
feed of each language, and the Pagefind search bundle, all into the output folder.

The portal lists every brief whose documents are in the output folder: the briefs this build
loaded, and those of earlier builds kept in the portal record (:mod:`briefs.portal.state`). A
brief whose folder left content/ (withdrawn, renamed) is dropped, as its files are
(:mod:`briefs.pipeline.withdrawn`). A ``final`` build's portal lists no draft; a feed never does.

A page or feed is written only when its bytes change, and Pagefind runs only when a page it
indexes changed; the record keeps each file's size and time, so that a build with nothing
changed at all (:meth:`briefs.pipeline.request.BuildRequest.unchanged`) checks the portal by ``stat``.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from briefs.errors import ContentError
from briefs.load.loaded import Project
from briefs.localize.i18n import translations
from briefs.pipeline.fingerprints import digest, folder_digest, installed_fingerprint, toolkit_fingerprint
from briefs.pipeline.incremental import Manifest
from briefs.pipeline.outputs import (
    PORTAL_INDEX,
    SEARCH_FOLDER,
    document_file,
    document_name,
    feed_name,
    is_portal,
    portal_index_name,
)
from briefs.pipeline.planning import edition
from briefs.pipeline.write import write_atomic
from briefs.portal.entries import PortalEntry, entry_of, newest_first
from briefs.portal.feeds import authority, feed
from briefs.portal.pages import Language, Link, page, render_page, row
from briefs.portal.search import EXCLUDE, drop_parts, holds, part_name, part_of, split, write_search
from briefs.portal.state import PortalState, load_state, save_state
from briefs.project.config import ProjectConfig
from briefs.project.languages import LANGUAGES
from briefs.render.theme import theme_of
from briefs.version import __version__

FORMATS = (("html", "HTML"), ("pdf", "PDF"))  # what the index links, per language


@dataclass(frozen=True)
class Listing:
    """What the portal of one build shows: its entries (newest first), each one's files, the
    languages with an index, and the pages to index for search."""

    entries: tuple[PortalEntry, ...]
    links: Mapping[str, tuple[Link, ...]]
    langs: tuple[str, ...]
    pages: tuple[tuple[str, Path], ...]  # (site URL, HTML file)


def _links(out: Path, brief_id: str, langs: Sequence[str]) -> tuple[Link, ...]:
    """The brief's documents in the output folder: regular files, never through a link (what a
    link points at is not what briefs wrote, and is neither listed nor indexed)."""
    found: list[Link] = []
    folder = out / brief_id
    try:
        if stat.S_ISLNK(os.lstat(folder).st_mode):
            return ()
        with os.scandir(folder) as listed:  # one listing, not a stat of each name (1,000 briefs)
            regular = {entry.name for entry in listed if entry.is_file(follow_symlinks=False)}
    except OSError:  # no folder (nothing built yet), or not one
        return ()
    for lang in langs:
        for suffix, label in FORMATS:
            if document_file(brief_id, lang, suffix) in regular:
                found.append(Link(lang, LANGUAGES[lang].label, label, document_name(brief_id, lang, suffix)))
    return tuple(found)


def entries_of(
    project: Project, state: PortalState, editions: Sequence[str], keys: Mapping[str, str] | None = None
) -> tuple[dict[str, PortalEntry], dict[str, str]]:
    """The loaded briefs' entries, and those on record of briefs still in content/; with the
    key each was made from (``keys``: brief id -> its key in this build, :mod:`briefs.pipeline.run`).
    A loaded brief's entry on record from the same key is used as it is (an entry depends only
    on what the key covers: the brief, the shared files, the configuration, the code)."""
    config = project.config
    present = {p.parent.name for p in config.content.glob("*/brief.yaml")}
    kept: dict[str, PortalEntry] = {}
    made_from: dict[str, str] = {}
    for raw in state.entries:
        entry = PortalEntry.parse(raw)
        if (
            entry is not None
            and entry.id in present
            and all(lang in entry.title and lang in entry.summary for lang in editions)
        ):
            kept[entry.id] = entry
            made_from[entry.id] = raw.get("key") if isinstance(raw.get("key"), str) else ""
    chosen = [edition(config, lang) for lang in editions]
    for loaded in project.briefs:
        key = (keys or {}).get(loaded.brief.id, "")
        if not key or made_from.get(loaded.brief.id) != key:
            kept[loaded.brief.id] = entry_of(loaded, project.library, chosen)
            made_from[loaded.brief.id] = key
    return kept, made_from


def listing(out: Path, entries: Mapping[str, PortalEntry], editions: Sequence[str], langs: Sequence[str],
            final: bool) -> Listing:  # fmt: skip
    """The entries to list (no draft in a final portal, none without a file) and their files."""
    links = {e.id: _links(out, e.id, editions) for e in entries.values()}
    shown = tuple(e for e in newest_first(list(entries.values())) if links[e.id] and not (final and e.draft))
    with_html = [lang for lang in editions if any(k.lang == lang and k.format == "HTML" for e in shown
                                                  for k in links[e.id])]  # fmt: skip
    pages = tuple(("/" + k.href, out / k.href) for e in shown for k in links[e.id] if k.format == "HTML")
    return Listing(shown, {e.id: links[e.id] for e in shown}, tuple(with_html or langs), pages)


def _search_key(pages: Sequence[tuple[str, Path]], manifest: Manifest) -> str:
    """What a part of the search index is made from: Pagefind's version, and each page it
    indexes by its recorded hash (a page the manifest does not know, by its size and time)."""

    def page_key(path: Path) -> str:
        record = manifest.outputs.get(path.relative_to(manifest.out).as_posix())
        info = path.stat()
        if record is not None and (record.size, record.mtime_ns) == (info.st_size, info.st_mtime_ns):
            return record.sha256
        return f"{info.st_size}:{info.st_mtime_ns}"

    return digest(
        [
            __version__,
            metadata.version("pagefind_bin_extended"),
            *EXCLUDE,
            *(f"{url}={page_key(path)}" for url, path in pages),
        ]
    )


def check_reserved(config: ProjectConfig) -> None:
    """A located error if a brief has the portal's search folder as its id (checked before a
    build writes anything: the search bundle would replace that brief's files)."""
    if (clash := config.content / SEARCH_FOLDER / "brief.yaml").is_file():
        raise ContentError.at(
            clash, 1, 1, f"the brief id '{SEARCH_FOLDER}' is the portal's search folder; give the brief another id"
        )


def update_portal(
    project: Project,
    manifest: Manifest,
    langs: Sequence[str],
    final: bool,
    brief_keys: Mapping[str, str] | None = None,
) -> list[Path]:
    """Bring the portal in ``manifest.out`` up to date with the loaded project; returns the
    files written (none if it was current). ``brief_keys``: each brief's key in this build (an entry
    on record from the same key is not made again).

    The pages and feeds are rendered (milliseconds) and written only where their bytes changed;
    Pagefind runs only when a page it indexes changed (:func:`_search_key`)."""
    out = manifest.out
    config = project.config
    check_reserved(config)
    state = load_state(out)
    entries, made_from = entries_of(project, state, config.editions, brief_keys)
    listed = listing(out, entries, config.editions, langs, final)
    record = tuple({**e.json(), "key": made_from[e.id]} for e in newest_first(list(entries.values())))
    written: list[Path] = []
    files: dict[str, tuple[int, int] | None] = {}  # the portal's files: name -> (size, mtime_ns) if known
    parts = split(listed.pages)  # the search index's parts (briefs.portal.search)
    bundles = tuple(f"{part_name(k)}/" for k, part in enumerate(parts) if part)
    # The index pages and feeds: rendered only when what they are made from changed (rendering
    # them is most of the portal's cost at a thousand briefs), and each written only if its bytes did.
    pages_key = _pages_key(project, listed, bundles, final)
    shown = [PORTAL_INDEX, *(n for lang in listed.langs for n in (portal_index_name(lang), feed_name(lang)))]
    kept = {n: state.files[n] for n in shown if n in state.files}
    if pages_key == state.pages and len(kept) == len(shown) and PortalState(files=kept).intact(out):
        files.update(kept)  # (as just checked)
    else:
        for path, data in _documents(out, project, listed, bundles, final):
            files[path.relative_to(out).as_posix()] = None
            if not holds(path, data):
                write_atomic(path, data)
                written.append(path)
    # The search index, part by part: a part is made again only when a page it indexes changed.
    keys = [_search_key(part, manifest) for part in parts]
    before = state.key.split()
    recorded = {n: info for n, info in state.files.items() if n.startswith(f"{SEARCH_FOLDER}/") and is_portal(n)}
    for number, (part, key) in enumerate(zip(parts, keys, strict=True)):
        mine = {n: info for n, info in recorded.items() if part_of(n) == number}
        if len(before) != len(parts) or key != before[number] or not PortalState(files=mine).intact(out):
            bundle, changed = write_search(out, part, number)
            written += changed
            files.update((path.relative_to(out).as_posix(), None) for path in bundle)
        else:
            files.update(mine)  # (as just checked)
    drop_parts(out, len(parts))
    search_key = " ".join(keys)
    for name in state.files:  # a language no longer shown: its page and feed go
        if is_portal(name) and "/" not in name and name not in files:
            (out / name).unlink(missing_ok=True)
    names = {name: info if info is not None else _stamp(out / name) for name, info in files.items()}
    new = PortalState(search_key, final, record, names, pages_key)
    if new != state:
        save_state(out, new)
    return written


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


def _pages_key(project: Project, listed: Listing, bundles: Sequence[str], final: bool) -> str:
    """What :func:`_documents` makes the pages and feeds from: the listing, the search parts, the
    mode, the shared files (the house, the phrase tables), the configuration, every theme file
    (templates, CSS, catalogs), briefs' code and the installed libraries (Jinja, Babel)."""
    config = project.config
    pyproject = config.root / "pyproject.toml"
    return digest(
        [
            toolkit_fingerprint(),
            installed_fingerprint(),
            pyproject.read_bytes() if pyproject.is_file() else "",
            folder_digest(config.shared),
            *(folder_digest(folder) for folder in theme_of(config).folders),
            # (sorted: an entry read back from the record has its texts in another order)
            json.dumps([e.json() for e in listed.entries], sort_keys=True),
            repr(sorted(listed.links.items())),
            repr(listed.langs),
            repr(tuple(bundles)),
            str(final),
        ]
    )


def _documents(
    out: Path, project: Project, listed: Listing, bundles: Sequence[str], final: bool
) -> list[tuple[Path, bytes]]:
    """Every language's index page and feed, and ``index.html`` (the first language's page);
    ``bundles``: the search index's parts with pages, the first the one the box loads."""
    config, house = project.config, project.library.house
    theme = theme_of(config)
    host = authority(house.website)
    documents: list[tuple[Path, bytes]] = []
    for number, lang in enumerate(listed.langs):
        ed = edition(config, lang)
        switch = [Language(other, LANGUAGES[other].label, portal_index_name(other), other == lang)
                  for other in listed.langs]  # fmt: skip
        rows = [row(e, lang, listed.links[e.id]) for e in listed.entries]
        data = page(lang, ed.text(house.name), rows, switch, feed_name(lang), bundles, final)
        html = render_page(theme, ed, data)
        documents.append((out / portal_index_name(lang), html))
        if number == 0:
            documents.append((out / PORTAL_INDEX, html))
        items = [(e, r.href) for e, r in zip(listed.entries, rows, strict=True) if r.href is not None]
        title = f"{data.title} · {translations(theme, ed).gettext('Research')}"
        document = feed(lang, title, ed.text(house.name), host, feed_name(lang), portal_index_name(lang), items)
        documents.append((out / feed_name(lang), document))
    return documents
