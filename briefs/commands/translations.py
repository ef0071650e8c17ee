"""``briefs translations``: which translations need review; ``--reviewed`` records that they had it.

The record is ``translations.lock`` in each content folder (see :mod:`briefs.checks.fidelity`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import click

from briefs.checks.review import mark_reviewed, review_status
from briefs.errors import BriefsError, display_path
from briefs.project.config import project_config


def run(project: Path | None, paths: Sequence[Path], reviewed: bool, fail: Callable[[BriefsError], None]) -> int:
    """List stale or unreviewed translations, or (``reviewed``) rewrite the lock files; exit status."""
    try:
        config = project_config(project)
        if reviewed:
            for lock in mark_reviewed(config, paths):
                state = "wrote" if lock.changed else "unchanged"
                click.echo(f"{state} {display_path(lock.path)} ({lock.texts} text(s) reviewed)")
            return 0
        findings = review_status(config, paths)
    except BriefsError as exc:
        fail(exc)
        return 1
    for diagnostic in findings:
        click.echo(str(diagnostic))
    click.echo(
        f"translations to review: {len(findings)} finding(s)" if findings else "every translation is marked as reviewed"
    )
    return 0
