"""The lines of a YAML text as an author sees them: indentation, keys, list items, and which
lines only continue something above (a block text after '|', a quoted text or a '[ ]' over
several lines). What :mod:`briefs.source.yamlhints` reads to find the line an error is really on.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """One line that holds something (not blank, not only a comment)."""

    number: int  # 1-based
    indent: int
    text: str  # without the indentation
    # For a line of the text of a block scalar ('key: |'): the line of the key and the indentation
    # of the text's first line; (0, 0) for any other line.
    text_of: tuple[int, int] = (0, 0)

    @property
    def key(self) -> str:
        """The key this line starts with, quoted, or the list item it is (``'- a'``)."""
        if self.text.startswith("-"):
            return f"the list item '{self.text[:30]}'"
        return f"the key '{self.name}:'" if self.name else f"the line '{self.text[:30]}'"

    @property
    def name(self) -> str:
        """The key this line starts with, without its colon ("" if it starts with none)."""
        match = re.match(r"""(["']?)([^:#]*?)\1\s*:(\s|$)""", self.text)
        return match.group(2) if match else ""

    @property
    def item_key(self) -> tuple[int, str] | None:
        """For a list item that starts with a key (``- id: a``): that key's column (0-based) and name."""
        match = re.match(r"""-\s+(["']?)([^:#]*?)\1\s*:(\s|$)""", self.text)
        if match is None:
            return None
        return self.indent + len(self.text[: match.start(1)]), match.group(2)

    @property
    def opens_block(self) -> bool:
        """Whether the line ends in a key with nothing after it (an indented block follows)."""
        body = re.sub(r"\s+#.*$", "", self.text).rstrip()
        return body.endswith(":") or body == "-" or bool(re.search(r":\s*[|>][-+0-9]*$", body))


def lines_of(text: str) -> list[Line]:
    """The lines that hold something (not blank, not only a comment), with their indentation."""
    found: list[Line] = []
    opener: Line | None = None  # the key of the block scalar being read, if any
    text_indent = 0
    inside = continued(text)
    for number, raw in enumerate(text.split("\n"), 1):
        stripped = raw.lstrip(" ")
        if not stripped.strip():
            continue
        indent = len(raw) - len(stripped)
        if opener is not None and indent > opener.indent:
            text_indent = text_indent or indent
            found.append(Line(number, indent, stripped.rstrip("\r"), (opener.number, text_indent)))
            continue
        if number in inside:  # more of a quoted text or a [ ] or { } from the lines above
            found.append(Line(number, indent, stripped.rstrip("\r"), (number, 0)))
            continue
        opener = None
        if stripped.startswith("#"):
            continue
        line = Line(number, indent, stripped.rstrip("\r"))
        found.append(line)
        if re.search(r":\s*[|>][-+0-9]*\s*(#.*)?$", line.text):
            opener, text_indent = line, 0
    return found


def continued(text: str) -> set[int]:
    """Numbers of the lines that start inside a quoted text or a '[ ]' / '{ }' opened above."""
    return {number for number, (brackets, quote) in open_at(text).items() if brackets or quote}


def unclosed(text: str, line: int) -> tuple[int, int, str] | None:
    """The outermost '[' or '{' still open where line ``line`` starts: its line, column (1-based)
    and the bracket."""
    brackets = open_at(text).get(line, ((), ""))[0]
    return brackets[0] if brackets else None


def open_at(text: str) -> dict[int, tuple[tuple[tuple[int, int, str], ...], str]]:
    """For each line: the brackets open where it starts (line, column, bracket) and the quote a
    text it starts in was opened with ("" if none). A quote or a bracket counts only where a value
    can start (an apostrophe in "Don't" opens nothing)."""
    state: dict[int, tuple[tuple[tuple[int, int, str], ...], str]] = {}
    brackets: list[tuple[int, int, str]] = []
    quote = ""
    for number, raw in enumerate(text.split("\n"), 1):
        state[number] = (tuple(brackets), quote)
        previous = " "
        index = 0
        while index < len(raw):
            char = raw[index]
            starts_value = previous in " [{,:-" or not raw[:index].strip()
            if quote:
                if (char == "\\" and quote == '"') or (char == quote and raw[index + 1 : index + 2] == quote == "'"):
                    index += 1
                elif char == quote:
                    quote = ""
            elif char in "\"'" and starts_value:
                quote = char
            elif char == "#" and previous in " \t":
                break
            elif char in "[{" and (brackets or starts_value):
                brackets.append((number, index + 1, char))
            elif char in "]}" and brackets:
                brackets.pop()
            previous = char
            index += 1
    return state


def keys(lines: list[Line]) -> list[Line]:
    """The lines that start a key or a list item (not those continuing a text over lines)."""
    return [item for item in lines if not item.text_of[0] and (item.name or item.text.startswith("-"))]


def anomaly(lines: list[Line], upto: int) -> tuple[Line, str] | None:
    """The first key or list item up to line ``upto`` whose indentation fits no open block, and
    why: "deeper" (under a key that already has its value), "between" (between two levels) or
    "root" (the file's first key, indented more than a later top-level key)."""
    levels: list[int] = []
    first: Line | None = None
    previous: Line | None = None
    for item in keys(lines):
        if item.number > upto:
            break
        if first is None:
            first = item
            levels.append(item.indent)
        elif item.indent > levels[-1]:
            if previous is not None and not previous.opens_block:
                return item, "deeper"  # under a key (or an item's key) that has its value
            levels.append(item.indent)
        else:
            while levels and levels[-1] > item.indent:
                levels.pop()
            if not levels:
                return first, "root"
            if levels[-1] != item.indent:
                return item, "between"
        if item.item_key is not None and item.item_key[0] > levels[-1]:
            levels.append(item.item_key[0])  # the keys of an item ('- id: a') line up with its first
        previous = item
    return None


def step(lines: list[Line]) -> int:
    """The indentation step the file uses most (2 when it cannot tell)."""
    steps: dict[int, int] = {}
    for opener, following in itertools.pairwise(lines):
        if opener.opens_block and following.indent > opener.indent:
            steps[following.indent - opener.indent] = steps.get(following.indent - opener.indent, 0) + 1
    return max(steps, key=lambda step: (steps[step], -step)) if steps else 2


def closes(rest: str) -> bool:
    """Whether the bracket that ``rest`` starts with is closed on that line (quotes skipped)."""
    depth, quote = 0, ""
    for char in rest:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return True
        elif char == "#":
            break
    return False


@dataclass(frozen=True)
class Hint:
    """Where the mistake is (1-based line and column) and what to do about it."""

    line: int
    column: int
    message: str
