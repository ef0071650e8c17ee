"""``briefs catalog``: extract template strings and update every language's catalog (Babel's tools).

Compiling is not a step: catalogs are compiled in memory when a build reads them.

The strings come from the project's own templates (its ``templates/`` folder, which overrides
the theme): the shipped theme's strings, and the toolkit's own (the stamp's "Prepared for …"),
are translated by the theme's catalogs, which a project's catalog overrides message by message.
The extraction mapping is built in, so a project needs no ``babel.cfg``. Every template is
compiled first: Babel's Jinja extractor skips a template it cannot parse without a word, which
would drop its strings from the catalogs and lose their translations.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import click
import jinja2

from briefs.errors import BriefsError, Diagnostic, OutputError, SourceLocation, TemplateError, display_path
from briefs.localize.i18n import Edition, catalog_problems
from briefs.pipeline.write import write_atomic
from briefs.project.config import project_config
from briefs.project.languages import MSGID_LANGUAGE
from briefs.render.theme import theme_of
from briefs.source.safefiles import Unsafe, read_bytes

MAX_CATALOG_BYTES = 16 * 1024 * 1024

MAPPING = """[python: **.py]
[jinja2: **.html]
extensions = jinja2.ext.i18n,jinja2.ext.do
"""


def run(project: Path | None, fail: Callable[[BriefsError], None]) -> int:
    """Extract messages.pot from the project's templates, then update each own-language catalog.

    Babel works on copies in a scratch folder; the catalogs that changed are then written back,
    each atomically, after every one of them was found writable. A read-only project, or one
    catalog that cannot be replaced, is a located error before any file is touched.
    """
    try:
        config = project_config(project)
        if not config.templates.is_dir():
            if not config.content.is_dir():  # not a project at all
                raise TemplateError(
                    Diagnostic(
                        SourceLocation(config.templates),
                        "no templates folder: run briefs catalog inside a project, or give --project",
                    )
                )
            click.echo(
                f"{display_path(config.templates)}: no templates folder: the project uses the "
                "theme's strings and catalogs as shipped; nothing to extract"
            )
            return 0
        _compile_templates(config.templates)
        theme = theme_of(config)
        with tempfile.TemporaryDirectory() as scratch:
            langs = [lang for lang in config.languages if lang != MSGID_LANGUAGE]
            changed = _updated_catalogs(config.templates, langs, Path(scratch), theme.folders[1:])
        pot = next((data for path, data in changed if path.suffix == ".pot"), None)
        if pot is not None and not _has_messages(pot) and not (config.templates / "locales").exists():
            click.echo(
                f"{display_path(config.templates)}: no translatable strings in the project's "
                "templates; the theme's catalogs translate the rest (nothing written)"
            )
            return 0
        _writable([path for path, _ in changed])
        for path, data in changed:
            write_atomic(path, data)
    except BriefsError as exc:
        fail(exc)
        return 1
    problems = [p for lang in config.languages for p in catalog_problems(theme, Edition(lang))]
    for problem in problems:
        click.echo(str(problem), err=True)
    todo = sum(1 for p in problems if p.severity == "error")
    click.echo(f"catalogs updated; {todo} entr{'y' if todo == 1 else 'ies'} to translate")
    return 0


def _updated_catalogs(
    templates: Path, langs: list[str], scratch: Path, themes: tuple[Path, ...]
) -> list[tuple[Path, bytes]]:
    """(path, new bytes) of messages.pot and of each language's messages.po that Babel changed.

    A message the project's catalog does not translate yet gets the translation of the theme
    folders after it (``themes``: plugin themes, the shipped theme), if one has it: overriding a
    template does not mean translating its strings again."""
    from babel.messages.frontend import CommandLineInterface

    locales = templates / "locales"
    mapping = scratch / "babel.cfg"
    mapping.write_text(MAPPING, "utf-8")
    work = scratch / "locales"
    targets = {work / "messages.pot": locales / "messages.pot"}
    for lang in langs:
        folder = Path(lang.replace("-", "_"), "LC_MESSAGES", "messages.po")
        targets[work / folder] = locales / folder
        if (old := _current(locales / folder)) is not None:
            (work / folder).parent.mkdir(parents=True, exist_ok=True)
            (work / folder).write_bytes(old)
    work.mkdir(exist_ok=True)
    cli = CommandLineInterface()
    cli.run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(mapping),
            "-k",
            "_",
            "-k",
            "gettext",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(work / "messages.pot"),
            str(templates),
        ]
    )
    for lang in langs:
        cli.run(
            [
                "pybabel",
                "-q",
                "update",
                "--init-missing",
                "-i",
                str(work / "messages.pot"),
                "-d",
                str(work),
                "-l",
                lang.replace("-", "_"),
                "-w",
                "100",
            ]
        )
        po = work / lang.replace("-", "_") / "LC_MESSAGES" / "messages.po"
        _fill_from_theme(po, [folder / "locales" / po.relative_to(work) for folder in themes])
    return [
        (target, new)
        for made, target in targets.items()
        if _dateless(new := made.read_bytes()) != _dateless(_current(target))
    ]


def _has_messages(catalog: bytes) -> bool:
    """Whether a catalog holds any message (the header entry is not one)."""
    from babel.messages.pofile import read_po

    return any(message.id for message in read_po(io.BytesIO(catalog)))


def _fill_from_theme(po: Path, fallbacks: list[Path]) -> None:
    """Give each untranslated, non-fuzzy entry of ``po`` the first translation the fallback
    catalogs have for it; the file is rewritten only when one was filled."""
    from babel.messages.pofile import read_po, write_po

    with po.open("rb") as handle:
        catalog = read_po(handle)
    sources = []
    for path in fallbacks:
        if path.is_file():
            with path.open("rb") as handle:
                sources.append(read_po(handle))
    filled = False
    for message in catalog:
        if not message.id or message.fuzzy or _done(message.string):
            continue
        for source in sources:
            found = source.get(message.id, message.context)
            if found is not None and not found.fuzzy and _done(found.string):
                message.string, filled = found.string, True
                break
    if filled:
        with po.open("wb") as handle:
            write_po(handle, catalog, width=100)


def _done(string: object) -> bool:
    """Whether a catalog entry's string is a translation (every plural form filled)."""
    if isinstance(string, str):
        return bool(string)
    return isinstance(string, tuple) and bool(string) and all(isinstance(s, str) and s for s in string)


def _dateless(catalog: bytes | None) -> bytes | None:
    """A catalog without its POT-Creation-Date, which Babel sets to the minute of every run: a
    catalog whose entries did not change is left as it is."""
    return None if catalog is None else re.sub(rb'(?m)^"POT-Creation-Date: [^"\n]*\\n"\n', b"", catalog)


def _current(path: Path) -> bytes | None:
    """A catalog's bytes as they are now; None if there is none (a located error if unreadable)."""
    if not path.exists() and not path.is_symlink():
        return None
    try:
        return read_bytes(path, MAX_CATALOG_BYTES)
    except Unsafe as exc:
        raise TemplateError(Diagnostic(SourceLocation(path), exc.reason)) from None


def _writable(paths: list[Path]) -> None:
    """A located error naming every catalog whose folder refuses a new file (read-only, no
    permission), so that none is written when one cannot be."""
    problems = []
    for path in paths:
        folder = path.parent
        while not folder.exists() and folder != folder.parent:  # a new language's folders
            folder = folder.parent
        try:
            with tempfile.TemporaryFile(dir=folder):  # O_TMPFILE: nothing appears in the folder
                pass
        except OSError as exc:
            problems.append(
                Diagnostic(
                    SourceLocation(path), f"cannot write the catalog: {exc.strerror or exc} (nothing was changed)"
                )
            )
    if problems:
        raise OutputError(problems)


def _compile_templates(templates: Path) -> None:
    """Parse every template; one located error listing each that does not compile."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do"], autoescape=True)
    problems = []
    for path in sorted(templates.rglob("*.html")):
        try:
            env.parse(read_bytes(path, MAX_CATALOG_BYTES).decode("utf-8"), path.name, str(path))
        except jinja2.TemplateSyntaxError as exc:
            problems.append(
                Diagnostic(
                    SourceLocation(path, exc.lineno, 0),
                    f"{exc.message or 'syntax error'} (fix it before updating the catalogs: its strings would be lost)",
                )
            )
        except UnicodeDecodeError:
            problems.append(Diagnostic(SourceLocation(path), "not valid UTF-8 (save the file as UTF-8)"))
        except Unsafe as exc:
            problems.append(Diagnostic(SourceLocation(path), exc.reason))
    if problems:
        raise TemplateError(problems)
