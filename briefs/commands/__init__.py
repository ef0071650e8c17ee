"""One module per CLI verb, each exposing ``run(...) -> int``."""

from __future__ import annotations

import click

from briefs.errors import BriefsError


def report(exc: BriefsError) -> None:
    """Print an error's diagnostics as ``path:line: message`` lines and a count, on stderr."""
    for diagnostic in exc.diagnostics:
        click.echo(str(diagnostic), err=True)
    errors = sum(1 for d in exc.diagnostics if d.severity == "error")
    click.echo(f"briefs: {errors} error(s)", err=True)
