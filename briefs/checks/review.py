"""Translation review: which translations are not yet reviewed, or stale since their review
(the drift check, also part of ``briefs check``), and ``briefs translations --reviewed``, which
records the current source of every translation in the selected files as reviewed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from briefs.checks.translations_lock import LOCK_NAME, Lock, format_lock, read_lock, text_hash
from briefs.errors import BriefsError, Diagnostic, Diagnostics, SourceLocation, by_place, display_path
from briefs.load.loaded import LoadedBrief
from briefs.load.project import discover, load_library, load_project, shared_files
from briefs.pipeline.write import write_atomic
from briefs.project.config import ProjectConfig
from briefs.source.safefiles import Unsafe, read_bytes
from briefs.source.texts import SOURCE, Entry, Unit, checked_units
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


def check_drift(run: Findings, unit: Unit, also: Callable[[Entry, str], None] | None = None) -> None:
    """Warn of each translation of ``unit`` not yet reviewed, or stale since review; then run
    ``also`` on it (the rest of the fidelity check), in the same order as before."""
    found = unit.entries()
    lock = run.lock(unit.doc.path.parent)
    hint = REVIEW_HINT.format(path=_review_target(unit.doc.path, unit.loaded))
    if lock.groups is None:
        count = sum(1 for e in found for lang in run.targets if lang in e.texts)
        if count:
            run.diags.warning(
                SourceLocation(unit.doc.path, 1, 1),
                f"no {LOCK_NAME} beside this file: its {count} translation(s) are not yet marked as reviewed ({hint})",
            )
    group = (lock.groups or {}).get(unit.doc.path.name, {})
    for entry in found:
        source = entry.texts[SOURCE]
        current = text_hash(source)
        for lang in run.targets:
            if lang not in entry.texts:
                continue
            site = entry.sites[lang]
            if lock.groups is not None:
                recorded = group.get(entry.key, {}).get(lang)
                if recorded is None:
                    run.diags.warning(
                        site.at(0), f"{lang} text not yet marked as reviewed against its zh-CN source ({hint})"
                    )
                elif recorded != current:
                    run.diags.warning(
                        site.at(0), f"{lang} text may be stale: its zh-CN source changed since review ({hint})"
                    )
            if also is not None:
                also(entry, lang)


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
    run = Findings(config, tuple(lang for lang in config.languages if lang != SOURCE))
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
    """Record the current zh-CN source of every translation in the selected files as reviewed."""
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
            hashes = {lang: text_hash(entry.texts[SOURCE]) for lang in entry.texts if lang != SOURCE}
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
