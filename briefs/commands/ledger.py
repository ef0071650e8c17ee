"""``briefs ledger [--format csv|json] [--security TICKER]``: the recommendation ledger for
compliance, on stdout: every approved company note's recommendation and every entry of
content/_shared/recommendations.yaml, by date then brief id, in a fixed order of columns
(:data:`briefs.ledger.records.COLUMNS`). Loading the whole project checks it as a build would:
a broken brief or recommendations.yaml is a located error, exit status 1.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import click

from briefs.errors import BriefsError, ContentError
from briefs.ledger.records import COLUMNS
from briefs.load.project import load_project
from briefs.project.config import project_config


def run(project: Path | None, fmt: str, security: str | None, fail: Callable[[BriefsError], None]) -> int:
    """Print the ledger (all of it, or one security's); returns the exit status."""
    try:
        config = project_config(project)
        loaded = load_project(config)
        entries = loaded.ledger.of(security) if security is not None else loaded.ledger.entries
        if security is not None and not entries:
            known = sorted({e.ticker for e in loaded.ledger.entries})
            raise ContentError.at(
                config.content,
                0,
                0,
                f"no recommendation on '{security}' in the ledger; it has {', '.join(known) or 'none'}",
            )
    except BriefsError as exc:
        fail(exc)
        return 1
    records = [e.record() for e in entries]
    if fmt == "json":
        click.echo(json.dumps({"columns": list(COLUMNS), "recommendations": records}, ensure_ascii=False, indent=2))
        return 0
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow(_cell(record[c]) for c in COLUMNS)
    click.echo(out.getvalue(), nl=False)
    return 0


def _cell(value: object) -> str:
    """A CSV cell: numbers as written (470, 323.65), analysts joined by ';', none empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if value == int(value) else repr(value)
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)
