"""Where every Text of the content lives: the YAML value or Markdown file, line and column.

Used by the checks that report findings inside texts (``fidelity``, ``glyphs``) and by the loader to
find every Markdown text of a YAML file. A *Text* is a mapping keyed by language tag with an
entry in :data:`SOURCE`; :func:`entries` lists each one of a YAML document with a :class:`Site`
per language, which maps a position in the text to ``path:line:col``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from briefs.errors import SourceLocation
from briefs.project.config import ProjectConfig
from briefs.project.languages import DEFAULT_SOURCE, KNOWN_LANGUAGES
from briefs.source.yamlsource import KeyPath, YamlDocument, load_yaml

if TYPE_CHECKING:
    from briefs.load.loaded import LoadedBrief

# The language the fidelity checks compare every other one with. They are written for zh-CN
# sources today (figures, the zh-CN → en glossary), so they look only at texts whose source is
# zh-CN (checked_units); other sources get their checks in a later issue.
SOURCE = DEFAULT_SOURCE


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


@dataclass(frozen=True)
class Entry:
    """One Text of a YAML file: its stable key, whether it is Markdown, each language's text and site."""

    file: Path
    key: str
    markdown: bool
    texts: dict[str, str]
    sites: dict[str, Site]


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
        and SOURCE in value
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


def stable_key(data: Any, key_path: KeyPath) -> str:
    """The lock key of a Text: its key path, with list items that have an ``id`` named by it.

    ``("sections", 2, "body")`` → ``sections/supply-gap/body``; ``("key_points", 0)`` → ``key_points/0``.
    """
    parts: list[str] = []
    node = data
    for part in key_path:
        node_item = node[part]
        if isinstance(part, int) and isinstance(node_item, dict) and isinstance(node_item.get("id"), str):
            parts.append(node_item["id"])
        else:
            parts.append(str(part))
        node = node_item
    return "/".join(parts)


def entries(doc: YamlDocument, loaded: LoadedBrief | None = None) -> list[Entry]:
    """Every Text of a YAML document; ``body_file`` texts are the Markdown files' content."""
    lines = doc.path.read_text("utf-8").lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    found: list[Entry] = []
    for key_path, value in _walk(doc.data):
        texts: dict[str, str] = {}
        sites: dict[str, Site] = {}
        if key_path and key_path[-1] == "body_file":
            if loaded is None:
                continue
            section_id = doc.data["sections"][key_path[1]]["id"]
            for lang in value:
                source = loaded.bodies.get((section_id, lang))
                if source is not None:
                    texts[lang] = source.text
                    sites[lang] = Site(source.origin.path, source.text, 1, 1, "block")
        else:
            for lang, text in value.items():
                texts[lang] = text
                sites[lang] = _yaml_site(doc, lines, (*key_path, lang), text)
        if SOURCE in texts:
            found.append(Entry(doc.path, stable_key(doc.data, key_path), _is_markdown(key_path), texts, sites))
    return found


@dataclass(frozen=True)
class Unit:
    """One YAML file whose texts are checked, with the brief it belongs to (None for shared files)."""

    doc: YamlDocument
    loaded: LoadedBrief | None

    def entries(self) -> list[Entry]:
        """Every Text of the file (body files' Markdown included)."""
        return entries(self.doc, self.loaded)


def units(shared: Iterable[YamlDocument], briefs: Iterable[LoadedBrief]) -> list[Unit]:
    """The shared YAML files given, then each brief's ``brief.yaml``, as the loader read them."""
    return [
        *(Unit(doc, None) for doc in shared),
        *(Unit(loaded.doc or load_yaml(loaded.path), loaded) for loaded in briefs),
    ]


def source_language(config: ProjectConfig, loaded: LoadedBrief | None) -> str:
    """The language a brief is written in first (its ``source:``, else the project's); for the
    shared files, the project's."""
    own = loaded.brief.source if loaded is not None else None
    return own or config.source


def checked_units(config: ProjectConfig, shared: Iterable[YamlDocument], briefs: Iterable[LoadedBrief]) -> list[Unit]:
    """:func:`units` whose source language is :data:`SOURCE`: the ones the fidelity checks
    can compare today (a brief written in English first is left out, not checked backwards)."""
    briefs = [loaded for loaded in briefs if source_language(config, loaded) == SOURCE]
    return units(shared if config.source == SOURCE else (), briefs)
