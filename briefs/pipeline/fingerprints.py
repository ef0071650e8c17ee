"""Fingerprints of a build's inputs, cheap to take (no parsing): of every file under content/ and
in the theme folders, of the toolkit, the installed libraries, the fonts and the layout
libraries. :mod:`briefs.pipeline.incremental` compares them with the manifest's record to decide what is
rendered again; the PDF's key includes the renderer's.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from briefs.pipeline.inputcache import InputHashes
from briefs.project.config import ProjectConfig
from briefs.render.theme import theme_of
from briefs.source.safefiles import Unsafe, read_bytes, sha256
from briefs.version import __version__


def digest(parts: Iterable[bytes | str]) -> str:
    """A short, stable hash of a sequence of parts (length-prefixed, so parts cannot run together)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()[:32]


def file_hash(path: Path) -> str:
    """Full SHA-256 of a regular file, as recorded in the manifest: streamed, and never through a
    link (:class:`~briefs.source.safefiles.Unsafe`), so an output replaced by a link to a huge file or a
    device is not read."""
    return sha256(path, _OUTPUT_LIMIT, follow_links=False)


# Outputs are briefs' own files: any size a file system allows is hashed (streamed).
_OUTPUT_LIMIT = 1 << 50


@lru_cache(maxsize=8)
def font_fingerprint(families: tuple[str, ...]) -> str:
    """Which font files (path, size, mtime) fontconfig resolves the families to."""
    lines = []
    for family in families:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", family], capture_output=True, text=True, check=False
        ).stdout.strip()
        path = Path(out) if out else None
        stat = path.stat() if path and path.exists() else None
        lines.append(f"{family}={out}:{stat.st_size if stat else 0}:{stat.st_mtime_ns if stat else 0}")
    return digest(lines)


@lru_cache(maxsize=1)
def toolkit_fingerprint() -> str:
    """briefs' version and its own source files: an upgrade (or a local edit) rebuilds."""
    package = Path(__file__).resolve().parent.parent  # briefs/, from briefs/pipeline/
    parts: list[bytes | str] = [__version__]
    for path in sorted(package.rglob("*.py")):
        parts += [path.relative_to(package).as_posix(), path.read_bytes()]
    return digest(parts)


@lru_cache(maxsize=1)
def installed_fingerprint() -> str:
    """Every installed distribution and its version (the names of the ``*.dist-info`` folders on
    ``sys.path``): upgrading WeasyPrint, Jinja, matplotlib or any other library ends the no-op
    fast path, and the keys of each output then decide what is rendered again."""
    names = []
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as it:
                names += [e.name for e in it if e.name.endswith((".dist-info", ".egg-info"))]
        except OSError:  # a zip file, a missing folder: nothing installed there to list
            continue
    return digest(sorted(names))


def layout_libraries() -> list[str]:
    """The text-layout libraries WeasyPrint lays pages out with (Pango, HarfBuzz, fontconfig,
    FreeType), as ``path:size:mtime`` of the files this process maps when it loads them; empty
    where that cannot be seen (not Linux, or the library is missing: the build will say so)."""
    import ctypes

    try:
        ctypes.CDLL("libpangoft2-1.0.so.0")  # pulls in the others, as WeasyPrint does
        with open("/proc/self/maps", encoding="utf-8") as maps:
            fields = [line.split(None, 5) for line in maps]  # address perms offset dev inode path
    except OSError:
        return []
    wanted = ("libpango", "libharfbuzz", "libfontconfig", "libfreetype")
    lines = []
    for path in sorted({f[5].strip() for f in fields if len(f) == 6}):
        if os.path.basename(path).startswith(wanted) and os.path.isfile(path):
            stat = os.stat(path)
            lines.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return lines


@lru_cache(maxsize=1)
def system_fingerprint() -> str:
    """:func:`layout_libraries` as one hash: a system upgrade of any of them may move text, so
    it counts as a change of every PDF's inputs (about 5 ms)."""
    return digest(layout_libraries())


def renderer_fingerprint() -> str:
    """briefs' code and the PDF libraries' versions: a new renderer may lay pages out differently."""
    from importlib.metadata import version

    return digest(
        [
            toolkit_fingerprint(),
            system_fingerprint(),
            *(version(name) for name in ("weasyprint", "pydyf", "pikepdf", "uharfbuzz", "fonttools")),
        ]
    )


def _files(folder: Path) -> list[Path]:
    """:func:`_names`, as paths."""
    return [Path(name) for name in _names(folder)]


def _names(folder: Path) -> list[str]:
    """Every entry below ``folder`` that is not a folder, hidden names included, sorted.

    Symlinks are listed. Inside a brief's folder (one holding ``brief.yaml``) a linked folder is
    never descended into: a build reads through a link there only after resolving it inside the
    brief's folder, and that target is listed in its own right. Anywhere else (``content/_shared``
    linked to a folder shared by several projects, a linked folder of templates) the build reads
    through the link, so its files are listed under the link's name; each real folder once."""
    found: list[str] = []
    pending = [(str(folder), False)]
    walked: set[tuple[int, int]] = set()
    while pending:
        current, in_brief = pending.pop()
        try:
            info = os.stat(current)  # the real folder (by device and inode: no path resolved)
            if (info.st_dev, info.st_ino) in walked:  # a link back up, or two links to one folder
                continue
            walked.add((info.st_dev, info.st_ino))
            entries = list(os.scandir(current))
        except (OSError, ValueError):  # unreadable folder: its name still counts (see _entry_parts)
            if current != str(folder):
                found.append(current)
            continue
        in_brief = in_brief or any(entry.name == "brief.yaml" for entry in entries)
        for entry in entries:
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
                followed = not is_folder and not in_brief and entry.is_symlink() and entry.is_dir()
            except OSError:
                is_folder = followed = False
            if is_folder or followed:
                pending.append((entry.path, in_brief))
            if not is_folder:
                found.append(entry.path)
    return sorted(found, key=lambda name: name.split(os.sep))  # in the order their Paths sort


def files_under(folder: Path) -> list[Path]:
    """Every entry below ``folder`` that is not a folder, as a build's keys see them (sorted;
    links listed, a brief's linked folders not descended into)."""
    return _files(folder)


# Content above this is refused by every reader, so only its name, size and time can matter.
_HASH_LIMIT = 64 * 2**20


def _entry_parts(path: Path | str, hashes: InputHashes | None = None) -> list[bytes | str]:
    """What an entry contributes to a key: its bytes for a regular file (hidden ones included;
    with ``hashes``, their hash, remembered by the file's stat: :mod:`briefs.pipeline.inputcache`),
    its target for a symlink (and the target's type, size and time), and only its type for anything that is
    never read (FIFO, device, socket, an unreadable file), so hashing never blocks or fails."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        return [f"gone:{exc.errno}"]
    if stat.S_ISLNK(info.st_mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        try:  # what it points at, by metadata only: the target is never read through a link here
            seen = os.stat(path)
            return [f"link:{target}:{stat.S_IFMT(seen.st_mode)}:{seen.st_size}:{seen.st_mtime_ns}"]
        except (OSError, ValueError):
            return [f"link:{target}:dangling"]
    if not stat.S_ISREG(info.st_mode):
        return [f"special:{stat.S_IFMT(info.st_mode)}"]
    if info.st_size > _HASH_LIMIT:
        return [f"large:{info.st_size}:{info.st_mtime_ns}"]
    try:
        if hashes is not None:
            return [f"sha:{hashes.hash_of(path, info, _HASH_LIMIT)}"]
        return [read_bytes(Path(path), _HASH_LIMIT)]
    except Unsafe as exc:  # unreadable (permissions), or swapped for a FIFO meanwhile
        return [f"unreadable:{exc.reason}:{info.st_size}:{info.st_mtime_ns}"]


def folder_digest(folder: Path) -> str:
    """Hash of every entry in a folder (names and contents; hidden files included)."""
    return digest(
        part for path in _files(folder) for part in (path.relative_to(folder).as_posix(), *_entry_parts(path))
    )


def _environment(
    config: ProjectConfig, langs: Sequence[str], formats: Sequence[str], families: tuple[str, ...]
) -> list[bytes | str]:
    """What every output depends on besides files and dates: code, libraries, options, fonts."""
    parts: list[bytes | str] = [
        toolkit_fingerprint(),
        installed_fingerprint(),
        system_fingerprint(),
        ",".join(langs),
        ",".join(formats),
        font_fingerprint(families),
    ]
    pyproject = config.root / "pyproject.toml"
    if pyproject.is_file():
        parts.append(pyproject.read_bytes())
    return parts


def _input_files(config: ProjectConfig, hashes: InputHashes) -> Iterable[tuple[str, list[bytes | str]]]:
    """Every input file under content/ and in every theme folder (the project's templates/, plugin
    themes, the shipped theme, wherever installed), with its name and hash as hash parts (names
    as strings: a thousand briefs' files are too many to make paths of on every build)."""
    for path in _names(config.content):
        yield path, [_relative(path, config.root), *_entry_parts(path, hashes)]
    for index, folder in enumerate(theme_of(config).folders):
        for path in _names(folder):
            name = (
                _relative(path, config.root)
                if folder == config.templates
                else f"<theme {index}>/{_relative(path, folder)}"
            )
            yield path, [name, *_entry_parts(path, hashes)]


def _relative(name: str, folder: Path) -> str:
    """``Path(name).relative_to(folder).as_posix()`` for a name listed below ``folder``."""
    prefix = str(folder).rstrip(os.sep) + os.sep
    if os.sep == "/" and name.startswith(prefix):
        return name[len(prefix) :]
    return Path(name).relative_to(folder).as_posix()


def tree_key(
    config: ProjectConfig,
    paths: Sequence[Path],
    langs: Sequence[str],
    formats: Sequence[str],
    families: tuple[str, ...],
    hashes: InputHashes | None = None,
) -> str:
    """Hash of every input file and option of a build (cheap: no parsing; ``hashes``: the files'
    hashes remembered from earlier builds)."""
    parts = _environment(config, langs, formats, families)
    parts.append(f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '')}")  # (no parsing here)
    parts.append(",".join(str(p.resolve()) for p in paths))
    for _, named in _input_files(config, hashes or InputHashes(None)):
        parts += named
    inside = (config.content.resolve(), *(f.resolve() for f in theme_of(config).folders))
    for path in paths:  # briefs given by path from elsewhere: their folders count too
        try:
            folder = (path if path.is_dir() else path.parent).resolve()
        except (OSError, ValueError):  # not a usable name: loading reports it
            parts.append(str(path))
            continue
        if not any(folder.is_relative_to(root) for root in inside):
            parts.append(folder_digest(folder))
    return digest(parts)


def input_keys(
    config: ProjectConfig,
    langs: Sequence[str],
    formats: Sequence[str],
    families: tuple[str, ...],
    folders: Iterable[Path] = (),
    hashes: InputHashes | None = None,
) -> dict[Path, str]:
    """Per brief folder (resolved; every one under content/ and ``folders``, given by path from
    elsewhere): a hash of everything loading the brief and building its outputs can depend on
    but its date (cheap: no parsing).

    That is its own folder (every file, used or not) and every input that is not some brief's
    folder: shared records, distribution lists, templates, CSS, catalogs, configuration, plus the
    toolkit, the installed libraries, fonts and options. Other briefs' folders are left out, so
    editing one brief leaves every other brief's key alone; editing anything shared changes them
    all (and then the output keys decide, precisely, what is rendered again). A loaded brief is
    kept under it (:mod:`briefs.pipeline.loadcache`)."""
    every_brief = {p.parent.resolve() for p in config.content.glob("*/brief.yaml")}
    every_brief |= {folder.resolve() for folder in folders}
    shared = _environment(config, langs, formats, families)
    own: dict[Path, list[bytes | str]] = {folder: [] for folder in every_brief}
    for name, named in _input_files(config, hashes or InputHashes(None)):
        path = Path(name)
        owner = next((p for p in path.parents if p in every_brief), None)  # the entry, not a link's target
        if owner is None:
            shared += named
        else:
            own[owner] += named
    for folder in every_brief:
        if not folder.is_relative_to(config.content.resolve()):  # a brief given by path, elsewhere
            own[folder] = [folder_digest(folder)]
    common = digest(shared)
    return {folder: digest([common, *parts]) for folder, parts in own.items()}


def brief_keys(keys: Mapping[Path, str], folders: Mapping[str, Path], created: Mapping[str, str]) -> dict[str, str]:
    """Per brief id: a hash of everything its outputs can depend on: its folder's input key
    (:func:`input_keys`) and its creation date as the build will use it (``created``:
    SOURCE_DATE_EPOCH clamps it, so a later commit's epoch changes nothing)."""
    return {brief_id: digest([keys[folder.resolve()], created[brief_id]]) for brief_id, folder in folders.items()}
