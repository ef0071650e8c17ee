"""``briefs check``: validate content, references and templates, then the bilingual fidelity checks.

Writes nothing. Error-level problems exit 1; warnings (fidelity, characters no font can draw) are
printed and exit 0, or 1 with ``--strict``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from briefs.commands import print_findings
from briefs.errors import BriefsError

if TYPE_CHECKING:
    from briefs.api import CheckResult


def run(
    project: Path | None,
    paths: Sequence[Path],
    langs: Sequence[str] | None,
    fail: Callable[[BriefsError], None],
    strict: bool = False,
    rixml_schema: Path | None = None,
) -> int:
    """Run the checks (:func:`briefs.api.check`); returns the exit status."""
    from briefs.api import check

    try:
        result = check(project, paths, langs, strict, rixml_schema=rixml_schema)
    except BriefsError as exc:
        fail(exc)
        return 1
    return show(result, fail, strict)


def show(result: CheckResult, fail: Callable[[BriefsError], None], strict: bool = False) -> int:
    """Print a check's findings (errors through ``fail``, warnings on stderr, then a count), as
    ``briefs check`` and ``briefs serve`` print them; returns the exit status."""
    findings = result.diagnostics
    if result.errors:
        fail(BriefsError(findings))
        return 1
    print_findings(findings)
    if not findings:
        click.echo(f"checked {result.briefs} brief(s): no problems")
        return 0
    click.echo(f"checked {result.briefs} brief(s): {len(findings)} warning(s)")
    if strict:
        click.echo(f"briefs: {len(findings)} warning(s) with --strict", err=True)
        return 1
    return 0
