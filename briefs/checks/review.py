"""Translation review: which translations are not yet reviewed, changed since their review, or
stale because their source changed since (the drift check, also part of ``briefs check``), and
``briefs translations --reviewed``, which records every translation in the selected files as
reviewed against its current source. The source is each file's own (a brief's ``source:``, else
the project's); only a change to it makes the translations stale, and a change to one translation
flags only that translation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from briefs.checks.translations_lock import LOCK_NAME, Lock, format_lock, read_lock, review_record, text_hash
from briefs.errors import BriefsError, Diagnostic, Diagnostics, SourceLocation, by_place, display_path
from briefs.load.discover import discover
from briefs.load.loaded import LoadedBrief
from briefs.load.project import load_library, load_project, shared_files
from briefs.pipeline.write import write_atomic
from briefs.project.config import ProjectConfig
from briefs.source.safefiles import Unsafe, read_bytes
from briefs.source.texts import Entry, Unit, checked_units
from briefs.source.yamlsource import MAX_BYTES

REVIEW_HINT = "run `briefs translations --reviewed {path}`"


@dataclass
class Findings:
    """What a check of translations found, with the lock of each folder read once."""

    config: ProjectConfig
    targets: tuple[str, ...]
    diags: Diagnostics = field(default_factory=Diagnostics)
    locks: dict[Path, Lock] = field(default_factory=dict)

    def lock(self, folder: Path) -> Lock:
        if folder not in self.locks:
            self.locks[folder] = read_lock(folder, self.config.languages, self.diags)
        return self.locks[folder]


def _review_target(doc_path: Path, loaded: LoadedBrief | None) -> str:
    return display_path(loaded.folder if loaded is not None else doc_path)


def check_drift(run: Findings, unit: Unit, also: Callable[[Entry, str, str], None] | None = None) -> None:
    """Warn of each translation of ``unit`` not yet reviewed, changed since review, or stale since
    its source changed; then run ``also`` on it (``entry, source language, translation language``:
    the rest of the fidelity check), in the same order as before."""
    found = unit.entries()
    src = unit.source
    targets = tuple(lang for lang in run.targets if lang != src)
    lock = run.lock(unit.doc.path.parent)
    target = _review_target(unit.doc.path, unit.loaded)
    hint = REVIEW_HINT.format(path=target)
    if lock.groups is None:
        count = sum(1 for e in found for lang in targets if lang in e.texts)
        if count:
            run.diags.warning(
                SourceLocation(unit.doc.path, 1, 1),
                f"no {LOCK_NAME} beside this file: its {count} translation(s) are not yet marked as reviewed ({hint})",
            )
    name = unit.doc.path.name
    records = _Records(lock, name, found)
    if records.legacy and records.group:
        run.diags.warning(
            SourceLocation(lock.path, lock.lines.get(name, 1), 1),
            f"the review records of {name} are in the old form (keyed by list position, source text only): "
            f"read as they are until `briefs translations --reviewed {target}` rewrites them, "
            "once its translations are checked",
        )
    for entry in found:
        for lang in targets:
            if lang not in entry.texts:
                continue
            problem = records.problem(entry, src, lang) if lock.groups is not None else None
            if problem is not None:
                run.diags.warning(entry.sites[lang].at(0), f"{problem} ({hint})")
            if also is not None:
                also(entry, src, lang)


class _Records:
    """The review records of one YAML file, as one lock holds them."""

    def __init__(self, lock: Lock, name: str, found: Sequence[Entry]) -> None:
        self.group = (lock.groups or {}).get(name, {})
        self.legacy = lock.legacy(name)
        current = {entry.position_key if self.legacy else entry.key for entry in found}
        # A content-keyed text whose record is gone while its list keeps a record nobody claims
        # any more: most likely that item's text was edited (else it is new).
        self.orphans = {
            (key.split("#", 1)[0], lang)
            for key, hashes in self.group.items()
            if key not in current and "#" in key
            for lang in hashes
        }

    def problem(self, entry: Entry, src: str, lang: str) -> str | None:
        """Why the ``lang`` text of ``entry`` needs review, or None when its record holds."""
        stale = f"{lang} text may be stale: its {src} source changed since review"
        unreviewed = f"{lang} text not yet marked as reviewed against its {src} source"
        if self.legacy:
            recorded = self.group.get(entry.position_key, {}).get(lang)
            if recorded is None:
                return unreviewed
            return stale if recorded != text_hash(entry.texts[src]) else None
        recorded = self.group.get(entry.key, {}).get(lang)
        if recorded is None:
            return stale if (entry.key.split("#", 1)[0], lang) in self.orphans else unreviewed
        source_hash, _, translation_hash = recorded.partition("/")
        if source_hash != text_hash(entry.texts[src]):
            return stale
        if translation_hash != text_hash(entry.texts[lang]):
            return f"{lang} text changed since review: not yet marked as reviewed against its {src} source"
        return None


@dataclass(frozen=True)
class Selection:
    """The YAML files a ``briefs translations`` run is about."""

    briefs: tuple[Path, ...]
    shared: tuple[str, ...]


def select(config: ProjectConfig, paths: Sequence[Path]) -> Selection:
    """Briefs and shared files named by ``paths``: brief folders or files, folders of briefs,
    ``content/_shared`` or one of its YAML files; nothing given means everything."""
    files = shared_files(config)  # the required ones, and the optional ones the project has
    if not paths:
        return Selection(tuple(discover(config)), tuple(files))
    briefs: list[Path] = []
    shared: list[str] = []
    shared_dir = config.shared.resolve()
    by_file = {filename: name for name, (filename, _) in files.items()}
    for given in paths:
        path = given.resolve()
        if path == shared_dir:
            shared.extend(files)
        elif path.parent == shared_dir and path.suffix in (".yaml", ".yml"):
            if path.name not in by_file:
                raise BriefsError.at(
                    given,
                    0,
                    0,
                    f"no translations to review in {path.name} (shared files with texts: {', '.join(sorted(by_file))})",
                )
            shared.append(by_file[path.name])
        else:
            if path == config.content.resolve():
                shared.extend(files)
            briefs.extend(discover(config, [given]))
    return Selection(tuple(dict.fromkeys(briefs)), tuple(dict.fromkeys(shared)))


def _units(config: ProjectConfig, selection: Selection) -> list[Unit]:
    library = load_library(config)  # the shared files must be valid before anything is recorded
    briefs = load_project(config, selection.briefs).briefs if selection.briefs else ()
    return checked_units(config, (library.docs[name] for name in selection.shared), briefs)


def review_status(config: ProjectConfig, paths: Sequence[Path] = ()) -> list[Diagnostic]:
    """Translations not yet reviewed, or stale since review, in the selected files."""
    run = Findings(config, config.languages)
    for unit in _units(config, select(config, paths)):
        check_drift(run, unit)
    return sorted(set(run.diags.items), key=by_place)


@dataclass(frozen=True)
class Reviewed:
    """One lock file written (or found up to date) by :func:`mark_reviewed`."""

    path: Path
    texts: int
    changed: bool


def mark_reviewed(config: ProjectConfig, paths: Sequence[Path] = ()) -> list[Reviewed]:
    """Record every translation in the selected files as reviewed against its current source."""
    units = _units(config, select(config, paths))
    diags = Diagnostics()
    folders: dict[Path, Lock] = {}
    counts: dict[Path, int] = {}
    for unit in units:
        folder = unit.doc.path.parent
        if folder not in folders:
            folders[folder] = read_lock(folder, config.languages, diags)
        group: dict[str, dict[str, str]] = {}
        for entry in unit.entries():
            source = entry.texts[unit.source]
            hashes = {lang: review_record(source, text) for lang, text in entry.texts.items() if lang != unit.source}
            if hashes:
                group[entry.key] = hashes
        lock = folders[folder]
        lock.groups = {**(lock.groups or {}), unit.doc.path.name: group}
        counts[folder] = counts.get(folder, 0) + len(group)
    diags.raise_if_errors()
    written: list[Reviewed] = []
    for folder, lock in folders.items():
        text = format_lock(lock.groups or {})
        try:
            old: str | None = read_bytes(lock.path, MAX_BYTES).decode("utf-8", "replace")
        except Unsafe:  # none yet (or not a file we would read): it is written anew
            old = None
        if old != text:
            write_atomic(lock.path, text.encode("utf-8"))
        written.append(Reviewed(lock.path, counts[folder], old != text))
    return written
