"""``briefs catalog``: extract template strings and update every language's catalog (Babel's tools).

Compiling is not a step: catalogs are compiled in memory when a build reads them.

The strings come from the project's templates and from the toolkit's own code (the stamp's
"Prepared for …", for instance), wherever briefs is installed; the extraction mapping is built in,
so a project needs no ``babel.cfg``. Every template is compiled first: Babel's Jinja extractor
skips a template it cannot parse without a word, which would drop its strings from the catalogs
and lose their translations.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import click
import jinja2

from ..config import project_config
from ..errors import BriefsError, Diagnostic, SourceLocation, TemplateError
from ..i18n import Edition, catalog_problems

MAPPING = """[python: **.py]
[jinja2: **.html]
extensions = jinja2.ext.i18n,jinja2.ext.do
"""


def run(project: Path | None, fail: Callable[[BriefsError], None]) -> int:
    """Extract messages.pot from code and templates, then update each own-language catalog."""
    from babel.messages.frontend import CommandLineInterface

    try:
        config = project_config(project)
        _compile_templates(config.templates)
    except BriefsError as exc:
        fail(exc)
        return 1
    locales = config.templates / "locales"
    pot = locales / "messages.pot"
    package = Path(__file__).resolve().parent.parent
    cli = CommandLineInterface()
    with tempfile.TemporaryDirectory() as scratch:
        mapping = Path(scratch) / "babel.cfg"
        mapping.write_text(MAPPING, "utf-8")
        cli.run(["pybabel", "-q", "extract", "-F", str(mapping), "-k", "_", "-k", "gettext",
                 "--no-location", "--sort-output", "--omit-header", "-o", str(pot),
                 str(package), str(config.templates)])
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


def _compile_templates(templates: Path) -> None:
    """Parse every template; one located error listing each that does not compile."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do"], autoescape=True)
    problems = []
    for path in sorted(templates.rglob("*.html")):
        try:
            env.parse(path.read_text("utf-8"), path.name, str(path))
        except jinja2.TemplateSyntaxError as exc:
            problems.append(Diagnostic(SourceLocation(path, exc.lineno, 0),
                                       f"{exc.message or 'syntax error'} (fix it before updating "
                                       "the catalogs: its strings would be lost)"))
        except UnicodeDecodeError:
            problems.append(Diagnostic(SourceLocation(path), "not valid UTF-8 (save the file as UTF-8)"))
    if problems:
        raise TemplateError(problems)
