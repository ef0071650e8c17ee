"""The public Python API: :func:`build` and :func:`check`, as ``briefs.build`` / ``briefs.check``.

The command line is a thin layer over these two. Nothing here prints or exits: a build returns a
:class:`BuildResult`, a check a :class:`CheckResult`, and a problem with the project itself (its
configuration, content that does not load, an output folder that cannot be written) raises
:class:`briefs.BriefsError` carrying located diagnostics. Heavy libraries (WeasyPrint, pandas,
matplotlib) are imported only when a build or check needs them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Union

from briefs.errors import BriefsError, ConfigError, Diagnostic, SourceLocation

if TYPE_CHECKING:
    from briefs.pipeline.run import Reporter
    from briefs.project.config import ProjectConfig

ProjectLike = Union[str, os.PathLike[str], "ProjectConfig"]


@dataclass(frozen=True)
class BuildResult:
    """What a build did. Paths are absolute, in the order the build writes them."""

    written: tuple[Path, ...]  # files written by this build
    up_to_date: tuple[Path, ...]  # files already current, left as they were
    failed: tuple[Diagnostic, ...]  # one per document that could not be rendered
    warnings: tuple[Diagnostic, ...]  # e.g. characters no font draws, WeasyPrint's complaints
    removed: tuple[Path, ...] = ()  # outputs no brief writes any more, deleted
    briefs: int = 0  # briefs loaded (0 when nothing had changed at all)
    unchanged: bool = False  # nothing changed since the last build: no brief was even loaded
    portal: tuple[Path, ...] = ()  # the portal's files written (index, feeds, search); none if current

    @property
    def ok(self) -> bool:
        """True when every selected output exists and is current."""
        return not self.failed


@dataclass(frozen=True)
class CheckResult:
    """What a check found, sorted by place (file, line, column)."""

    briefs: int  # briefs loaded and checked (0 if the content did not load)
    diagnostics: tuple[Diagnostic, ...]
    strict: bool = False  # warnings fail the check too

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """Findings that fail ``briefs check``."""
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """Findings that fail it only with ``strict``."""
        return tuple(d for d in self.diagnostics if d.severity == "warning")

    @property
    def ok(self) -> bool:
        """No errors, and with ``strict`` no warnings either."""
        return not self.errors and not (self.strict and self.warnings)


def project_of(project: ProjectLike | None) -> ProjectConfig:
    """The configuration of ``project``: a ProjectConfig as given, or the [tool.briefs] of the
    pyproject.toml in that folder (every key has a default), or with None that of the nearest
    folder from the working directory up that has one."""
    from briefs.project.config import ProjectConfig, project_config

    if isinstance(project, ProjectConfig):
        return project
    return project_config(None if project is None else Path(project))


def usable_cores() -> int:
    """The default number of PDF workers: the cores this process may run on (a container's or
    taskset's CPU set, not the whole machine's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def known_formats() -> tuple[str, ...]:
    """Every output format the installed plugins register (briefs' own first: html, pdf)."""
    from briefs.plugins import registry

    return tuple(registry().formats)


def build(
    project: ProjectLike | None,
    paths: Sequence[str | os.PathLike[str]] = (),
    langs: Sequence[str] | None = None,
    formats: Sequence[str] | None = None,
    out: str | os.PathLike[str] | None = None,
    jobs: int | None = None,
    force: bool = False,
    *,
    final: bool = False,
    scheduler: str | None = None,
    reporter: Reporter | None = None,
    portal: bool = True,
) -> BuildResult:
    """Build the selected briefs (all by default) into ``out`` (default: the project's output
    folder): ``<id>/<id>.<lang>.<suffix>`` for each language and format.

    ``formats`` defaults to html and pdf; any format a plugin registers may be named. Only what
    changed is rendered (``force``: everything). PDFs render on ``jobs`` worker processes
    (default: the usable cores) or on the Dask cluster at ``scheduler``. ``final`` refuses the
    build if a selected brief has no compliance approval. One document failing does not stop
    the others: see :attr:`BuildResult.failed`. ``portal=False`` leaves the portal (index pages,
    feeds, search index) as it is, for a caller that updates it later (``briefs serve``). Raises
    :class:`BriefsError` for problems with the project (configuration, content, the output
    folder, an unknown format or language).

    A program calling this with PDFs must guard its entry point with
    ``if __name__ == "__main__":`` (the PDF workers start from a fork server).
    """
    from briefs.pipeline.outputs import FORMATS

    config = project_of(project)
    chosen = tuple(dict.fromkeys(formats or FORMATS))
    _known(chosen)
    wanted = tuple(langs or config.languages)
    folder = Path(out) if out is not None else None
    given = tuple(Path(p) for p in paths)
    from briefs.pipeline.request import build_request

    request = build_request(
        config,
        given,
        wanted,
        chosen,
        folder,
        force=force,
        final=final,
        jobs=jobs or usable_cores(),
        scheduler=scheduler,
        portal=portal,
    )
    if (current := request.unchanged()) is not None:  # the one "nothing changed" check
        return BuildResult((), tuple(current), (), (), unchanged=True)
    from briefs.plugins import is_remote, renderers

    if any(is_remote(r) for r in renderers(chosen)) and not scheduler:
        from briefs.pipeline.workers import start_zygote

        start_zygote()  # warms up beside the heavy imports below
    from briefs.pipeline import run as pipeline

    result = pipeline.run(request, reporter)
    return BuildResult(
        tuple(result.written),
        tuple(result.skipped),
        tuple(result.failed),
        tuple(sorted(set(result.diagnostics), key=str)),
        tuple(result.removed),
        result.briefs,
        result.up_to_date,
        tuple(result.portal),
    )


def _known(formats: Sequence[str]) -> None:
    from briefs.plugins import unknown_format

    if not formats:
        raise ConfigError(Diagnostic(SourceLocation(Path("formats")), "give at least one format"))
    if (problem := unknown_format(formats)) is not None:
        raise ConfigError(Diagnostic(SourceLocation(Path("formats")), problem))


def check(
    project: ProjectLike | None,
    paths: Sequence[str | os.PathLike[str]] = (),
    langs: Sequence[str] | None = None,
    strict: bool = False,
    rixml_schema: str | os.PathLike[str] | None = None,
) -> CheckResult:
    """Validate content, references, templates and compliance rules, render every page in
    memory and run every registered check (glyphs, translation fidelity, plugins'); writes
    nothing. Problems in the content come back as diagnostics; a project that cannot be read
    at all (its configuration) raises :class:`BriefsError`. With ``strict``, warnings also make
    :attr:`CheckResult.ok` false. With ``rixml_schema`` (a path to an XSD), every RIXML sidecar
    is also validated against it."""
    config = project_of(project)
    from briefs.errors import by_place
    from briefs.pipeline.planning import check as run_checks

    try:
        schema = Path(rixml_schema) if rixml_schema is not None else None
        loaded, findings = run_checks(config, tuple(Path(p) for p in paths), langs, rixml_schema=schema)
    except ConfigError:
        raise
    except BriefsError as exc:
        return CheckResult(0, exc.diagnostics, strict)
    return CheckResult(len(loaded.briefs), tuple(sorted(findings, key=by_place)), strict)


__all__ = ["BuildResult", "CheckResult", "build", "check", "known_formats", "project_of", "usable_cores"]
