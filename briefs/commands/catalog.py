"""``briefs catalog``: extract template strings and update every language's catalog (Babel's tools).

Compiling is not a step: catalogs are compiled in memory when a build reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from ..config import project_config
from ..errors import BriefsError
from ..i18n import Edition, catalog_problems


def run(project: Path | None, fail: Callable[[BriefsError], None]) -> int:
    """Extract messages.pot from code and templates, then update each own-language catalog."""
    from babel.messages.frontend import CommandLineInterface

    config = project_config(project)
    locales = config.templates / "locales"
    pot = locales / "messages.pot"
    babel_cfg = config.root / "babel.cfg"
    cli = CommandLineInterface()
    cli.run(["pybabel", "-q", "extract", "-F", str(babel_cfg), "-k", "_", "-k", "gettext",
             "--no-location", "--sort-output", "--omit-header", "-o", str(pot), str(config.root)])
    for lang in config.languages:
        if lang == "en":
            continue
        folder = lang.replace("-", "_")
        cli.run(["pybabel", "-q", "update", "-i", str(pot), "-d", str(locales), "-l", folder, "-w", "100"])
    problems = [p for lang in config.languages for p in catalog_problems(config.templates, Edition(lang))]
    for problem in problems:
        click.echo(str(problem), err=True)
    todo = sum(1 for p in problems if p.severity == "error")
    click.echo(f"catalogs updated; {todo} entr{'y' if todo == 1 else 'ies'} to translate")
    return 0
