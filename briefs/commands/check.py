"""``briefs check``: validate content, references and templates; write nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import click

from ..config import project_config
from ..errors import BriefsError
from ..pipeline import check


def run(project: Path | None, paths: Sequence[Path], langs: Sequence[str] | None,
        fail: Callable[[BriefsError], None]) -> int:
    """Run the checks; returns the exit status."""
    try:
        count = check(project_config(project), paths, langs)
    except BriefsError as exc:
        fail(exc)
        return 1
    click.echo(f"checked {count} brief(s): no problems")
    return 0
