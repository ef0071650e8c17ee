"""``briefs doctor``: check the machine a build runs on; one line per check, with the fix for
each problem. Exit 1 if a required check fails (fonts, WeasyPrint, Pango, HarfBuzz's subsetter,
the output folder), else 0; the test tools (Java, Chromium) only warn."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import click

from briefs.errors import BriefsError
from briefs.project.config import project_config


def run(project: Path | None, out: Path | None, as_json: bool, fail: Callable[[BriefsError], None]) -> int:
    """Run every check (:func:`briefs.project.doctor.examine`), print them; return the exit status."""
    from briefs.project.doctor import examine

    try:
        config = project_config(project)
    except BriefsError as exc:  # a broken pyproject.toml is a problem of its own, located
        fail(exc)
        return 1
    findings = examine(config.editions, out or config.output)
    failed = [f for f in findings if f.status == "problem"]
    if as_json:
        click.echo(json.dumps([{**asdict(f), "status": f.status} for f in findings], ensure_ascii=False, indent=2))
    else:
        for finding in findings:
            click.echo(str(finding))
        warned = sum(1 for f in findings if f.status == "warning")
        summary = f"{len(failed)} problem(s), {warned} warning(s)" if failed or warned else "all good"
        click.echo(f"briefs doctor: {len(findings)} check(s), {summary}")
    return 1 if failed else 0
