"""Where every Text of the content lives: the YAML value or Markdown file, line and column.

Used by the checks that report findings inside texts (``fidelity``, ``glyphs``) and by the loader to
find every Markdown text of a YAML file. A *Text* is a mapping keyed by language tag;
:func:`entries` lists each one of a YAML document that has its source language, with a stable key
(:func:`stable_key`) and a :class:`Site` per language, which maps a position in the text to
``path:line:col``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from briefs.errors import SourceLocation
from briefs.project.config import ProjectConfig
from briefs.project.languages import DEFAULT_SOURCE, KNOWN_LANGUAGES
from briefs.source.yamlsource import KeyPath, YamlDocument, cached_yaml

if TYPE_CHECKING:
    from briefs.load.loaded import LoadedBrief

KEY_HASH_LENGTH = 8  # hex digits of the content part of a list item's key


@dataclass(frozen=True)
class Site:
    """Where one language of a Text lives, mapping a position in the text to ``path:line:col``.

    ``block``: the text's lines are the file's lines from ``line`` on, indented to ``column``
    (a YAML ``|`` block, or a whole Markdown file). ``inline``: the text sits on one source line
    (plain, quoted or flow scalar); positions map while the source reads the same (no escapes).
    ``fixed``: anything else (folded scalars); every position maps to the value's key.
    """

    path: Path
    text: str
    line: int
    column: int
    mode: Literal["block", "inline", "fixed"]
    source_line: str = ""

    def at(self, pos: int = 0) -> SourceLocation:
        """The source location of ``text[pos]``."""
        pos = max(0, min(pos, len(self.text)))
        if self.mode == "block":
            before = self.text[:pos]
            start = before.rfind("\n") + 1
            return SourceLocation(self.path, self.line + before.count("\n"), self.column + pos - start)
        if self.mode == "inline":
            offset = self.column - 1
            if self.source_line[offset : offset + pos] == self.text[:pos]:
                return SourceLocation(self.path, self.line, self.column + pos)
        return SourceLocation(self.path, self.line, self.column)


def _yaml_site(doc: YamlDocument, lines: Sequence[str], key_path: KeyPath, text: str) -> Site:
    where = doc.location(key_path)
    line, column = where.line, where.column
    if "\n" in text.rstrip("\n"):
        first = text.split("\n", 1)[0]
        if first.strip() and line < len(lines) and lines[line].strip() == first.strip():
            indent = len(lines[line]) - len(lines[line].lstrip(" "))
            return Site(doc.path, text, line + 1, indent + 1, "block")
        return Site(doc.path, text, line, column, "fixed")
    if 0 < line <= len(lines):
        probe = text[:20]
        found = lines[line - 1].find(probe, max(0, column - 1))
        if probe and found >= 0:
            return Site(doc.path, text, line, found + 1, "inline", lines[line - 1])
    return Site(doc.path, text, line, column, "fixed")


def yaml_site(doc: YamlDocument, key_path: KeyPath, text: str) -> Site:
    """The :class:`Site` of one language's text (``key_path`` ends with the language) of a YAML file."""
    lines = doc.path.read_text("utf-8").lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    return _yaml_site(doc, lines, key_path, text)


@dataclass(frozen=True)
class Entry:
    """One Text of a YAML file: its stable key, whether it is Markdown, each language's text and site.

    ``position_key`` is the key translations.lock files used before list items were keyed by
    content (``key_points/0``), read to keep an old lock usable until it is rewritten."""

    file: Path
    key: str
    markdown: bool
    texts: dict[str, str]
    sites: dict[str, Site]
    position_key: str = ""


_MARKDOWN_FIELDS = {"body", "body_file", "bio", "narrative"}


def _is_markdown(key_path: KeyPath) -> bool:
    names = [p for p in key_path if isinstance(p, str)]
    if not names:
        return False
    return (
        names[-1] in _MARKDOWN_FIELDS
        or names[0] == "key_points"
        or (names[-1] == "text" and names[0] in ("risks", "disclaimers"))
    )


def _is_text(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and all(k in KNOWN_LANGUAGES for k in value)
        and all(isinstance(v, str) for v in value.values())
    )


def _walk(data: Any, key_path: KeyPath = ()) -> Iterator[tuple[KeyPath, dict[str, str]]]:
    if _is_text(data):
        yield key_path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _walk(value, (*key_path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk(value, (*key_path, index))


def markdown_texts(doc: YamlDocument) -> Iterator[tuple[KeyPath, str]]:
    """Every Markdown text written in a YAML document, with its key path (language last).

    The Markdown of a ``body_file`` is in its own file and not listed here.
    """
    for key_path, value in _walk(doc.data):
        if _is_markdown(key_path) and key_path[-1] != "body_file":
            for lang, text in value.items():
                yield (*key_path, lang), text


def position_key(data: Any, key_path: KeyPath) -> str:
    """The key path, with list items that have an ``id`` named by it, others by position
    (``key_points/0``): the keys of translations.lock files written before :func:`stable_key`."""
    parts: list[str] = []
    node = data
    for part in key_path:
        item = node[part]
        parts.append(item["id"] if _has_id(part, item) else str(part))
        node = item
    return "/".join(parts)


def stable_key(data: Any, key_path: KeyPath, source_text: str) -> str:
    """The lock key of a Text: its key path, with list items that have an ``id`` named by it and
    the others left out and replaced by a short hash of the Text's source, so that inserting or
    reordering items keys every unchanged text as before.

    ``("sections", 2, "body")`` → ``sections/supply-gap/body``;
    ``("key_data", 0, "label")`` → ``key_data/label#3f2a9c1d`` (the hash of that label's source text).
    Two texts of one list with the same source get ``…#3f2a9c1d~2`` and so on (see :func:`entries`).
    """
    parts: list[str] = []
    by_content = False
    node = data
    for part in key_path:
        item = node[part]
        if _has_id(part, item):
            parts.append(item["id"])
        elif isinstance(part, int):
            by_content = True
        else:
            parts.append(str(part))
        node = item
    key = "/".join(parts)
    return f"{key}#{content_hash(source_text)}" if by_content else key


def content_hash(text: str) -> str:
    """Short sha256 of a text, blanks at the ends of lines and of the text not counted."""
    canonical = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:KEY_HASH_LENGTH]


def _has_id(part: object, item: Any) -> bool:
    return isinstance(part, int) and isinstance(item, dict) and isinstance(item.get("id"), str)


def entries(doc: YamlDocument, loaded: LoadedBrief | None = None, source: str = DEFAULT_SOURCE) -> list[Entry]:
    """Every Text of a YAML document that has a ``source`` text; ``body_file`` texts are the
    Markdown files' content."""
    lines = doc.path.read_text("utf-8").lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    found: list[Entry] = []
    seen: dict[str, int] = {}
    for key_path, value in _walk(doc.data):
        texts: dict[str, str] = {}
        sites: dict[str, Site] = {}
        if key_path and key_path[-1] == "body_file":
            if loaded is None:
                continue
            section_id = doc.data["sections"][key_path[1]]["id"]
            for lang in value:
                body = loaded.bodies.get((section_id, lang))
                if body is not None:
                    texts[lang] = body.text
                    sites[lang] = Site(body.origin.path, body.text, 1, 1, "block")
        else:
            for lang, text in value.items():
                texts[lang] = text
                sites[lang] = _yaml_site(doc, lines, (*key_path, lang), text)
        if source in texts:
            key = stable_key(doc.data, key_path, texts[source])
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                key = f"{key}~{seen[key]}"
            where = position_key(doc.data, key_path)
            found.append(Entry(doc.path, key, _is_markdown(key_path), texts, sites, where))
    return found


@dataclass(frozen=True)
class Unit:
    """One YAML file whose texts are checked, with the brief it belongs to (None for shared files)
    and the language its texts are written in first."""

    doc: YamlDocument
    loaded: LoadedBrief | None
    source: str = DEFAULT_SOURCE

    def entries(self) -> list[Entry]:
        """Every Text of the file (body files' Markdown included)."""
        return entries(self.doc, self.loaded, self.source)


def units(
    shared: Iterable[YamlDocument], briefs: Iterable[LoadedBrief], config: ProjectConfig | None = None
) -> list[Unit]:
    """The shared YAML files given, then each brief's ``brief.yaml``, as the loader read them, each
    with its source language (the project's default when no ``config`` is given)."""
    project_source = config.source if config is not None else DEFAULT_SOURCE
    return [
        *(Unit(doc, None, project_source) for doc in shared),
        *(
            Unit(loaded.doc or cached_yaml(loaded.path), loaded, loaded.brief.source or project_source)
            for loaded in briefs
        ),
    ]


def source_language(config: ProjectConfig, loaded: LoadedBrief | None) -> str:
    """The language a brief is written in first (its ``source:``, else the project's); for the
    shared files, the project's."""
    own = loaded.brief.source if loaded is not None else None
    return own or config.source


def checked_units(config: ProjectConfig, shared: Iterable[YamlDocument], briefs: Iterable[LoadedBrief]) -> list[Unit]:
    """:func:`units` with each one's source language: the files the fidelity checks compare,
    from that language to each translation."""
    return units(shared, briefs, config)
