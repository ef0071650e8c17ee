"""``briefs build``: load, render and write; print what was written and any warnings."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from ..config import project_config
from ..errors import BriefsError
from ..pipeline import build


def run(project: Path | None, paths: Sequence[Path], langs: Sequence[str], formats: Sequence[str],
        out: Path | None, strict: bool, fail: Callable[[BriefsError], None]) -> int:
    """Run a build; returns the exit status."""
    started = time.perf_counter()
    try:
        config = project_config(project)
        result = build(config, paths, langs, formats, out,
                       progress=lambda p: click.echo(f"wrote {_shown(p)}"))
    except BriefsError as exc:
        fail(exc)
        return 1
    for diagnostic in result.diagnostics:
        click.echo(str(diagnostic), err=True)
    elapsed = time.perf_counter() - started
    click.echo(f"built {result.briefs} brief(s), {len(result.written)} file(s) in {elapsed:.1f}s")
    if strict and result.diagnostics:
        click.echo(f"briefs: {len(result.diagnostics)} warning(s) with --strict", err=True)
        return 1
    return 0


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
