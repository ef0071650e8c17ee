"""Indentation mistakes in YAML, in plain words (one of the diagnoses of
:func:`briefs.source.yamlhints.explain`): a key indented more than the key it belongs with, less,
or like no block open above it, found even where PyYAML stops a line later."""

from __future__ import annotations

import re
from typing import Any

from briefs.source.yamllines import Hint, Line, anomaly, keys, lines_of, step


def earlier(
    text: str, problem: str, context: str, line: int, column: int, here: Line | None, before: list[Line], *_: Any
) -> Hint | None:
    """An indentation mistake on a line above the one PyYAML stopped at."""
    if not any(words in problem for words in ("expected <block end>", "not allowed here", "<document start>")):
        return None
    lines = lines_of(text)
    found = anomaly(lines, line)
    if found is None or (found[0].number >= line and found[1] != "root"):
        return None
    wrong, why = found
    earlier = [item for item in lines if item.number < wrong.number]
    if why == "root":
        return Hint(
            wrong.number,
            wrong.indent + 1,
            f"this line is indented {wrong.indent} space(s), but it is a top-level key, like the keys "
            "below it that start at the beginning of the line: remove its indentation",
        )
    if why == "deeper":
        return deeper(text, "mapping values are not allowed here", "", wrong.number, wrong.indent + 1, wrong, earlier)
    return misaligned(text, "expected <block end>", "", wrong.number, wrong.indent + 1, wrong, earlier)


def deeper(
    text: str, problem: str, context: str, line: int, column: int, here: Line | None, before: list[Line], *_: Any
) -> Hint | None:
    """A line indented under a key that already has its value on its own line."""
    if (
        here is None
        or not before
        or not ("not allowed here" in problem or "<document start>" in problem or _at_indent(problem, column, here))
    ):
        return None
    # the line this one follows at its level (lines indented further continue that one)
    previous = next((item for item in reversed(before) if item.indent <= here.indent), before[-1])
    if (
        here.indent >= previous.indent
        and not previous.name
        and not previous.text_of[0]
        and not previous.text.startswith(("-", "#", "..."))
    ):
        return Hint(
            previous.number,
            previous.indent + 1,
            f"'{previous.text[:40]}' has no colon: a key needs ': ' after it ('{previous.text.split()[0]}:'); "
            f"without one the line is read as text, and the key on line {line} cannot follow it",
        )
    structural = keys(before)
    if not structural:
        return None
    previous = structural[-1]
    if previous.item_key is not None and here.indent > previous.item_key[0] and not previous.opens_block:
        column_of_key, name = previous.item_key
        return Hint(
            line,
            here.indent + 1,
            f"this line is indented more than the key '{name}:' of the list item before it (line "
            f"{previous.number}, which already has its value): the keys of one item line up, so "
            f"{_indent(column_of_key)} like '{name}:'",
        )
    if here.indent <= previous.indent or previous.opens_block:
        return None
    return Hint(
        line,
        here.indent + 1,
        f"this line is indented more than {previous.key} before it (line {previous.number}, "
        f"which already has its value): {_LINE_UP}, so {_indent(previous.indent)} like line {previous.number}",
    )


_LINE_UP = "the keys of one mapping (and the items of one list) must line up"


def _indent(spaces: int) -> str:
    return f"indent it by {spaces} space(s)" if spaces else "start it at the beginning of the line"


def _at_indent(problem: str, column: int, here: Line) -> bool:
    """A block-end error at the first character of the line: its indentation is what is wrong."""
    return "expected <block end>" in problem and column - 1 == here.indent


def misaligned(
    text: str, problem: str, context: str, line: int, column: int, here: Line | None, before: list[Line], *_: Any
) -> Hint | None:
    """A line whose indentation matches none of the blocks open above it."""
    if "expected <block end>" not in problem or here is None:
        return None
    if column - 1 != here.indent:
        if "'<scalar>'" in problem and re.search(r"[\"']\s*$", text.split("\n")[line - 1][: column - 1]):
            return Hint(line, column, "text after the closing quote: put the whole value inside the quotes")
        return None
    if "found '-'" in problem:
        return Hint(
            line,
            column,
            "a list item where a key was expected: a list is the value of a key, so put it under a key "
            "that has nothing after its colon, indented further than that key",
        )
    if "found '?'" in problem and "collection" in context:
        return Hint(
            line,
            column,
            "a key among the items of a list: start the line with '- ' if it is another item, or indent it "
            "like the key the list belongs to if it is that mapping's next key",
        )
    before = keys(before)
    if not before:
        return None
    previous = before[-1]
    if previous.indent <= here.indent:
        return None
    # The block the line before belongs to: its lines at that indentation, back to its parent.
    block: list[Line] = []
    parent: Line | None = None
    for item in reversed(before):
        if item.indent < previous.indent:
            parent = item
            break
        if item.indent == previous.indent:
            block.append(item)
    if parent is not None and parent.item_key is not None and parent.item_key[0] == previous.indent:
        block.append(parent)  # '- id: a' starts the mapping its next lines continue
    if parent is not None and parent.indent < here.indent and len(block) == 1:
        first = block[0]
        usual = step(lines_of(text))
        # the column of the key the block is under ('- title:' has its key two columns in)
        under, owner = (
            (parent.item_key[0], f"the key '{parent.item_key[1]}:'")
            if parent.item_key
            else (
                parent.indent,
                parent.key,
            )
        )
        if first.indent - under == usual and here.indent - under != usual:
            return Hint(
                line,
                here.indent + 1,
                f"this line is indented less than {first.key} before it (line {first.number}), "
                f"though both belong under {owner} (line {parent.number}): {_LINE_UP}, "
                f"so {_indent(first.indent)} like line {first.number}",
            )
        return Hint(
            first.number,
            first.indent + 1,
            f"this line is indented more than {here.key} after it (line {here.number}), "
            f"though both belong under {owner} (line {parent.number}): {_LINE_UP}, "
            f"so {_indent(here.indent)} like line {here.number}",
        )
    shallower = next((item for item in reversed(before) if item.indent < here.indent), None)
    around = f"{previous.key} above it (line {previous.number}) is indented {previous.indent}"
    if shallower is not None:
        around += f", {shallower.key} (line {shallower.number}) {shallower.indent}"
    return Hint(
        line,
        here.indent + 1,
        f"this line is indented {here.indent} space(s), which lines it up with no key above it ({around}): "
        f"{_LINE_UP}, so indent it like the other keys of its mapping",
    )
