"""Where each key of a TOML file is written: key path → (line, column), for located messages.

``tomllib`` gives values without positions. This scan reads the same text line by line and
records the place of every table header (``[a.b]``, ``[[a.b]]``), every key assignment (bare,
quoted or dotted, ``a."b-c".d = …``) and every key of an inline table on its line
(``zh-HK = { from = "zh-CN", … }``). It runs only after ``tomllib`` accepted the text, so it may
assume valid TOML; it skips the insides of strings (multi-line ones included), arrays spread over
several lines and comments, so nothing in a value is taken for a key.
"""

from __future__ import annotations

import re

_KEY = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\')'
_DOTTED = rf"{_KEY}(?:[ \t]*\.[ \t]*{_KEY})*"
_HEADER = re.compile(rf"[ \t]*(\[\[?)[ \t]*({_DOTTED})[ \t]*\]")
_ASSIGN = re.compile(rf"[ \t]*({_DOTTED})[ \t]*=")
_INLINE_KEY = re.compile(rf"[{{,][ \t]*({_DOTTED})[ \t]*=")

KeyPath = tuple[str, ...]


def key_places(text: str) -> dict[KeyPath, tuple[int, int]]:
    """The first place (1-based line and column) of every key path written in ``text``."""
    places: dict[KeyPath, tuple[int, int]] = {}
    table: KeyPath = ()
    carry = _Scanner()
    for number, line in enumerate(text.splitlines(), 1):
        if carry.busy:  # inside a multi-line string or array: no keys on this line's start
            carry.feed(line)
            continue
        header = _HEADER.match(line)
        if header:
            table = _parts(header[2])
            _record(places, table, number, header.start(1) + 1)
            continue
        assign = _ASSIGN.match(line)
        if not assign:
            continue
        key = table + _parts(assign[1])
        _record(places, key, number, assign.start(1) + 1)
        value = line[assign.end() :]
        for inner in _INLINE_KEY.finditer(_blank_strings(value)):
            _record(places, key + _parts(inner[1]), number, assign.end() + inner.start(1) + 1)
        carry.feed(value)
    return places


def place_of(places: dict[KeyPath, tuple[int, int]], path: KeyPath) -> tuple[int, int]:
    """The place of ``path``, else of its nearest written parent; (0, 0) if none is written."""
    for end in range(len(path), 0, -1):
        if path[:end] in places:
            return places[path[:end]]
    return 0, 0


def _record(places: dict[KeyPath, tuple[int, int]], path: KeyPath, line: int, column: int) -> None:
    for end in range(1, len(path) + 1):  # a dotted key or header also writes its parents
        places.setdefault(path[:end], (line, column))


def _parts(dotted: str) -> KeyPath:
    parts = []
    for match in re.finditer(_KEY, dotted):
        key = match[0]
        if key[:1] == '"':
            key = key[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
        elif key[:1] == "'":
            key = key[1:-1]
        parts.append(key)
    return tuple(parts)


def _blank_strings(value: str) -> str:
    """``value`` with the inside of its one-line strings blanked (a ``{`` or ``=`` there is text)."""
    return re.sub(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', lambda m: '"' + " " * (len(m[0]) - 2) + '"', value)


class _Scanner:
    """Follows strings, brackets and comments across lines, to know when a value has ended."""

    def __init__(self) -> None:
        self.quote = ""  # the open string's delimiter: ", ', \"\"\" or '''
        self.depth = 0  # open [ and { of the current value

    @property
    def busy(self) -> bool:
        return bool(self.quote) or self.depth > 0

    def feed(self, text: str) -> None:
        i = 0
        while i < len(text):
            if self.quote:
                if self.quote in ('"', '"""') and text[i] == "\\":
                    i += 2
                    continue
                if text.startswith(self.quote, i):
                    i += len(self.quote)
                    self.quote = ""
                    continue
                i += 1
                continue
            char = text[i]
            if char == "#":
                break
            for delimiter in ('"""', "'''", '"', "'"):
                if text.startswith(delimiter, i):
                    self.quote = delimiter
                    i += len(delimiter)
                    break
            else:
                if char in "[{":
                    self.depth += 1
                elif char in "]}":
                    self.depth = max(0, self.depth - 1)
                i += 1
        if self.quote in ('"', "'"):  # one-line strings end with their line
            self.quote = ""
