"""``briefs new project DIR`` and ``briefs new brief ID``: start a house's project, or a brief in it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import click

from briefs.errors import BriefsError, display_path


def run_project(root: Path, fail: Callable[[BriefsError], None]) -> int:
    """Write a new project (:func:`briefs.authoring.project.new_project`); returns the exit status."""
    from briefs.authoring.project import new_project

    try:
        made = new_project(root)
    except BriefsError as exc:
        fail(exc)
        return 1
    shown = display_path(made.root)
    click.echo(f"created the project {shown}: {len(made.files)} files, with the example brief {made.example.name}")
    click.echo(
        "next: replace each 〖FILL IN: …〗 placeholder in content/_shared/ and the example brief "
        "(a draft builds with them; build --final and distribute refuse them), then:"
    )
    click.echo(f"  cd {shown} && briefs check && briefs build")
    return 0


def run_brief(
    project: Path | None,
    brief_id: str,
    kind: str | None,
    analysts: Sequence[str],
    fail: Callable[[BriefsError], None],
) -> int:
    """Write a new brief (:func:`briefs.authoring.brief.new_brief`); returns the exit status."""
    from briefs.api import project_of
    from briefs.authoring.brief import new_brief

    try:
        made = new_brief(project_of(project), brief_id, kind, analysts)
    except BriefsError as exc:
        fail(exc)
        return 1
    signed = f", signed by {', '.join(made.analysts)}" if made.analysts else ""
    click.echo(f"created the brief {display_path(made.folder)} (kind {made.kind}{signed}):")
    for path in made.files:
        click.echo(f"  {display_path(path)}")
    click.echo("next: replace each 〖FILL IN: …〗 placeholder, then `briefs check` and `briefs build`")
    return 0
