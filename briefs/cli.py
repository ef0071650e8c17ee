"""Command line: argument parsing and exit statuses only, over the public API (briefs/api.py).
Errors print as path:line: message."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from briefs.api import usable_cores
from briefs.errors import BriefsError
from briefs.version import __version__

F = TypeVar("F", bound=Callable[..., Any])

log = logging.getLogger("briefs")


def _split(value: str, allowed: tuple[str, ...] | None, what: str) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    if not items:
        raise click.BadParameter(f"give at least one {what}")
    if allowed is not None:
        bad = [v for v in items if v not in allowed]
        if bad:
            raise click.BadParameter(f"unknown {what} {bad[0]!r}; choose from {', '.join(allowed)}")
    return items


def _joined(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> str | None:
    """A list option given comma-separated, repeated, or both (``--lang zh-CN --lang en`` once
    kept only the last, silently): one comma-separated string, None if not given."""
    return ",".join(value) if value else None


def _list_option(flag: str, name: str, default: str | None, what: str, more: str = "") -> Callable[[F], F]:
    """``--lang`` / ``--format``: comma-separated, repeatable, with a default (None: not given,
    the command decides)."""
    help_text = f"{what}, comma-separated or the option repeated{more}."
    given = () if default is None else (default,)
    return click.option(
        flag, name, multiple=True, default=given, show_default=default is not None, callback=_joined, help=help_text
    )


def _formats(value: str) -> tuple[str, ...]:
    """--format: any format an installed plugin registers (briefs' own: html, pdf)."""
    from briefs.api import known_formats

    try:
        known = known_formats()
    except BriefsError as exc:  # a broken plugin: its one line, exit 1
        _fail(exc)
    return _split(value, known, "format")


def _fail(exc: BriefsError) -> NoReturn:
    from briefs.commands import report

    report(exc)
    sys.exit(1)


def _project_option(dest: str) -> Callable[[F], F]:
    """``--project DIR``: on the group (every command) and on ``new brief`` (the project to add to)."""
    return click.option(
        "--project",
        dest,
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Project folder (default: the nearest folder with [tool.briefs] in pyproject.toml).",
    )


@click.group()
@click.version_option(__version__, prog_name="briefs")
@_project_option("project")
@click.pass_context
def cli(ctx: click.Context, project: Path | None) -> None:
    """Build bilingual research briefs from YAML and Markdown."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    ctx.obj = project


def _rendering_options(command: Any) -> Any:
    """What to build and where: the options ``build`` and ``watch`` share."""
    for option in reversed(
        [
            click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
            _list_option("--lang", "lang", "zh-CN,en", "Languages"),
            _list_option("--format", "formats", "html,pdf", "Output formats", ": html, pdf and any a plugin adds"),
            click.option(
                "--out",
                type=click.Path(file_okay=False, path_type=Path),
                default=None,
                help="Output folder (default: output/ of the project).",
            ),
            click.option(
                "--jobs",
                "-j",
                type=click.IntRange(min=1),
                default=None,
                help="PDF worker processes (default: the cores this process may use).",
            ),
        ]
    ):
        command = option(command)
    return command


@cli.command()
@_rendering_options
@click.option("--strict", is_flag=True, help="Treat warnings (e.g. from WeasyPrint) as errors.")
@click.option("--force", is_flag=True, help="Render every output, even those that are up to date.")
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Render PDFs on this Dask cluster (e.g. tcp://10.0.0.5:8786) instead of locally.",
)
@click.option(
    "--final", is_flag=True, help="Release build: refuse (exit 1, write nothing) if a brief has no compliance approval."
)
@click.pass_obj
def build(
    project: Path | None,
    paths: tuple[Path, ...],
    lang: str,
    formats: str,
    out: Path | None,
    jobs: int | None,
    strict: bool,
    force: bool,
    scheduler: str | None,
    final: bool,
) -> None:
    """Build HTML and PDF for every brief under content/ (or the PATHS given)."""
    from briefs.commands import build as command

    options = command.Options(
        _split(lang, None, "language"), _formats(formats), out, strict, force, jobs or usable_cores(), scheduler, final
    )
    sys.exit(command.run(project, paths, options, _fail))


@cli.command()
@_rendering_options
@click.pass_obj
def watch(
    project: Path | None, paths: tuple[Path, ...], lang: str, formats: str, out: Path | None, jobs: int | None
) -> None:
    """Build, then rebuild what changed each time a file under content/ or templates/ is saved."""
    from briefs.commands import build as options
    from briefs.commands import watch as command

    chosen = options.Options(
        _split(lang, None, "language"), _formats(formats), out, False, False, jobs or usable_cores()
    )
    sys.exit(command.run(project, paths, chosen))


@cli.command()
@_rendering_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free port).")
@click.pass_obj
def serve(
    project: Path | None,
    paths: tuple[Path, ...],
    lang: str,
    formats: str,
    out: Path | None,
    jobs: int | None,
    host: str,
    port: int,
) -> None:
    """Preview in the browser: build, serve the output, rebuild and reload each page on save."""
    from briefs.commands import build as options
    from briefs.commands import serve as command

    chosen = options.Options(
        _split(lang, None, "language"), _formats(formats), out, False, False, jobs or usable_cores()
    )
    sys.exit(command.run(project, paths, chosen, host, port))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_list_option("--lang", "lang", None, "Languages", " (default: the project's)")
@click.option("--strict", is_flag=True, help="Fail on warnings too (figure parity, stale translations, glossary).")
@click.option(
    "--rixml-schema",
    type=click.Path(path_type=Path),
    default=None,
    help="Validate every RIXML sidecar against this XSD (your copy of the RIXML 2.5 schema).",
)
@click.pass_obj
def check(
    project: Path | None, paths: tuple[Path, ...], lang: str | None, strict: bool, rixml_schema: Path | None
) -> None:
    """Validate content and templates without writing anything."""
    from briefs.commands import check as command

    langs = _split(lang, None, "language") if lang else None
    sys.exit(command.run(project, paths, langs, _fail, strict=strict, rixml_schema=rixml_schema))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--reviewed", is_flag=True, help="Record the current zh-CN source of every translation in PATHS as reviewed."
)
@click.pass_obj
def translations(project: Path | None, paths: tuple[Path, ...], reviewed: bool) -> None:
    """List translations not yet reviewed or stale since review; with --reviewed, record them.

    PATHS are brief folders, content/_shared or one of its YAML files (default: all content).
    """
    from briefs.commands import translations as command

    sys.exit(command.run(project, paths, reviewed, _fail))


@cli.command()
@click.argument("brief_id", metavar="ID")
@click.option("--by", "by", required=True, metavar="PERSON", help="The compliance person's id in analysts.yaml.")
@click.option(
    "--date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Day of the approval, YYYY-MM-DD (default: today); on or before the brief's date.",
)
@click.pass_obj
def approve(project: Path | None, brief_id: str, by: str, date: Any) -> None:
    """Approve brief ID for release, bound to its content: any later change to its folder or to a
    shared record it uses makes it a draft again until it is approved again."""
    from briefs.commands import approve as command

    sys.exit(command.run(project, brief_id, by, date.date() if date else None, _fail))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--recipients",
    "recipients_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Distribution list (default: content/_distribution/recipients.yaml).",
)
@click.option("--only", default=None, help="Only these recipient ids, comma-separated.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: output/ of the project).",
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="PDF worker processes.")
@click.option("--scheduler", default=None, metavar="ADDRESS", help="Build and stamp on this Dask cluster.")
@click.pass_obj
def distribute(
    project: Path | None,
    paths: tuple[Path, ...],
    recipients_file: Path | None,
    only: str | None,
    out: Path | None,
    jobs: int | None,
    scheduler: str | None,
) -> None:
    """Stamp each brief for each recipient ("prepared for …") and log it to distribution.jsonl."""
    from briefs.commands import distribute as command

    wanted = tuple(v.strip() for v in (only or "").split(",") if v.strip())
    if only is not None and not wanted:  # an empty variable must never mean "every client"
        raise click.BadParameter("give at least one recipient id", param_hint="'--only'")
    sys.exit(command.run(project, paths, recipients_file, wanted, out, jobs or usable_cores(), scheduler, _fail))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder holding distribution.jsonl (default: output/ of the project).",
)
@click.pass_obj
def trace(project: Path | None, files: tuple[Path, ...], out: Path | None) -> None:
    """Name the recipient a distributed copy was made for (by its SHA-256, from the log)."""
    from briefs.commands import trace as command

    sys.exit(command.run(project, files, out, _fail))


@cli.command()
@click.pass_obj
def catalog(project: Path | None) -> None:
    """Extract template strings and update the translation catalogs (then translate the new ones)."""
    from briefs.commands import catalog as command

    sys.exit(command.run(project, _fail))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--security", default=None, metavar="TICKER", help="Only this security's recommendations (e.g. 0700.HK).")
@click.pass_obj
def ledger(project: Path | None, fmt: str, security: str | None) -> None:
    """List the recommendation ledger for compliance: every approved rating and target, by date."""
    from briefs.commands import ledger as command

    sys.exit(command.run(project, fmt, security, _fail))


@cli.group()
def new() -> None:
    """Start something new: a house's project, or a brief in a project."""


@new.command("project")
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
def new_project(folder: Path) -> None:
    """Create a project for a new house in DIR (new or empty): shared texts with placeholders and
    one example brief, ready to check and build with the shipped theme."""
    from briefs.commands import new as command

    sys.exit(command.run_project(folder, _fail))


@new.command("brief")
@click.argument("brief_id", metavar="ID")
@click.option("--kind", default=None, help="A kind from content/_shared/kinds.yaml (default: the first).")
@click.option(
    "--analyst",
    "analysts",
    multiple=True,
    help="A signing analyst's id from analysts.yaml; repeat for several (default: the first, if the kind needs one).",
)
@_project_option("local_project")
@click.pass_obj
def new_brief(
    project: Path | None, brief_id: str, kind: str | None, analysts: tuple[str, ...], local_project: Path | None
) -> None:
    """Write a minimal brief content/ID/ of a kind, every required text in every language (with
    placeholders), that checks and builds as a draft at once."""
    from briefs.commands import new as command

    sys.exit(command.run_brief(local_project or project, brief_id, kind, analysts, _fail))


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder to check (default: output/ of the project).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.pass_obj
def doctor(project: Path | None, out: Path | None, as_json: bool) -> None:
    """Check fonts, WeasyPrint, Pango, HarfBuzz, Java and the output folder; say how to fix each problem."""
    from briefs.commands import doctor as command

    sys.exit(command.run(project, out, as_json, _fail))


def main() -> None:
    """Console-script entry point.

    Leaves without the interpreter's teardown: with pandas, numpy and matplotlib loaded it takes
    0.2–0.3 s, a tenth of a one-brief rebuild, and does nothing for us. Every file we write is
    closed and renamed into place before a command returns, and the PDF workers end when this
    process does, so only the standard streams and logging need flushing.
    """
    try:
        cli(prog_name="briefs")
        status = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            status = exc.code or 0
        else:
            click.echo(exc.code, err=True)
            status = 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (briefs check | head): nothing to keep
            pass
    os._exit(status)
