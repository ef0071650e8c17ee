"""Incremental builds: a manifest in the output folder, and a fast path for "nothing changed".

Each output file is recorded with the key it was built from. For HTML the key is the hash of the
HTML itself (a deterministic function of the brief, the shared records it uses, templates, CSS,
catalogs, options and the toolkit version). For PDF it adds what only the PDF depends on: the
embedded sources, the font files, the renderer's version and the PDF options. An output is
rendered again only if its key changed or the file is gone or was altered.

Before any of that, ``tree_key`` hashes every input file plus the options; if it equals the one
recorded by the last complete build and every output is intact, the build is a no-op that never
loads content (this module imports nothing heavy on purpose).
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefs.pipeline.fingerprints import digest, file_hash, tree_key
from briefs.pipeline.inputcache import InputHashes
from briefs.pipeline.write import write_atomic
from briefs.project.config import ProjectConfig
from briefs.source.safefiles import Unsafe, read_bytes

MANIFEST = Path(".briefs") / "manifest.json"
_MANIFEST_LIMIT = 256 * 2**20  # about a million outputs; a larger one is not briefs' (all is rebuilt)
FORMAT = 1


@dataclass(frozen=True)
class Output:
    """One output to write (or to find current): its path, the key of its inputs, the inputs
    themselves as recorded, and whether it was built from a draft (None: not said)."""

    path: Path
    key: str
    inputs: Mapping[str, str]
    draft: bool | None = None


@dataclass(frozen=True)
class OutputRecord:
    """What the manifest says of one output file. A field a damaged or hand-edited manifest
    gets wrong reads as a value no real output has, so that output is simply not current."""

    key: str = ""
    sha256: str = ""
    size: int = -1
    mtime_ns: int = -1
    inputs: Mapping[str, str] = field(default_factory=dict)
    draft: bool | None = None

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> OutputRecord:
        def of(name: str, kind: type, default: Any) -> Any:
            value = raw.get(name)
            return value if isinstance(value, kind) and not isinstance(value, bool) else default

        inputs = raw.get("inputs")
        draft = raw.get("draft")
        return cls(
            of("key", str, ""),
            of("sha256", str, ""),
            of("size", int, -1),
            of("mtime_ns", int, -1),
            dict(inputs) if isinstance(inputs, dict) and all(isinstance(v, str) for v in inputs.values()) else {},
            draft if isinstance(draft, bool) else None,
        )

    def json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "key": self.key,
            "sha256": self.sha256,
            "size": self.size,
            "mtime_ns": self.mtime_ns,
            "inputs": dict(self.inputs),
        }
        if self.draft is not None:
            entry["draft"] = self.draft
        return entry


@dataclass(frozen=True)
class BuildRecord:
    """The last complete build of one scope: the fingerprint of its inputs and what it wrote
    (None: a damaged record, which matches nothing)."""

    key: str
    outputs: tuple[str, ...] | None

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> BuildRecord:
        names = raw.get("outputs")
        key = raw.get("key")
        return cls(
            key if isinstance(key, str) else "",
            tuple(names) if isinstance(names, list) and all(isinstance(n, str) for n in names) else None,
        )

    def json(self) -> dict[str, Any]:
        return {"key": self.key, "outputs": list(self.outputs or ())}


@dataclass
class Manifest:
    """What the output folder holds and what each file was built from.

    Read with :meth:`load`, asked with :meth:`current` / :meth:`intact` / :meth:`fresh_briefs`,
    changed only through :meth:`record`, :meth:`forget` and :meth:`finish`, written by
    :meth:`save`. Its records are frozen."""

    out: Path
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    tree: dict[str, BuildRecord] = field(default_factory=dict)
    briefs: dict[str, str] = field(default_factory=dict)  # brief id -> brief_keys() when last built whole

    @classmethod
    def load(cls, out: Path) -> Manifest:
        """Read the manifest; a missing or unreadable one means "nothing is known to be current".

        Only a regular file briefs wrote there is read, through the safe reader: a FIFO or a link
        to ``/dev/zero`` in its place hung every build."""
        path = out / MANIFEST
        try:
            if path.is_symlink():  # briefs writes it by renaming a file into place, never a link
                return cls(out)
            data = json.loads(read_bytes(path, _MANIFEST_LIMIT).decode("utf-8"))
        except (Unsafe, OSError, ValueError, RecursionError):
            return cls(out)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return cls(out)
        fields = [data.get(name, {}) for name in ("outputs", "tree", "briefs")]
        if not all(isinstance(f, dict) for f in fields):  # hand-edited or damaged: trust none of it
            return cls(out)
        outputs, tree, briefs = fields
        return cls(
            out,
            {k: OutputRecord.parse(v) for k, v in outputs.items() if isinstance(v, dict)},
            {k: BuildRecord.parse(v) for k, v in tree.items() if isinstance(v, dict)},
            {k: v for k, v in briefs.items() if isinstance(v, str)},
        )

    def save(self) -> None:
        """Write the manifest atomically, in a stable order."""
        data = {
            "format": FORMAT,
            "tree": {k: v.json() for k, v in sorted(self.tree.items())},
            "briefs": dict(sorted(self.briefs.items())),
            "outputs": {k: v.json() for k, v in sorted(self.outputs.items())},
        }
        write_atomic(self.out / MANIFEST, (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode())

    def current(self, path: Path, key: str, draft: bool | None = None) -> bool:
        """True if ``path`` was built from ``key`` and is still exactly what was written (and,
        when ``draft`` is given, is on record with that draft status)."""
        entry = self.outputs.get(self._name(path))
        if entry is None or not entry.key or entry.key != key:
            return False
        if draft is not None and entry.draft is not draft:
            return False
        try:
            info = path.lstat()  # a link or a special file in an output's place is never current
        except OSError:
            return False
        if not stat.S_ISREG(info.st_mode):
            return False
        if entry.size == info.st_size and entry.mtime_ns == info.st_mtime_ns:
            return True
        try:
            return entry.sha256 == file_hash(path)
        except Unsafe:
            return False

    def needs(self, output: Output, force: bool = False) -> bool:
        """Whether ``output`` must be written: forced, or not current (:meth:`current`)."""
        return force or not self.current(output.path, output.key, output.draft)

    def record(self, output: Output) -> None:
        """Remember that ``output`` was just written; its ``draft``: whether it was built from a
        brief without compliance approval (the model's answer, which distribute reads)."""
        info = output.path.stat()
        self.outputs[self._name(output.path)] = OutputRecord(
            output.key, file_hash(output.path), info.st_size, info.st_mtime_ns, dict(output.inputs), output.draft
        )

    def draft(self, name: str) -> bool | None:
        """Whether the output ``name`` (relative to the output folder) was built as a draft;
        None when the manifest does not say (not built by briefs, or by an older version)."""
        entry = self.outputs.get(name)
        return None if entry is None else entry.draft

    def intact(self, names: Iterable[str]) -> bool:
        """Every named output is recorded and unchanged on disk."""
        for name in names:
            entry = self.outputs.get(name)
            path = self.out / name
            if entry is None:
                return False
            try:
                info = path.lstat()  # a link in an output's place is not what briefs wrote
            except OSError:
                return False
            if not stat.S_ISREG(info.st_mode) or (entry.size, entry.mtime_ns) != (info.st_size, info.st_mtime_ns):
                return False
        return True

    def fresh_briefs(self, keys: Mapping[str, str], outputs: Mapping[str, Sequence[str]]) -> set[str]:
        """The briefs whose inputs are all as at their last complete build (``keys``: their
        :func:`brief_keys`) and whose outputs are intact: they need not even be planned."""
        return {b for b, key in keys.items() if self.briefs.get(b) == key and self.intact(outputs[b])}

    def forget(self, outputs: Iterable[str] = (), briefs: Iterable[str] = ()) -> None:
        """Drop the records of ``outputs`` (names; deleted, or never to be trusted) and of
        ``briefs`` (gone), and of every build that wrote one of those outputs."""
        gone = set(outputs)
        for name in gone:
            self.outputs.pop(name, None)
        for brief_id in briefs:
            self.briefs.pop(brief_id, None)
        for scope in [name for name, done in self.tree.items() if done.outputs is None or gone & set(done.outputs)]:
            del self.tree[scope]

    def finish(
        self, scope: Scope, keys: Mapping[str, str], unfinished: set[str], written: Sequence[str] | None
    ) -> None:
        """Close a build: a brief is on record as built from its key only if all its outputs
        were written (``unfinished``: the others); the build itself only if it completed
        (``written``: all it was to write; None if anything failed)."""
        for brief_id, key in keys.items():
            if brief_id in unfinished:
                self.briefs.pop(brief_id, None)
            else:
                self.briefs[brief_id] = key
        if written is None:
            self.tree.pop(scope.name, None)
        else:
            self.tree[scope.name] = BuildRecord(scope.tree, tuple(written))

    def _name(self, path: Path) -> str:
        # By the name written, not resolved: output/<id> may be a link someone made, and the
        # write then refuses it at that folder (write.py).
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(self.out)).as_posix()


@dataclass(frozen=True)
class Scope:
    """One build request (which briefs, languages and formats) and its input fingerprint."""

    name: str
    tree: str


def scope_of(
    config: ProjectConfig,
    paths: Sequence[Path],
    langs: Sequence[str],
    formats: Sequence[str],
    hashes: InputHashes | None = None,
) -> Scope:
    """The manifest scope of a build request, with the current fingerprint of all its inputs
    (``hashes``: the input files' hashes remembered from earlier builds)."""
    from briefs.render.fonts import FONTS

    families = tuple(sorted({f for lang in langs if lang in FONTS for f in (FONTS[lang].sans, FONTS[lang].serif)}))
    name = digest([",".join(str(Path(p).resolve()) for p in paths), ",".join(langs), ",".join(formats)])
    return Scope(name, tree_key(config, paths, langs, formats, families, hashes))


def up_to_date(manifest: Manifest, scope: Scope) -> list[Path] | None:
    """The outputs of the last complete build of this scope if nothing changed since, else None."""
    recorded = manifest.tree.get(scope.name)
    if recorded is None or recorded.outputs is None:
        return None
    if recorded.key == scope.tree and manifest.intact(recorded.outputs):
        return [manifest.out / n for n in recorded.outputs]
    return None
