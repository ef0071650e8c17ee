"""Compliance rule "placeholders": text a new project or brief still has to have written.

``briefs new`` writes every house-specific text it cannot know (the firm's name, its licence
statement, its analysts, its disclaimers …) as a placeholder::

    〖FILL IN: the firm's full legal name, in Chinese〗

Why this syntax: the marker is the white lenticular bracket U+3016 followed at once by the ASCII
words ``FILL IN``. No Chinese or English sentence of a research brief writes that pair (U+3016
is rare even in Chinese, and never before Latin capitals), so nothing real is ever taken for a
placeholder; YAML, Markdown and Jinja give the bracket no meaning, so a placeholder loads and
renders as written; and Noto Sans CJK, the font of every edition, draws it, so a draft with
placeholders prints them legibly instead of as boxes. The text up to the closing U+3017 says
what to write. An unclosed marker (``〖FILL IN: …`` to the end of the line) still counts.

A placeholder anywhere in a file counts, a YAML comment included: the scaffold marks values that
cannot hold one (a licence number, an e-mail address, a rating band) with a comment beside them,
to be deleted once the value is right.

Drafts build with placeholders; ``briefs check`` and every build warn once per file. A release
refuses them: ``briefs build --final`` and ``briefs distribute`` report each one, located, in
every file a brief is built from (brief.yaml, its Markdown bodies and data files) and in the
shared files of ``content/_shared``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefs.errors import BriefsError, Diagnostic, Severity, SourceLocation
from briefs.source.yamlsource import read_text

if TYPE_CHECKING:
    from briefs.load.loaded import Project
    from briefs.plugins import BriefUnderReview, CheckInput

RULE = "placeholders"
OPEN, CLOSE, KEYWORD = "\u3016", "\u3017", "FILL IN"
MARKER = f"{OPEN}{KEYWORD}"  # what is searched for
_PLACEHOLDER = re.compile(rf"{OPEN}{KEYWORD}\s*:?\s*([^{CLOSE}\n]*)({CLOSE}?)")


def placeholder(what: str) -> str:
    """The placeholder asking for ``what``."""
    return f"{OPEN}{KEYWORD}: {what}{CLOSE}"


@dataclass(frozen=True)
class Found:
    """One placeholder in a text: 1-based line and column, and what it asks for."""

    line: int
    column: int
    what: str
    closed: bool


def find(text: str) -> list[Found]:
    """Every placeholder in ``text``, in order."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if MARKER not in line:
            continue
        for match in _PLACEHOLDER.finditer(line):
            found.append(Found(number, match.start() + 1, match[1].strip(), bool(match[2])))
    return found


def in_file(path: Path) -> list[Found]:
    """The placeholders of a content file (none if it cannot be read: loading reports that)."""
    try:
        return find(read_text(path))
    except BriefsError:
        return []


def _message(found: Found) -> str:
    what = found.what or "(the placeholder does not say)"
    closing = "" if found.closed else f" (its closing {CLOSE} is missing)"
    return (
        f"placeholder left to fill in: {what}{closing}; replace the whole {OPEN}{KEYWORD}: …{CLOSE} "
        f"with the real text (rule {RULE}: a release, build --final or distribute, refuses it)"
    )


def file_problems(path: Path, severity: Severity = "error") -> list[Diagnostic]:
    """One diagnostic per placeholder in ``path``, at its line and column."""
    return [Diagnostic(SourceLocation(path, f.line, f.column), _message(f), severity) for f in in_file(path)]


def _shared_files(project_files: Iterable[Path]) -> list[Path]:
    return sorted(dict.fromkeys(project_files))


def refuse_placeholders(review: BriefUnderReview) -> list[Diagnostic]:
    """The rule's release check: an error at every placeholder in the files the brief is built
    from and in the shared files (each shared one is reported once per release, not per brief:
    callers drop repeats)."""
    files = review.files or (review.path,)
    shared = _shared_files(review.library.files.values())
    return [d for path in (*files, *shared) for d in file_problems(path)]


def placeholder_warnings(given: CheckInput) -> list[Diagnostic]:
    """The check run by ``briefs check`` and every build: one warning per file that still holds
    placeholders, at its first one, with how many there are."""
    return summary(given.project)


def summary(project: Project) -> list[Diagnostic]:
    """One warning per file (shared files, then each brief's) holding placeholders."""
    files = [*_shared_files(project.library.files.values()), *(p for b in project.briefs for p in b.files)]
    warnings = []
    for path in dict.fromkeys(files):
        found = in_file(path)
        if not found:
            continue
        first = found[0]
        more = f" ({len(found)} in this file)" if len(found) > 1 else ""
        warnings.append(
            Diagnostic(
                SourceLocation(path, first.line, first.column),
                f"placeholder to fill in{more}: {first.what or '(unsaid)'}; a draft builds with it, "
                "build --final and distribute refuse it",
                "warning",
            )
        )
    return warnings
