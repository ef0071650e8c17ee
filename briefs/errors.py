"""Diagnostics and the one error type of briefs: every user-caused problem knows where it came from.

Hierarchy::

    BriefsError                 carries one or more Diagnostic(path, line, column, message)
    ├── ConfigError             [tool.briefs] in pyproject.toml
    ├── ContentError            YAML / Markdown content: syntax, schema, references
    ├── TemplateError           Jinja templates (trusted, but still located)
    ├── RenderError             HTML/PDF rendering (fonts, WeasyPrint)
    └── ComplianceError         a brief that would go out without its mandatory text

Anything else that escapes is a bug and deserves a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Self

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class SourceLocation:
    """A place in a source file; line and column are 1-based (0 means unknown)."""

    path: Path
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        shown = display_path(self.path)
        if self.line and self.column:
            return f"{shown}:{self.line}:{self.column}"
        if self.line:
            return f"{shown}:{self.line}"
        return shown


def display_path(path: Path) -> str:
    """A path as the user reads it: relative to the working directory when it is below it
    (shorter, and clickable in a terminal), else as given."""
    try:
        cwd = Path.cwd()
        lexical = Path(os.path.abspath(path))  # a link is shown by the name it was given
        if lexical.is_relative_to(cwd):
            return str(lexical.relative_to(cwd))
        return str(Path(path).resolve().relative_to(cwd.resolve()))
    except (ValueError, OSError):
        return str(path)


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, formatted as ``path:line:col: message``."""

    location: SourceLocation
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.location}: {prefix}{self.message}"


class BriefsError(Exception):
    """Base of every error a user can cause. Holds at least one located diagnostic."""

    category = "error"

    def __init__(self, diagnostics: Iterable[Diagnostic] | Diagnostic) -> None:
        diags = [diagnostics] if isinstance(diagnostics, Diagnostic) else list(diagnostics)
        if not diags:
            raise ValueError("BriefsError needs at least one diagnostic")
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diags)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    @classmethod
    def at(cls, path: Path, line: int, column: int, message: str) -> Self:
        """Build the error for a single located message."""
        return cls(Diagnostic(SourceLocation(Path(path), line, column), message))


class ConfigError(BriefsError):
    """Project configuration is wrong."""

    category = "config"


class ContentError(BriefsError):
    """Content (YAML, Markdown, data) is wrong."""

    category = "content"


class TemplateError(BriefsError):
    """A template failed to compile or render."""

    category = "template"


class RenderError(BriefsError):
    """Rendering failed for a reason the user can fix (e.g. no CJK font installed)."""

    category = "render"


class OutputError(BriefsError):
    """An output file or folder cannot be written (permissions, a full disk, a read-only mount)."""

    category = "output"


class ComplianceError(BriefsError):
    """A brief lacks mandatory compliance text."""

    category = "compliance"


@dataclass
class Diagnostics:
    """Collector: stages add problems and raise once at the end, so a run reports them all."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, location: SourceLocation, message: str) -> None:
        """Record an error."""
        self.items.append(Diagnostic(location, message, "error"))

    def warning(self, location: SourceLocation, message: str) -> None:
        """Record a warning."""
        self.items.append(Diagnostic(location, message, "warning"))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        """Add diagnostics gathered elsewhere."""
        self.items.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        """Only the errors."""
        return [d for d in self.items if d.severity == "error"]

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_errors(self, error_type: type[BriefsError] = ContentError) -> None:
        """Raise one error carrying every diagnostic (warnings included) if any is an error."""
        if self.errors:
            raise error_type(sorted(set(self.items), key=by_place))


def by_place(d: Diagnostic) -> tuple[str, int, int, str]:
    """Sort key: file, line, column, then message."""
    return (str(d.location.path), d.location.line, d.location.column, d.message)
