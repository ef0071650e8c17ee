"""Writing the portal after a build: the index of each language (and ``index.html``), the Atom
feed of each language, and the Pagefind search bundle, all into the output folder.

The portal lists every brief whose documents are in the output folder: the briefs this build
loaded, and those of earlier builds kept in the portal record (:mod:`briefs.portal.state`). A
brief whose folder left content/ (withdrawn, renamed) is dropped, as its files are
(:mod:`briefs.withdrawn`). A ``final`` build's portal lists no draft; a feed never does.

Nothing is written when the key of everything the portal shows (its entries, the files they
link, the theme, the mode, the indexed pages) equals the recorded one and its files are intact.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ..config import ProjectConfig
from ..errors import ContentError
from ..fingerprints import digest, folder_digest
from ..i18n import translations
from ..incremental import Manifest
from ..languages import LANGUAGES
from ..loaded import Project
from ..outputs import PORTAL_INDEX, SEARCH_FOLDER, document_name, feed_name, portal_index_name
from ..planning import edition
from ..theme import theme_of
from ..version import __version__
from ..write import write_atomic
from .entries import PortalEntry, entry_of, newest_first
from .feeds import authority, feed
from .pages import Language, Link, page, render_page, row
from .search import write_search
from .state import PortalState, load_state, save_state

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
    found = []
    for lang in langs:
        for suffix, label in FORMATS:
            name = document_name(brief_id, lang, suffix)
            if (out / name).is_file():
                found.append(Link(lang, LANGUAGES[lang].label, label, name))
    return tuple(found)


def entries_of(project: Project, state: PortalState, editions: Sequence[str]) -> dict[str, PortalEntry]:
    """The loaded briefs' entries, and those on record of briefs still in content/."""
    config = project.config
    present = {p.parent.name for p in config.content.glob("*/brief.yaml")}
    kept: dict[str, PortalEntry] = {}
    for raw in state.entries:
        entry = PortalEntry.parse(raw)
        if (
            entry is not None
            and entry.id in present
            and all(lang in entry.title and lang in entry.summary for lang in editions)
        ):
            kept[entry.id] = entry
    chosen = [edition(config, lang) for lang in editions]
    for loaded in project.briefs:
        kept[loaded.brief.id] = entry_of(loaded, project.library, chosen)
    return kept


def listing(out: Path, entries: Mapping[str, PortalEntry], editions: Sequence[str], langs: Sequence[str],
            final: bool) -> Listing:  # fmt: skip
    """The entries to list (no draft in a final portal, none without a file) and their files."""
    links = {e.id: _links(out, e.id, editions) for e in entries.values()}
    shown = tuple(e for e in newest_first(list(entries.values())) if links[e.id] and not (final and e.draft))
    with_html = [lang for lang in editions if any(k.lang == lang and k.format == "HTML" for e in shown
                                                  for k in links[e.id])]  # fmt: skip
    pages = tuple(("/" + k.href, out / k.href) for e in shown for k in links[e.id] if k.format == "HTML")
    return Listing(shown, {e.id: links[e.id] for e in shown}, tuple(with_html or langs), pages)


def _key(project: Project, listed: Listing, manifest: Manifest, final: bool) -> str:
    """Everything the portal's files are made from."""

    def page_key(path: Path) -> str:
        record = manifest.outputs.get(path.relative_to(manifest.out).as_posix())
        info = path.stat()
        return (
            record.sha256
            if record is not None and record.size == info.st_size
            else f"{info.st_size}:{info.st_mtime_ns}"
        )

    theme = theme_of(project.config)
    house = project.library.house
    return digest(
        [
            __version__,
            metadata.version("pagefind_bin_extended"),
            json.dumps([e.json() for e in listed.entries], sort_keys=True),
            json.dumps({k: [[x.lang, x.format, x.href] for x in v] for k, v in listed.links.items()}),
            ",".join(listed.langs),
            str(final),
            json.dumps([dict(house.name), house.website]),
            *(folder_digest(folder) for folder in theme.folders),
            *(f"{url}={page_key(path)}" for url, path in listed.pages),
        ]
    )


def check_reserved(config: ProjectConfig) -> None:
    """A located error if a brief has the portal's search folder as its id (checked before a
    build writes anything: the search bundle would replace that brief's files)."""
    if (clash := config.content / SEARCH_FOLDER / "brief.yaml").is_file():
        raise ContentError.at(
            clash, 1, 1, f"the brief id '{SEARCH_FOLDER}' is the portal's search folder; give the brief another id"
        )


def update_portal(project: Project, manifest: Manifest, langs: Sequence[str], final: bool) -> list[Path]:
    """Bring the portal in ``manifest.out`` up to date with the loaded project; returns the
    files written (none if it was current)."""
    out = manifest.out
    config = project.config
    editions = config.editions
    check_reserved(config)
    state = load_state(out)
    entries = entries_of(project, state, editions)
    listed = listing(out, entries, editions, langs, final)
    key = _key(project, listed, manifest, final)
    record = tuple(e.json() for e in newest_first(list(entries.values())))
    if key == state.key and state.final == final and state.intact(out):
        if record != state.entries:
            save_state(out, PortalState(state.key, state.final, record, state.files))
        return []
    files, written = _write(out, project, listed, final)
    record_files = {p.relative_to(out).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns) for p in files}
    save_state(out, PortalState(key, final, record, record_files))
    return written


def _write(out: Path, project: Project, listed: Listing, final: bool) -> tuple[list[Path], list[Path]]:
    """Write every language's index and feed, ``index.html`` and the search bundle; returns the
    portal's files, and those of them written."""
    config, house = project.config, project.library.house
    theme = theme_of(config)
    host = authority(house.website)
    written: list[Path] = []
    search = bool(listed.pages)
    for number, lang in enumerate(listed.langs):
        ed = edition(config, lang)
        switch = [Language(other, LANGUAGES[other].label, portal_index_name(other), other == lang)
                  for other in listed.langs]  # fmt: skip
        rows = [row(e, lang, listed.links[e.id]) for e in listed.entries]
        data = page(lang, ed.text(house.name), rows, switch, feed_name(lang), search, final)
        html = render_page(theme, ed, data)
        targets = [out / portal_index_name(lang)] + ([out / PORTAL_INDEX] if number == 0 else [])
        for target in targets:
            write_atomic(target, html)
            written.append(target)
        items = [(e, r.href) for e, r in zip(listed.entries, rows, strict=True) if r.href is not None]
        title = f"{data.title} · {translations(theme, ed).gettext('Research')}"
        document = feed(lang, title, ed.text(house.name), host, feed_name(lang), portal_index_name(lang), items)
        write_atomic(out / feed_name(lang), document)
        written.append(out / feed_name(lang))
    files = list(written)
    bundle, changed = write_search(out, listed.pages)
    return files + bundle, written + changed
