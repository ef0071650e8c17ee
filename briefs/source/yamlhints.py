"""YAML syntax errors in plain words, at the line the author has to fix.

PyYAML notices a mistake where parsing can no longer go on, which is often the line after the
one that is wrong, and words it in its own terms (``expected <block end>, but found '<block
mapping start>'``). :func:`explain` reads the text around PyYAML's mark (the indentation of the
neighbouring lines, the balance of quotes and brackets) and says what is wrong and how to fix
it; a mistake it does not recognise keeps PyYAML's own message, its jargon put in plain words.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from briefs.source.yamlindent import deeper, earlier, misaligned
from briefs.source.yamllines import Hint, Line, closes, lines_of, unclosed

PREFIX = "YAML syntax error: "


def explain(text: str, problem: str, context: str, problem_at: Any, context_at: Any) -> Hint:
    """The plain-words message for one of PyYAML's syntax errors (marks are 0-based, or None)."""
    line = problem_at.line + 1 if problem_at is not None else 1
    column = problem_at.column + 1 if problem_at is not None else 1
    lines = lines_of(text)
    here = next((item for item in lines if item.number == line), None)
    before = [item for item in lines if item.number < line]
    for diagnose in (
        _tab,
        _reserved,
        _quote,
        _runaway_quote,
        _bracket,
        _missing_colon,
        _value_colon,
        _short_text,
        earlier,
        deeper,
        misaligned,
    ):
        hint = diagnose(text, problem, context, line, column, here, before, context_at)
        if hint is not None:
            return Hint(hint.line, hint.column, PREFIX + hint.message)
    return Hint(line, column, PREFIX + _fallback(problem, context, context_at, line))


def _tab(text: str, problem: str, context: str, line: int, column: int, *_: Any) -> Hint | None:
    if "'\\t'" not in problem:
        return None
    return Hint(
        line,
        column,
        "a tab is used to indent this line; YAML indents with spaces only: replace the tab by spaces "
        "(2 per level, lined up with the keys at the same level)",
    )


def _runaway_quote(text: str, problem: str, context: str, line: int, *_: Any) -> Hint | None:
    """A quote left open runs on to the next quote, lines further down, where parsing fails."""
    last = None
    upto = "\n".join(text.split("\n")[:line])  # the tokens before the error are all that matter
    try:
        for token in yaml.scan(upto, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.ScalarToken) and token.style in ('"', "'"):
                last = token
    except yaml.YAMLError:
        pass
    if last is None or last.start_mark.line == last.end_mark.line or last.end_mark.line + 1 != line:
        return None
    swallowed = upto[last.start_mark.index : last.end_mark.index]
    if not re.search(r"\n\s*-?\s*[\w-]+:(\s|$)", swallowed):  # a quoted text over lines, keys in it
        return None
    quote = last.style
    return Hint(
        last.start_mark.line + 1,
        last.start_mark.column + 1,
        f"the quote {quote} that starts this value is not closed on its line, so the value runs on to the "
        f"{quote} on line {last.end_mark.line + 1}: add the closing {quote} at the end of the value",
    )


def _reserved(text: str, problem: str, context: str, line: int, column: int, *_: Any) -> Hint | None:
    found = re.match(r"found character '(.)' that cannot start any token", problem)
    alias = "alias" in context or "anchor" in context
    if found is None and not alias:
        return None
    if re.search(r"[\"']\s*$", text.split("\n")[line - 1][: column - 1]) or (
        alias and re.search(r"[\"']\s*[*&]$", text.split("\n")[line - 1][:column])
    ):
        return Hint(line, column, "text after the closing quote: put the whole value inside the quotes")
    char = found.group(1) if found else text.split("\n")[line - 1][column - 2 : column - 1] or "*"
    return Hint(line, column, f"a value cannot start with '{char}' unless it is in quotes: write \"…\"")


def _quote(text: str, problem: str, context: str, line: int, column: int, *rest: Any) -> Hint | None:
    opened = rest[-1]
    if "quoted scalar" not in context or opened is None:
        return None
    quote = text.split("\n")[opened.line][opened.column : opened.column + 1] or '"'
    if "end of stream" in problem or "document separator" in problem:
        return Hint(
            opened.line + 1,
            opened.column + 1,
            f"the quote {quote} that starts this value is not closed before the end of the file: add the "
            f"closing {quote} at the end of the value",
        )
    if "escape" in problem:
        return Hint(
            line,
            column,
            "a backslash in double quotes starts an escape such as \\n, and this one is unknown: write \\\\ "
            "for a backslash, or put the value in single quotes",
        )
    return None


_CLOSING = {"[": "]", "{": "}"}


def _bracket(text: str, problem: str, context: str, line: int, column: int, *rest: Any) -> Hint | None:
    opened = rest[-1]
    if "flow" not in context or opened is None:
        return None
    row = text.split("\n")[opened.line]
    bracket = row[opened.column : opened.column + 1]
    if bracket not in _CLOSING:
        outer = unclosed(text, line)
        if outer is None:
            return None
        at, col, bracket = outer
        what = "list" if bracket == "[" else "mapping"
        closing = _CLOSING[bracket]
        return Hint(
            at, col, f"the '{bracket}' that starts this {what} is never closed: add '{closing}' after its last item"
        )
    closing = _CLOSING[bracket]
    what = "list" if bracket == "[" else "mapping"
    if not closes(row[opened.column :]):
        return Hint(
            opened.line + 1,
            opened.column + 1,
            f"the '{bracket}' that starts this {what} is never closed: add '{closing}' after its last item",
        )
    return Hint(
        line,
        column,
        f"in the {what} '{bracket} … {closing}' that starts on line {opened.line + 1}: items are separated by "
        f"commas, and text with a ':', ',', '[' or '{{' in it must be in quotes",
    )


def _missing_colon(text: str, problem: str, context: str, line: int, column: int, *rest: Any) -> Hint | None:
    key_at = rest[-1]
    if "expected ':'" not in problem or key_at is None:
        return None
    row = text.split("\n")[key_at.line].strip()
    words = row.split(None, 1)
    value = words[1] if len(words) == 2 else ""
    example = f" ('{words[0]}: {value[:30]}{'…' if len(value) > 30 else ''}')" if value else f" ('{row[:40]}:')"
    return Hint(
        key_at.line + 1,
        key_at.column + 1,
        f"'{row[:40]}' has no colon: a key needs ': ' after it{example}; if this line continues "
        "the text above, indent it further than that text's key",
    )


def _value_colon(
    text: str, problem: str, context: str, line: int, column: int, here: Line | None, *_: Any
) -> Hint | None:
    """``title: Ratio: 3`` – a ': ' inside a value that is not in quotes."""
    if "mapping values are not allowed" not in problem or here is None:
        return None
    first = re.search(r":(\s|$)", here.text)
    if first is None or column - 1 - here.indent <= first.start():
        return None  # the colon PyYAML stopped at is the key's own: an indentation mistake
    return Hint(
        line,
        column,
        f"a value that contains ': ' must be in quotes: write {here.name}: \"{here.text[first.end() :].strip()}\"",
    )


def _short_text(
    text: str, problem: str, context: str, line: int, column: int, here: Line | None, *_: Any
) -> Hint | None:
    """A line of a block text ('key: |') indented less than the text's first line."""
    lines = lines_of(text)
    short = next(
        (item for item in lines if item.number <= line and item.text_of[0] and item.indent < item.text_of[1]), None
    )
    if short is None:
        return None
    opened, spaces = short.text_of
    return Hint(
        short.number,
        short.indent + 1,
        f"this line is in the text that starts after the '|' or '>' on line {opened}, but is indented less than "
        f"its first line: indent every line of that text by {spaces} space(s)",
    )


_WORDS = {
    "<block end>": "the end of an indented block",
    "<block mapping start>": "a new indented key",
    "<block sequence start>": "a new indented list",
    "<scalar>": "a value",
    "<stream end>": "the end of the file",
    "<document start>": "a new document (---)",
    "<flow mapping start>": "'{'",
    "<flow sequence start>": "'['",
    "<block entry>": "a list item ('- ')",
    "<key>": "a key",
    "<value>": "a ':'",
    "<alias>": "an alias",
    "<anchor>": "an anchor",
    "<tag>": "a tag",
}


def plain(words: str) -> str:
    """PyYAML's token names in plain words (``<block end>`` → "the end of an indented block")."""
    for token, meaning in _WORDS.items():
        words = words.replace(f"'{token}'", meaning).replace(token, meaning)
    words = re.sub(r"<([a-z ]+)>", r"\1", words)
    return words.replace("while parsing a ", "in a ").replace("while scanning a ", "in a ")


def _fallback(problem: str, context: str, context_at: Any, line: int) -> str:
    message = plain(problem or context)
    if problem and context and context_at is not None and context_at.line + 1 != line:
        # e.g. where parsing gave up, and where the block it was in started
        message += f" ({plain(context)} that starts on line {context_at.line + 1})"
    return message
