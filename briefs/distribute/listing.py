"""Reading the distribution list as a stream: memory stays flat whatever the number of recipients.

``recipients.yaml`` may list a hundred thousand clients (10 MB of YAML). It is never composed
into one node graph: the YAML parser's events (libyaml's when PyYAML has it) are read from the
file in pieces, each ``recipients:`` item becomes one small mapping and is validated against
:class:`~briefs.distribute.recipients.Recipient` on its own, with its own lines, and is then
dropped. A first pass checks the whole list (every problem located, nothing sent before the list
is known good) and keeps only the editions used, the count and an 8-byte hash of each id (for
duplicates: 0.8 MB for 100,000 recipients); each pass over :class:`RecipientFile` afterwards
reads the file again, one recipient at a time.

The same rules as any content file hold: strict UTF-8, no control or bidirectional characters,
no tags, anchors or aliases, no duplicate keys, bounded nesting.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import stat
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from briefs.distribute.faces import unprintable
from briefs.distribute.recipients import Recipient
from briefs.errors import ContentError, Diagnostic, Diagnostics, SourceLocation
from briefs.model.validation import validate
from briefs.project.config import ProjectConfig
from briefs.source.safefiles import file_kind
from briefs.source.yamlsource import (
    CONTROL,
    MAX_BYTES,
    MAX_DEPTH,
    YamlDocument,
    control_message,
    load_yaml,
    scalar_value,
)

LIST_LIMIT = 1 << 30  # 1 GiB of YAML: about ten million recipients
MAX_ERRORS = 50  # a broken list of 100,000 is reported by its first problems, not 100,000 lines
_PIECE = 1 << 16
_ODD_BREAKS = {"\u2028": "U+2028 LINE SEPARATOR", "\u2029": "U+2029 PARAGRAPH SEPARATOR", "\x85": "U+0085 NEXT LINE"}
_Item = tuple[dict[str, Any], dict[tuple[str | int, ...], tuple[int, int]]]


class _Text:
    """The file as strict UTF-8 text, read in pieces and checked as it is read (control
    characters, odd line breaks, runaway bracket nesting), for the YAML parser's ``read``."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path, self.fd = path, fd
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.line, self.column, self.depth, self.size = 1, 1, 0, 0
        self.first = True

    def read(self, size: int = _PIECE) -> str:
        raw = os.read(self.fd, max(size, _PIECE))
        self.size += len(raw)
        if self.size > LIST_LIMIT:
            raise ContentError.at(self.path, 1, 1, f"file is larger than the limit of {LIST_LIMIT >> 20} MiB")
        try:
            text = self.decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            line = self.line + raw[: max(exc.start, 0)].count(b"\n")
            raise ContentError.at(self.path, line, 1, "not valid UTF-8 (save the file as UTF-8)") from None
        if self.first and text:
            text, self.first = text.removeprefix("\ufeff"), False
        self._check(text)
        return text

    def _check(self, text: str) -> None:
        found = CONTROL.search(text)
        odd = min((i for i in (text.find(c) for c in _ODD_BREAKS) if i >= 0), default=-1)
        for index, char in enumerate(text):
            if index == odd:
                message = f"{_ODD_BREAKS[char]} is not allowed; use an ordinary line break or a space"
                raise ContentError.at(self.path, self.line, self.column, message)
            if found is not None and index == found.start():
                raise ContentError.at(self.path, self.line, self.column, control_message(char))
            if char == "\n":
                self.line, self.column = self.line + 1, 1
                continue
            self.column += 1
            if char in "[{":  # as load_yaml: bounded before the scanner meets a run of brackets
                self.depth += 1
                if self.depth > MAX_DEPTH:
                    raise ContentError.at(
                        self.path, self.line, self.column - 1, f"nested deeper than {MAX_DEPTH} levels"
                    )
            elif char in "]}" and self.depth:
                self.depth -= 1


def _at(path: Path, mark: Any, message: str) -> ContentError:
    return ContentError.at(path, mark.line + 1, mark.column + 1, message)


def _events(path: Path, fd: int) -> Iterator[Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        parsed: Iterator[Any] = yaml.parse(_Text(path, fd), Loader=loader)
        for event in parsed:
            if isinstance(event, yaml.AliasEvent):
                raise _at(path, event.start_mark, f"aliases (*{event.anchor}) are not allowed")
            if anchor := getattr(event, "anchor", None):
                raise _at(path, event.start_mark, f"anchors (&{anchor}) are not allowed")
            tag = getattr(event, "tag", None)
            if tag and not (isinstance(event, yaml.ScalarEvent) and event.implicit[0]) and tag != "!":
                raise _at(path, event.start_mark, f"YAML tags are not allowed ({tag})")
            if isinstance(event, yaml.ScalarEvent):
                try:
                    event.value.encode("utf-8")
                except UnicodeEncodeError:
                    raise _at(path, event.start_mark, "text contains an invalid (surrogate) character") from None
                if found := CONTROL.search(event.value):
                    raise _at(path, event.start_mark, control_message(found.group()))
            yield event
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if os.fstat(fd).st_size <= MAX_BYTES:
            load_yaml(path)  # words a syntax error as for every other content file (with a hint)
        where = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise ContentError.at(path, *where, f"YAML error: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise ContentError.at(path, 1, 1, f"YAML error: {exc}") from None


def _skip(path: Path, events: Iterator[Any], depth: int) -> None:
    """Pass over a collection whose start was just read (as a value no recipient field takes)."""
    level = 1
    for event in events:
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            level += 1
            if depth + level > MAX_DEPTH:
                raise _at(path, event.start_mark, f"nested deeper than {MAX_DEPTH} levels")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            level -= 1
            if not level:
                return


def _value(path: Path, event: Any, events: Iterator[Any], depth: int) -> Any:
    if isinstance(event, yaml.ScalarEvent):
        return scalar_value(event)
    _skip(path, events, depth)
    return {} if isinstance(event, yaml.MappingStartEvent) else []


def _item(path: Path, start: Any, events: Iterator[Any]) -> _Item:
    """One list item (its start event read) as data and the lines of its keys."""
    lines: dict[tuple[str | int, ...], tuple[int, int]] = {(): (start.start_mark.line + 1, start.start_mark.column + 1)}
    if not isinstance(start, yaml.MappingStartEvent):
        return _value(path, start, events, 2), lines
    data: dict[str, Any] = {}
    key: Any
    for key in events:
        if isinstance(key, yaml.MappingEndEvent):
            break
        if not isinstance(key, yaml.ScalarEvent):
            raise _at(path, key.start_mark, "mapping keys must be plain text")
        mark: Any = key.start_mark
        where = (mark.line + 1, mark.column + 1)
        if key.value in data:
            raise _at(
                path, key.start_mark, f"duplicate key '{key.value}' (first defined on line {lines[(key.value,)][0]})"
            )
        data[key.value] = _value(path, next(events), events, 3)
        lines[(key.value,)] = where
    return data, lines


def _items(path: Path) -> Iterator[_Item]:
    """Each item of the file's ``recipients:`` list, read as a stream."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise ContentError.at(path, 0, 0, "file not found") from None
    except OSError as exc:
        raise ContentError.at(path, 0, 0, f"file cannot be read ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ContentError.at(path, 0, 0, f"file is a {file_kind(path)}, not a regular file")
        if info.st_size > LIST_LIMIT:
            raise ContentError.at(path, 1, 1, f"file is larger than the limit of {LIST_LIMIT >> 20} MiB")
        events = _events(path, fd)
        seen_list = False
        for event in events:
            if isinstance(event, (yaml.StreamStartEvent, yaml.DocumentStartEvent)):
                continue
            if isinstance(event, (yaml.StreamEndEvent, yaml.DocumentEndEvent, yaml.MappingEndEvent)):
                break
            if not isinstance(event, yaml.MappingStartEvent):
                raise _at(path, event.start_mark, "the distribution list is a mapping with one key, 'recipients'")
            for key in events:
                if isinstance(key, yaml.MappingEndEvent):
                    break
                if not isinstance(key, yaml.ScalarEvent) or key.value != "recipients":
                    raise _at(
                        path, key.start_mark, f"unknown key '{getattr(key, 'value', '')}'; the list is 'recipients'"
                    )
                value = next(events)
                if not isinstance(value, yaml.SequenceStartEvent):
                    raise _at(path, key.start_mark, "'recipients' must be a list")
                for start in events:
                    if isinstance(start, yaml.SequenceEndEvent):
                        break
                    seen_list = True
                    yield _item(path, start, events)
                if not seen_list:
                    raise _at(path, key.start_mark, "'recipients' needs at least 1 item(s)")
            break
        if not seen_list:
            raise ContentError.at(path, 1, 1, "missing required key 'recipients'")
    finally:
        os.close(fd)


def _digest(recipient_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(recipient_id.encode("utf-8"), digest_size=8).digest(), "little")


class RecipientFile:
    """The recipients of a distribution list (all, or those of ``only``), checked as a whole on
    creation (a :class:`ContentError` with every problem located, up to :data:`MAX_ERRORS`) and
    read again, one at a time, by each iteration."""

    def __init__(self, config: ProjectConfig, path: Path | None = None, only: Sequence[str] = ()) -> None:
        self.config = config
        self.path = path or config.content / "_distribution" / "recipients.yaml"
        self.only = frozenset(only)
        self.count = 0
        used: set[str] = set()
        diags = Diagnostics()
        hashes = array("Q")
        found: set[str] = set()
        for recipient, lines in self._read(diags):
            if len(diags.items) >= MAX_ERRORS:
                break
            if recipient is None:
                continue
            hashes.append(_digest(recipient.id))
            if recipient.lang not in config.editions:
                diags.error(
                    SourceLocation(self.path, *lines.get(("lang",), lines[()])),
                    f"language '{recipient.lang}' is not one of the project's editions ({', '.join(config.editions)})",
                )
            else:
                for name in ("name", "organisation"):  # the stamp's font must have every character
                    if why := unprintable(recipient.lang, getattr(recipient, name)):
                        diags.error(SourceLocation(self.path, *lines.get((name,), lines[()])), f"{name}: {why}")
            if not self.only or recipient.id in self.only:
                if self.only:
                    found.add(recipient.id)
                used.add(recipient.lang)
                self.count += 1
        if not diags.items:
            diags.extend(self._duplicates(hashes))
        del hashes
        for wanted in only:
            if wanted not in found and not diags.items:
                diags.error(SourceLocation(self.path, 1, 1), f"no recipient '{wanted}' on the list")
        diags.raise_if_errors()
        self.langs = tuple(lang for lang in config.editions if lang in used)

    def _read(
        self, diags: Diagnostics
    ) -> Iterator[tuple[Recipient | None, dict[tuple[str | int, ...], tuple[int, int]]]]:
        for data, lines in _items(self.path):
            doc = YamlDocument(self.path, data, lines)
            yield validate(doc, Recipient, self.config.languages, diags), lines

    def _duplicates(self, hashes: array[int]) -> list[Diagnostic]:
        """Ids listed twice, at their lines: found by sorting the ids' hashes, then located by
        one more pass over the file (only when two hashes are equal)."""
        import numpy

        ordered = numpy.sort(numpy.frombuffer(hashes, dtype=numpy.uint64))
        twice = set(ordered[1:][ordered[1:] == ordered[:-1]].tolist())
        if not twice:
            return []
        first: dict[str, int] = {}
        problems = []
        for recipient, lines in self._read(Diagnostics()):
            if recipient is None or _digest(recipient.id) not in twice:
                continue
            line = lines.get(("id",), lines[()])
            if recipient.id in first:
                problems.append(
                    Diagnostic(
                        SourceLocation(self.path, *line),
                        f"duplicate id '{recipient.id}' (first used on line {first[recipient.id]})",
                    )
                )
            else:
                first[recipient.id] = line[0]
        return problems[:MAX_ERRORS]

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Recipient]:
        """The recipients in list order, read from the file again (checked again: a list edited
        since it was checked stops the run at the problem)."""
        diags = Diagnostics()
        for recipient, _lines in self._read(diags):
            diags.raise_if_errors()
            assert recipient is not None
            if self.only and recipient.id not in self.only:
                continue
            if recipient.lang not in self.langs:
                raise ContentError(
                    Diagnostic(SourceLocation(self.path), "the distribution list changed while it was being sent")
                )
            yield recipient
