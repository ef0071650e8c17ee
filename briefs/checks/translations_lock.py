"""``translations.lock``: per content folder, for each translation, the short sha256 of the source
text it was last reviewed against and of the translation as reviewed, ``"<source>/<translation>"``
(written by ``briefs translations --reviewed``, read by the drift check of :mod:`briefs.checks.review`).

Locks written before briefs keyed list items by content held the source hash only, under keys by
list position (``key_points/0``). Such a file group is still read, by position, until
``--reviewed`` rewrites it: :meth:`Lock.legacy` tells one apart by its values.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, RootModel
from pydantic_core import PydanticCustomError

from briefs.errors import BriefsError, Diagnostics
from briefs.model.validation import validate
from briefs.project.languages import KNOWN_LANGUAGES
from briefs.source.yamlsource import cached_yaml

LOCK_NAME = "translations.lock"
HASH_LENGTH = 12


def text_hash(text: str) -> str:
    """Short sha256 of a source text; line endings and trailing blanks do not count."""
    lines = text.replace("\r\n", "\n").split("\n")
    canonical = "\n".join(line.rstrip() for line in lines).strip()
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:HASH_LENGTH]


def review_record(source: str, translation: str) -> str:
    """What the lock records for one reviewed translation: ``"<source hash>/<translation hash>"``."""
    return f"{text_hash(source)}/{text_hash(translation)}"


_HASH_RE = re.compile(rf"^[0-9a-f]{{{HASH_LENGTH}}}(?:/[0-9a-f]{{{HASH_LENGTH}}})?$")


def _check_hash(value: str) -> str:
    if not _HASH_RE.match(value):
        raise PydanticCustomError(
            "briefs_lock_hash",
            "malformed hash '{value}': expected {n} lower-case hex digits, a '/' and {n} more "
            "(rewrite the file with `briefs translations --reviewed`)",
            {"value": value, "n": HASH_LENGTH},
        )
    return value


def _check_lock_languages(value: dict[str, str]) -> dict[str, str]:
    for lang in value:
        if lang not in KNOWN_LANGUAGES:
            raise PydanticCustomError("briefs_lock_language", "'{lang}' is not a language", {"lang": lang})
    return value


LockHashes = Annotated[dict[str, Annotated[str, AfterValidator(_check_hash)]], AfterValidator(_check_lock_languages)]


class LockFile(RootModel[dict[str, dict[str, LockHashes]]]):
    """translations.lock: YAML file name → text key → translation's language → its review record."""

    model_config = ConfigDict(frozen=True)


@dataclass
class Lock:
    """The lock of one content folder (``None`` groups: there is no lock file yet)."""

    path: Path
    groups: dict[str, dict[str, dict[str, str]]] | None
    lines: dict[str, int] = field(default_factory=dict)  # line of each file's group in the lock

    def legacy(self, name: str) -> bool:
        """Whether the group of YAML file ``name`` is in the old form: position keys, source hashes only."""
        group = (self.groups or {}).get(name, {})
        return any("/" not in record for hashes in group.values() for record in hashes.values())


def read_lock(folder: Path, languages: Sequence[str], diags: Diagnostics) -> Lock:
    """Read ``folder/translations.lock``; a malformed one is a located error (and reads as empty)."""
    path = folder / LOCK_NAME
    if not path.is_file():
        return Lock(path, None)
    try:
        doc = cached_yaml(path)
    except BriefsError as exc:
        diags.extend(exc.diagnostics)
        return Lock(path, {})
    lock = validate(doc, LockFile, languages, diags)
    if lock is None:
        return Lock(path, {})
    groups = {f: {k: dict(h) for k, h in g.items()} for f, g in lock.root.items()}
    return Lock(path, groups, {name: doc.location((name,)).line for name in groups})


_PLAIN_KEY = re.compile(r"^[a-z][a-z0-9_./#~-]*$")


def format_lock(groups: dict[str, dict[str, dict[str, str]]]) -> str:
    """The lock file's text: sorted, one line per text, so diffs show exactly what was reviewed."""
    out = [
        "# Translation review record, written by `briefs translations --reviewed`; do not edit by hand.",
        "# For each text and translation: short sha256s of the source text it was last reviewed against",
        "# and of the translation as reviewed, <source>/<translation>. `briefs check` flags a translation",
        "# whose source has changed since (stale) or that was itself changed since (not reviewed).",
    ]
    for name in sorted(groups):
        if not groups[name]:
            continue
        out.append(f"{_lock_key(name)}:")
        for key in sorted(groups[name], key=_natural):
            hashes = ", ".join(f'{lang}: "{h}"' for lang, h in sorted(groups[name][key].items()))
            out.append(f"  {_lock_key(key)}: {{{hashes}}}")
    return "\n".join(out) + "\n"


def _natural(key: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key_points/2 before key_points/10."""
    return tuple((0, int(part), "") if part.isascii() and part.isdigit() else (1, 0, part) for part in key.split("/"))


def _lock_key(key: str) -> str:
    return key if _PLAIN_KEY.match(key) and key not in ("true", "false", "null") else _quoted(key)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
