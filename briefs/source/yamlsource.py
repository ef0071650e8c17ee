"""Stage 1 (load): YAML text → plain data plus a map from key paths to source lines.

YAML only gives structure here. Scalars stay text (the schema decides types), except
``true``/``false`` and ``null``/``~``/empty. So ``000063`` stays ``"000063"`` and ``no`` stays
``"no"``. Tags, anchors and aliases are refused, duplicate keys name both lines, and size and
nesting are bounded. We use PyYAML's composer (node graph with marks) and never its constructor.
"""

from __future__ import annotations

import pickle
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from briefs.errors import ContentError, Diagnostics, SourceLocation
from briefs.source.contentcache import ContentCache, digest
from briefs.source.safefiles import Unsafe, read_bytes
from briefs.source.yamlhints import explain, plain

MAX_BYTES = 1_000_000
MAX_DEPTH = 40
Key = str | int
KeyPath = tuple[Key, ...]

_SAFE_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "map", "seq", "int", "float", "bool", "null", "timestamp", "merge", "value")
}


@dataclass(frozen=True)
class YamlDocument:
    """Parsed data with the source position of every mapping key and sequence item."""

    path: Path
    data: Any
    lines: dict[KeyPath, tuple[int, int]]

    def location(self, key_path: KeyPath = ()) -> SourceLocation:
        """Best location for a key path: the deepest known prefix (a missing key → its mapping)."""
        best: tuple[int, int] = self.lines.get((), (1, 1))
        current: KeyPath = ()
        for part in key_path:
            candidate = (*current, part)
            if candidate in self.lines:
                current = candidate
                best = self.lines[candidate]
            # Parts that are not in the data (pydantic's union tags such as 'str') are skipped.
        return SourceLocation(self.path, *best)


class _ComposeLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses anchors and aliases outright."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # types-PyYAML leaves it unannotated
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(event.start_mark, f"aliases (*{event.anchor}) are not allowed")
        if getattr(event, "anchor", None):
            raise _Refused(event.start_mark, f"anchors (&{event.anchor}) are not allowed")
        return super().compose_node(parent, index)


class _Refused(Exception):
    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


def locate(folder: Path, relative: str) -> tuple[Path, bool, bool] | None:
    """``relative`` (as written in content) under ``folder``: the resolved path, whether it is
    inside the folder, whether it is a file; None for a name no file can have (a NUL byte, a
    name too long for the file system)."""
    try:
        target = (folder / relative).resolve()
        return target, target.is_relative_to(folder.resolve()), target.is_file()
    except (ValueError, OSError):
        return None


def read_text(path: Path, inside: Path | None = None) -> str:
    """Read a content file as strict UTF-8 within the size limit, or raise a located error.

    The file is read through :mod:`briefs.source.safefiles`: only a regular file, its size checked
    before anything is read (a FIFO or ``/dev/zero`` is refused, never waited on or slurped),
    and, with ``inside``, only if the file opened is in that (resolved) folder."""
    try:
        raw = read_bytes(path, MAX_BYTES, inside)
    except Unsafe as exc:
        line = 1 if "the limit is" in exc.reason else 0
        raise ContentError.at(path, line, line, f"file {exc.reason}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError.at(path, line, 1, "not valid UTF-8 (save the file as UTF-8)") from None
    if found := CONTROL.search(text):
        raise ContentError.at(path, *_position(text, found.start()), control_message(found.group()))
    return text


# Control characters (tab and line breaks aside) are invisible in an editor, print as a box or
# not at all, and would be written raw into the HTML; they only arrive by pasting or by escapes.
# Bidirectional formatting characters are refused too: an override or isolate reorders what is
# printed after the text was checked (an English "\u202e95\u202c%" matches the Chinese 95 % in
# the figure check and prints as "59%"), and text in Chinese and English never needs one.
BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
CONTROL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f{BIDI}]")


def control_message(char: str) -> str:
    if char > "\x9f":
        return (
            f"bidirectional control U+{ord(char):04X} {unicodedata.name(char, '')} in the text: "
            "it reorders what is printed (a figure can print reversed), and Chinese and English "
            "never need one; delete it"
        )
    return f"control character U+{ord(char):04X} in the text (invisible, and never printed); delete it"


# PyYAML (YAML 1.1) breaks lines at these; editors, grep -n and git do not, so every line number
# after one would be off. They only ever arrive by pasting, so they are refused where they stand.
_ODD_BREAKS = {"\u2028": "U+2028 LINE SEPARATOR", "\u2029": "U+2029 PARAGRAPH SEPARATOR", "\x85": "U+0085 NEXT LINE"}


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index, counting only \\n as a line break."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


_BRACKET = re.compile(r"[\[\]{}]")


def _prescan(path: Path, text: str, loader: Any) -> None:
    """Refuse odd line breaks and over-deep nesting before composing (the composer recurses)."""
    for char, name in _ODD_BREAKS.items():
        index = text.find(char)
        if index >= 0:
            raise ContentError.at(
                path, *_position(text, index), f"{name} is not allowed; use an ordinary line break or a space"
            )
    # Linear bound first: PyYAML's scanner reads a whole run of '[' before yielding a token, and
    # its simple-key bookkeeping is quadratic in it (200k '[' ≈ minutes). A naive bracket count
    # over-approximates flow nesting (brackets inside text are balanced in practice: content
    # never comes near the limit), so it can refuse early without a false alarm.
    depth = 0
    for found in _BRACKET.finditer(text):  # (the brackets only: a scan in C, not a loop per character)
        char = found.group()
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ContentError.at(path, *_position(text, found.start()), f"nested deeper than {MAX_DEPTH} levels")
        elif depth:
            depth -= 1
    # Then the real nesting depth, and anchors and aliases, from the tokens (libyaml's scanner
    # when the text is one it reads exactly as PyYAML's would). Tokens come in document order,
    # so the first problem is the one reported, even when a syntax error follows it.
    depth = 0
    try:
        for token in yaml.scan(text, Loader=loader):
            if isinstance(
                token,
                (
                    yaml.BlockMappingStartToken,
                    yaml.BlockSequenceStartToken,
                    yaml.FlowMappingStartToken,
                    yaml.FlowSequenceStartToken,
                ),
            ):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _Refused(token.start_mark, f"nested deeper than {MAX_DEPTH} levels")
            elif isinstance(token, (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)):
                depth -= 1
            elif isinstance(token, yaml.AliasToken):
                raise _Refused(token.start_mark, f"aliases (*{token.value}) are not allowed")
            elif isinstance(token, yaml.AnchorToken):
                raise _Refused(token.start_mark, f"anchors (&{token.value}) are not allowed")
    except yaml.YAMLError:
        return  # a syntax error: the composer reports it with better context


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)  # libyaml, when PyYAML was built with it


def _loader_for(text: str) -> Any:
    """libyaml's C parser (about 10 times faster) for text that PyYAML's reader accepts as is.

    Anything else, and every text with an error, goes through the pure-Python parser, so what
    an author is told never depends on whether libyaml is installed.
    """
    if _FAST_LOADER is not None and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        return _FAST_LOADER
    return _ComposeLoader


def _compose(text: str, loader: Any) -> Any:
    """The node graph of ``text`` (anchors, aliases and depth were refused by :func:`_prescan`)."""
    if loader is not _ComposeLoader:
        try:
            return yaml.compose(text, Loader=loader)
        except yaml.YAMLError:
            pass  # worded by the pure-Python parser below
    return yaml.compose(text, Loader=_ComposeLoader)


def load_yaml(path: Path) -> YamlDocument:
    """Parse one YAML file into a :class:`YamlDocument`, raising :class:`ContentError` with lines.
    (The loader reads through :func:`cached_yaml`, which remembers a text it has parsed before.)"""
    return parse_yaml(path, read_text(path))


# Parsed documents by content (:mod:`briefs.source.contentcache`), as pickles of (data, lines):
# each caller unpacks its own copy of the data, which it may change without changing another's.
_PARSED: ContentCache[bytes] = ContentCache(32 * 2**20)  # bytes of pickles


def cached_yaml(path: Path) -> YamlDocument:
    """:func:`load_yaml`, reading the file every time but parsing a text only the first time this
    process sees it (the same data and lines, and the same errors, located in ``path``)."""
    text = read_text(path)
    key = (digest(text), MAX_DEPTH, _FAST_LOADER is None)
    blob = _PARSED.get(key)
    if blob is None:
        doc = parse_yaml(path, text)
        _PARSED.put(key, blob := pickle.dumps((doc.data, doc.lines), pickle.HIGHEST_PROTOCOL), len(blob))
        return doc
    data, lines = pickle.loads(blob)  # (made above, in this process)
    return YamlDocument(path, data, lines)


def parse_yaml(path: Path, text: str) -> YamlDocument:
    """:func:`load_yaml` of a file already read (by :func:`read_text`) as ``text``."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        loader = _loader_for(text)
        _prescan(path, text, loader)
        node = _compose(text, loader)
    except RecursionError:  # deep nesting before a syntax error that stopped the pre-scan
        raise ContentError.at(path, 1, 1, f"nested deeper than {MAX_DEPTH} levels") from None
    except _Refused as exc:
        raise ContentError.at(path, exc.mark.line + 1, exc.mark.column + 1, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        hint = explain(
            text, exc.problem or "", exc.context or "", exc.problem_mark or exc.context_mark, exc.context_mark
        )
        raise ContentError.at(path, hint.line, hint.column, hint.message) from None
    except yaml.reader.ReaderError as exc:
        line, col = _position(text, exc.position)
        message = (
            f"character U+{exc.character:04X} is not allowed in YAML"
            if isinstance(exc.character, int)
            else f"YAML error: {exc.reason}"
        )
        raise ContentError.at(path, line, col, message) from None
    except yaml.YAMLError as exc:  # e.g. a composer error without marks
        raise ContentError.at(path, 1, 1, f"YAML error: {plain(str(exc))}") from None
    if node is None:
        raise ContentError.at(path, 1, 1, "file is empty")
    builder = _Builder(path)
    data = builder.build(node, (), 0)
    builder.diagnostics.raise_if_errors()
    return YamlDocument(path, data, builder.lines)


class _Builder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: dict[KeyPath, tuple[int, int]] = {}
        self.diagnostics = Diagnostics()

    def _loc(self, node: yaml.Node) -> SourceLocation:
        return SourceLocation(self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, key_path: KeyPath, depth: int) -> Any:
        self.lines.setdefault(key_path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if depth > MAX_DEPTH:
            self.diagnostics.error(self._loc(node), f"nested deeper than {MAX_DEPTH} levels")
            return None
        if node.tag not in _SAFE_TAGS:
            self.diagnostics.error(self._loc(node), f"YAML tags are not allowed ({node.tag})")
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, key_path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*key_path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)  # the composer makes mappings, sequences and scalars
        if not _encodable(node.value):
            self.diagnostics.error(
                self._loc(node), "text contains an invalid (surrogate) character, e.g. from a \\ud800 escape"
            )
            return None
        if found := CONTROL.search(node.value):  # from an escape such as "\x01" or "\0"
            self.diagnostics.error(self._loc(node), control_message(found.group()))
            return None
        return scalar_value(node)

    def _mapping(self, node: yaml.MappingNode, key_path: KeyPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.diagnostics.error(self._loc(key_node), "mapping keys must be plain text")
                continue
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if not _encodable(key):
                self.diagnostics.error(self._loc(key_node), "key contains an invalid (surrogate) character")
                continue
            if key in first_seen:
                self.diagnostics.error(
                    self._loc(key_node), f"duplicate key '{key}' (first defined on line {first_seen[key]})"
                )
                continue
            first_seen[key] = line
            child = (*key_path, key)
            self.lines[child] = (line, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, child, depth + 1)
            self.lines[child] = (line, key_node.start_mark.column + 1)
        return result


def scalar_value(node: yaml.ScalarNode | yaml.ScalarEvent) -> Any:
    """A scalar as briefs reads YAML (a composed node, or a parser event for a streamed reader):
    quoted or block text stays text; plain null/~/empty is None, plain true/false a bool; any
    other plain scalar stays text too, for the schema to type."""
    value = node.value
    if node.style:  # quoted or block scalar: always text (plain is None, or "" from libyaml)
        return value
    if value in ("", "~", "null"):
        return None
    if value in ("true", "false"):
        return value == "true"
    return value


def _encodable(value: str) -> bool:
    """False for text with lone surrogates (from "\\ud800" escapes), which no file can hold."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
