"""``briefs distribute``: build what is stale, then one stamped PDF per brief and recipient, logged."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import click

from briefs.errors import BriefsError, ContentError
from briefs.project.config import project_config


def run(
    project: Path | None,
    paths: Sequence[Path],
    recipients_file: Path | None,
    only: Sequence[str],
    out: Path | None,
    jobs: int,
    scheduler: str | None,
    fail: Callable[[BriefsError], None],
) -> int:
    """Run a distribution; returns the exit status."""
    from briefs.distribute.listing import RecipientFile
    from briefs.distribute.log import LOG_NAME
    from briefs.distribute.stamp import distribute
    from briefs.load.project import load_project, unbound_approvals, unreleasable
    from briefs.pipeline.run import build

    try:
        config = project_config(project)
        recipients = RecipientFile(config, recipients_file, only)  # checked whole, then read as a stream
        # What a release refuses whatever the PDFs (a placeholder left in, an approval that no
        # longer covers the content), before they are built
        loaded = load_project(config, paths)
        if refused := unbound_approvals(loaded.briefs) + unreleasable(loaded):
            raise ContentError(refused)
        langs = recipients.langs
        target = (out or config.output).resolve()
        built = build(config, paths, langs, ("pdf",), target, jobs=jobs, scheduler=scheduler)
        if built.failed:
            for diagnostic in built.failed:
                click.echo(str(diagnostic), err=True)
            click.echo("briefs: base PDFs failed; nothing distributed", err=True)
            return 1

        def stamped(copy: Path, entry: dict[str, str]) -> None:
            click.echo(f"stamped {entry['file']} for {entry['recipient']}")

        result = distribute(config, paths, target, recipients, jobs=jobs, scheduler=scheduler, on_copy=stamped)
    except BriefsError as exc:
        fail(exc)
        return 1
    for note in result.notes:  # what an interrupted run left, and how it was put right
        click.echo(str(note), err=True)
    click.echo(f"distributed {result.count} file(s); logged to {target / LOG_NAME}")
    return 0
