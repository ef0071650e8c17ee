"""One module per CLI verb, each exposing ``run(...) -> int``."""

from __future__ import annotations

from collections.abc import Iterable

import click

from briefs.errors import BriefsError, Diagnostic, by_place


def report(exc: BriefsError) -> None:
    """Print an error's diagnostics as ``path:line: message`` lines and a count, on stderr."""
    for diagnostic in exc.diagnostics:
        click.echo(str(diagnostic), err=True)
    errors = sum(1 for d in exc.diagnostics if d.severity == "error")
    click.echo(f"briefs: {errors} error(s)", err=True)


def print_findings(findings: Iterable[Diagnostic]) -> None:
    """What a check or build found (``path:line:col: warning: …``), one line each, in the order
    of their places, on stderr: the one way ``check``, ``build`` and ``watch`` print them."""
    for diagnostic in sorted(set(findings), key=by_place):
        click.echo(str(diagnostic), err=True)
