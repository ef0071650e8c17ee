"""``briefs check``: validate content, references and templates, then the bilingual fidelity checks.

Writes nothing. Error-level problems exit 1; warnings (fidelity, characters no font can draw) are
printed and exit 0, or 1 with ``--strict``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import click

from ..config import project_config
from ..errors import BriefsError, by_place
from ..fidelity import check_fidelity
from ..pipeline import check


def run(project: Path | None, paths: Sequence[Path], langs: Sequence[str] | None,
        fail: Callable[[BriefsError], None], strict: bool = False) -> int:
    """Run the checks; returns the exit status."""
    try:
        config = project_config(project)
        loaded, glyphs = check(config, paths, langs)
        count = len(loaded.briefs)
        findings = sorted([*check_fidelity(config, paths, langs, loaded), *glyphs], key=by_place)
    except BriefsError as exc:
        fail(exc)
        return 1
    if any(d.severity == "error" for d in findings):
        fail(BriefsError(findings))
        return 1
    for diagnostic in findings:
        click.echo(str(diagnostic), err=True)
    if not findings:
        click.echo(f"checked {count} brief(s): no problems")
        return 0
    click.echo(f"checked {count} brief(s): {len(findings)} warning(s)")
    if strict:
        click.echo(f"briefs: {len(findings)} warning(s) with --strict", err=True)
        return 1
    return 0

