"""``briefs approve ID --by PERSON [--date D]``: compliance sign-off bound to the brief's content."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import click

from briefs.errors import BriefsError, display_path
from briefs.project.config import project_config


def run(project: Path | None, brief_id: str, by: str, date: dt.date | None, fail: Callable[[BriefsError], None]) -> int:
    """Approve one brief (:func:`briefs.authoring.approval.approve`); returns the exit status."""
    from briefs.authoring.approval import approve

    try:
        done = approve(project_config(project), brief_id, by, date or dt.date.today())
    except BriefsError as exc:
        fail(exc)
        return 1
    where = display_path(done.record)
    click.echo(f"approved {done.brief_id} by {by}: {done.parts} part(s) recorded in {where}")
    if done.brief_changed:
        click.echo(f"set approval in {display_path(done.record.with_name('brief.yaml'))}")
    return 0
