"""Approval bound to content: what compliance approved, recorded beside the brief as hashes.

``briefs approve ID --by PERSON`` writes ``content/ID/approval.yaml``: the approver and date (the
same as ``approval:`` in brief.yaml, which stays the record a reader of the brief sees) and one
hash per part of everything the brief's output depends on:

- brief.yaml, key by key as YAML gives it (scalars as written, so ``1.0`` → ``1.00`` counts;
  comments and layout do not), each section's fields as ``sections/<id>/<field>``;
- every other file in the brief's folder by its bytes (line endings as LF in a text file, so a
  checkout that writes CRLF sees the same content), named by its path in the folder;
- each shared record the brief's editions print (:func:`briefs.pipeline.dependencies.used_shared`,
  per edition): ``_shared/disclaimers.yaml#<id>``, ``_shared/analysts.yaml#<id>``, the house,
  its kind, the rating scales, its risks and chain, the jurisdiction of each edition, the phrase
  table of a derived edition.

Not inputs: the record itself, ``translations.lock`` (a record of review, read by the checks
only), editor backups and hidden folders (``.git``) unless the brief reads them, and anything
outside the brief's folder and the shared records it uses (templates, other briefs, the output).

When a brief has an approval, the loader compares: if any part changed, or no record binds the
approval, the brief is a draft again (``Brief.draft``), and ``build --final`` and ``distribute``
say why at the approval in brief.yaml. A record that is not one ``briefs approve`` wrote (bad
YAML, unknown keys, a digest that does not match its parts) is a located error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import stat
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from briefs.checks.translations_lock import LOCK_NAME
from briefs.errors import BriefsError, ContentError, Diagnostic, Diagnostics, SourceLocation
from briefs.load.loaded import Library, LoadedBrief, Project
from briefs.model.brief import Brief
from briefs.model.fields import Date, Id, Record
from briefs.model.validation import validate
from briefs.pipeline.dependencies import used_shared
from briefs.pipeline.fingerprints import digest, files_under
from briefs.source.safefiles import Unsafe, read_bytes
from briefs.source.yamlsource import cached_yaml

RECORD_NAME = "approval.yaml"
NOT_INPUTS = (RECORD_NAME, LOCK_NAME)  # in a brief's folder, never part of what was approved
_BACKUP_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".bak", ".orig", ".rej", ".tmp")
_SYSTEM_FILES = (".DS_Store", "Thumbs.db", "desktop.ini")
_READ_LIMIT = 64 * 2**20  # above the largest file any reader accepts
_SHOWN = 8  # changed parts named in a message; the rest are counted
# used_shared() key → the shared file it comes from
_SHARED_FILE = {
    "house": "house.yaml",
    "translation_notice": "house.yaml",
    "kind": "kinds.yaml",
    "analysts": "analysts.yaml",
    "disclaimers": "disclaimers.yaml",
    "risks": "risks.yaml",
    "ratings": "ratings.yaml",
    "chain": "chains.yaml",
    "phrases": "phrases.yaml",
}


class ApprovalRecord(Record):
    """content/<id>/approval.yaml, as ``briefs approve`` writes it."""

    brief: Id
    by: Id
    date: Date
    digest: str
    parts: dict[str, str]


# ----------------------------------------------------------------------------- the parts


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _brief_yaml_parts(loaded: LoadedBrief) -> dict[str, str]:
    """brief.yaml's top-level keys (but ``approval``), each section's fields on their own."""
    data = (loaded.doc if loaded.doc is not None else cached_yaml(loaded.path)).data
    parts: dict[str, str] = {}
    if not isinstance(data, dict):
        return {"brief.yaml": digest([_canonical(data)])}
    for key, value in data.items():
        if key == "approval":
            continue
        if key != "sections" or not isinstance(value, list):
            parts[str(key)] = digest([_canonical(value)])
            continue
        ids = [str(s.get("id", i)) if isinstance(s, dict) else str(i) for i, s in enumerate(value)]
        parts["sections"] = digest([_canonical(ids)])  # which sections, in which order
        for section_id, section in zip(ids, value, strict=True):
            fields = section.items() if isinstance(section, dict) else [("text", section)]
            for field, field_value in fields:
                if field != "id":
                    parts[f"sections/{section_id}/{field}"] = digest([_canonical(field_value)])
    return parts


def _not_an_input(relative: Path) -> bool:
    """Editor backups, system litter, hidden folders (.git) and the records that are not content."""
    name = relative.name
    return (
        relative.as_posix() in NOT_INPUTS
        or any(part.startswith(".") for part in relative.parts[:-1])
        or name.endswith(_BACKUP_SUFFIXES)
        or name.startswith(".#")
        or (name.startswith("#") and name.endswith("#"))
        or (name.startswith(".") and name.endswith(".swp"))
        or name in _SYSTEM_FILES
    )


def file_part(path: Path) -> str:
    """One file's hash, the same on every machine and checkout: its bytes (CRLF read as LF in a
    UTF-8 text file), a link's target as written, only the type of anything else (a FIFO is never
    opened) and the size of a file no reader accepts; never a time."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            return digest(["link", os.readlink(path)])
        if not stat.S_ISREG(info.st_mode):
            return digest(["special", str(stat.S_IFMT(info.st_mode))])
        if info.st_size > _READ_LIMIT:  # no reader accepts it, so only its size can matter (never read)
            return digest(["large", str(info.st_size)])
        data = read_bytes(path, _READ_LIMIT)
    except (OSError, Unsafe):
        return digest(["unreadable"])
    if b"\0" not in data:
        try:
            data.decode("utf-8")
            data = data.replace(b"\r\n", b"\n")
        except UnicodeDecodeError:
            pass
    return digest(["file", data])


def _folder_parts(loaded: LoadedBrief, taken: set[str]) -> dict[str, str]:
    folder = loaded.folder
    read = {p.resolve() for p in (*loaded.files, *loaded.assets)}
    parts: dict[str, str] = {}
    for path in files_under(folder):
        relative = path.relative_to(folder)
        name = relative.as_posix()
        if name == "brief.yaml" or (_not_an_input(relative) and path.resolve() not in read):
            continue
        parts[f"./{name}" if name in taken else name] = file_part(path)
    return parts


def _shared_parts(project: Project, loaded: LoadedBrief) -> dict[str, str]:
    """Each shared record any edition of the brief prints, as ``_shared/<file>#<id>``."""
    seen: dict[str, set[str]] = {}

    def add(name: str, value: Any) -> None:
        seen.setdefault(name, set()).add(_canonical(value))

    library = project.library
    for lang in project.config.editions:
        for key, value in used_shared(project, loaded, lang).items():
            base = f"_shared/{_SHARED_FILE.get(key, f'{key}.yaml')}"
            if key == "phrases":
                add(f"{base}#{lang}", value)
            elif key == "translation_notice":
                add(f"{base}#{key}", value)
            elif key == "conflicts":
                # The wording and each named security's facts; not when compliance last confirmed
                # an entry, which prints nothing (a new confirmation is not a new disclosure).
                add(f"{base}#statements", value["statements"])
                for entry in value["securities"]:
                    add(f"{base}#{entry['ticker']}", {k: v for k, v in entry.items() if k != "confirmed"})
            elif key == "recommendations":
                # Only recommendations.yaml's entries: those of other briefs are bound by their own
                # approvals (and which of them count depends on approvals: no circle). Not their
                # place in the file: a line added above an entry changes nothing printed.
                for item in value:
                    if not item.get("brief"):
                        add(f"{base}#{item['ticker']}@{item['date']}", {**item, "source": ""})
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    add(f"{base}#{item.get('id', i) if isinstance(item, dict) else i}", item)
            elif isinstance(value, dict) and "id" in value:
                add(f"{base}#{value['id']}", value)
            else:
                add(base, value)
        place = library.jurisdiction(lang)
        if place is not None:
            add(f"_shared/jurisdictions.yaml#{place.id}", place.model_dump(mode="json"))
    return {name: digest(sorted(values)) for name, values in seen.items()}


def content_parts(project: Project, loaded: LoadedBrief) -> dict[str, str]:
    """Name → hash of every part of what the brief's output depends on (sorted by name)."""
    parts = _brief_yaml_parts(loaded)
    parts.update(_folder_parts(loaded, set(parts)))
    parts.update(_shared_parts(project, loaded))
    return dict(sorted(parts.items()))


def parts_digest(parts: dict[str, str]) -> str:
    """The one hash of all the parts (what a record's ``digest`` must be)."""
    return digest(f"{name}={value}" for name, value in sorted(parts.items()))


# ----------------------------------------------------------------------------- the record


def record_path(loaded: LoadedBrief) -> Path:
    return loaded.folder / RECORD_NAME


def read_record(loaded: LoadedBrief, languages: tuple[str, ...]) -> ApprovalRecord | None:
    """The brief's approval record, None if it has none; a :class:`ContentError` at the record if
    it is not one ``briefs approve`` wrote (or was edited since)."""
    path = record_path(loaded)
    if not path.exists() and not path.is_symlink():
        return None
    if path.is_symlink() or not path.is_file():
        raise ContentError.at(path, 0, 0, f"{RECORD_NAME} must be a plain file in the brief's folder, not a link")
    doc = cached_yaml(path)  # refuses links out, oversize, bad YAML, at their lines
    diags = Diagnostics()
    record = validate(doc, ApprovalRecord, languages, diags)
    diags.raise_if_errors()
    assert record is not None
    redo = f"run `briefs approve {loaded.brief.id} --by <compliance id>` again"
    if record.brief != loaded.brief.id:
        raise ContentError(
            [
                Diagnostic(
                    doc.location(("brief",)),
                    f"this approval record is for brief '{record.brief}', not '{loaded.brief.id}': {redo}",
                )
            ]
        )
    if record.digest != parts_digest(record.parts):
        raise ContentError(
            [
                Diagnostic(
                    doc.location(("digest",)),
                    "this approval record was edited by "
                    f"hand: its digest is not the hash of the parts it lists; {redo}",
                )
            ]
        )
    return record


def approval_location(loaded: LoadedBrief) -> SourceLocation:
    """Where a message about the brief's approval points: its ``approval:`` in brief.yaml."""
    if loaded.doc is None:
        return SourceLocation(loaded.path, 1, 1)
    return loaded.doc.location(("approval",))


def changed_parts(recorded: dict[str, str], now: dict[str, str]) -> list[str]:
    """The parts changed, added or gone since the record, by name."""
    return sorted(name for name in recorded.keys() | now.keys() if recorded.get(name) != now.get(name))


def approver_name(library: Library, person_id: str, lang: str) -> str:
    person = library.analyst(person_id)
    if person is None:
        return person_id
    return person.name.get(lang) or next(iter(person.name.values()), person_id)


def unbound_reason(project: Project, loaded: LoadedBrief) -> str | None:
    """Why the brief's approval does not cover its content now, or None (bound, or no approval)."""
    brief, library = loaded.brief, project.library
    approval = brief.approval
    if approval is None:
        return None
    again = f"approve it again after review: briefs approve {brief.id} --by <compliance id>"
    record = read_record(loaded, project.config.languages)
    if record is None:
        return f"approval by {approval.by} is not bound to the brief's content (no {RECORD_NAME} beside it); {again}"
    if (record.by, record.date) != (approval.by, approval.date):
        return (
            f"approval in brief.yaml (by {approval.by} on {approval.date.isoformat()}) is not the one "
            f"recorded in {RECORD_NAME} (by {record.by} on {record.date.isoformat()}); {again}"
        )
    changed = changed_parts(record.parts, content_parts(project, loaded))
    if not changed:
        return None
    shown = ", ".join(changed[:_SHOWN]) + (f" and {len(changed) - _SHOWN} more" if len(changed) > _SHOWN else "")
    who = approver_name(library, record.by, project.config.languages[0])
    return f"approved on {record.date.isoformat()} by {who} (compliance); changed since: {shown}; {again}"


def bind_approvals(project: Project, bound: Collection[Path] = ()) -> Project:
    """The project with every brief whose approval no longer covers its content made a draft
    again (:meth:`Brief.with_unbound_approval`); a broken record is a located error. The briefs
    at ``bound`` (their brief.yaml) are left as they are: bound already (kept by an earlier
    build under the key of every input binding depends on)."""
    diags = Diagnostics()
    briefs = []
    for loaded in project.briefs:
        if loaded.path in bound:
            briefs.append(loaded)
            continue
        try:
            reason = unbound_reason(project, loaded)
        except BriefsError as exc:
            diags.extend(exc.diagnostics)
            continue
        if reason is not None:
            loaded = dataclasses.replace(loaded, brief=loaded.brief.with_unbound_approval(reason))
        briefs.append(loaded)
    diags.raise_if_errors()
    return dataclasses.replace(project, briefs=tuple(briefs))


def approver_problems(library: Library, brief: Brief, person_id: str, date: dt.date) -> list[str]:
    """Why ``person_id`` may not approve ``brief`` on ``date`` (empty: they may)."""
    person = library.analyst(person_id)
    problems = []
    if person is None:
        reviewers = ", ".join(a.id for a in library.analysts.analysts if a.role == "compliance") or "none"
        problems.append(f"unknown person '{person_id}' (compliance people in analysts.yaml: {reviewers})")
    elif person_id in (*brief.analysts, *brief.contacts):
        problems.append(f"'{person_id}' is an author of this brief and cannot approve it")
    elif person.role != "compliance":
        problems.append(f"'{person_id}' has role '{person.role}'; only a 'compliance' person can approve a brief")
    if date > brief.date:
        problems.append(
            f"approved on {date.isoformat()}, after the report date {brief.date.isoformat()}: a brief is "
            "approved on or before its date (give --date)"
        )
    return problems


def record_text(brief_id: str, by: str, date: dt.date, parts: dict[str, str]) -> str:
    """The text of approval.yaml for these parts."""
    body = yaml.safe_dump(
        {"brief": brief_id, "by": by, "date": date.isoformat(), "digest": parts_digest(parts), "parts": parts},
        allow_unicode=True,
        sort_keys=False,
        width=1000,
    )
    return (
        "# Written by `briefs approve`: what compliance approved, as a hash of each part the brief's\n"
        "# output depends on (its folder and the shared records it uses). Do not edit: a change to\n"
        "# any part makes the brief a draft again until it is approved again.\n" + body
    )
