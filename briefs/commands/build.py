"""``briefs build``: render what changed, on warm workers; report progress, warnings and failures."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..config import project_config
from ..errors import BriefsError, Diagnostic, display_path


@dataclass(frozen=True)
class Options:
    """The build options of the command line."""

    langs: tuple[str, ...]
    formats: tuple[str, ...]
    out: Path | None
    strict: bool
    force: bool
    jobs: int
    scheduler: str | None = None
    final: bool = False


class PlainReporter:
    """One line per file: for CI logs and pipes."""

    def __init__(self) -> None:
        self.total = 0
        self.count = 0
        self.started = time.perf_counter()

    def start(self, total: int) -> None:
        """Remember how many files are coming."""
        self.total = total

    def done(self, path: Path | None, error: Diagnostic | None) -> None:
        """Print one finished file."""
        self.count += 1
        elapsed = time.perf_counter() - self.started
        what = f"wrote {display_path(path)}" if path is not None else f"FAILED {error}"
        click.echo(f"[{self.count}/{self.total} {elapsed:5.1f}s] {what}")

    def close(self) -> None:
        """Nothing to tidy up."""


class BarReporter:
    """A progress bar with counts and elapsed time, on a terminal."""

    def __init__(self) -> None:
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn)

        self.progress = Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TextColumn("{task.description}"),
                                 transient=True)
        self.task: Any = None

    def start(self, total: int) -> None:
        """Show the bar."""
        self.progress.start()
        self.task = self.progress.add_task("", total=total)

    def done(self, path: Path | None, error: Diagnostic | None) -> None:
        """Advance the bar; failures are printed above it as they happen."""
        if error is not None:
            self.progress.console.print(f"[red]FAILED[/red] {error}", markup=True, highlight=False)
        self.progress.update(self.task, advance=1, description=path.name if path else "")

    def close(self) -> None:
        """Remove the bar."""
        self.progress.stop()


def run(project: Path | None, paths: Sequence[Path], options: Options,
        fail: Callable[[BriefsError], None]) -> int:
    """Run a build; returns the exit status."""
    started = time.perf_counter()
    try:
        config = project_config(project)
        if not (options.force or options.final) and _nothing_changed(config, paths, options):
            click.echo(f"up to date ({time.perf_counter() - started:.2f}s)")
            return 0
    except BriefsError as exc:
        fail(exc)
        return 1
    if "pdf" in options.formats and not options.scheduler:
        from ..workers import start_zygote

        start_zygote()  # warms up beside the heavy imports below (about 0.2 s sooner to the first PDF)
    from ..pipeline import build  # the heavy imports, only when there is work to do

    interactive = sys.stderr.isatty() and not os.environ.get("CI")
    reporter = BarReporter() if interactive else PlainReporter()
    try:
        result = build(config, paths, options.langs, options.formats, options.out,
                       reporter, force=options.force, jobs=options.jobs, scheduler=options.scheduler,
                       final=options.final)
    except BriefsError as exc:
        fail(exc)
        return 1
    finally:
        reporter.close()
    for diagnostic in sorted(set(result.diagnostics), key=str):
        click.echo(str(diagnostic), err=True)
    elapsed = time.perf_counter() - started
    if result.up_to_date:
        click.echo(f"up to date: {len(result.skipped)} file(s) ({elapsed:.2f}s)")
        return 0
    for path in result.removed:
        click.echo(f"removed {display_path(path)} (no brief writes it any more)")
    removed = f", {len(result.removed)} removed" if result.removed else ""
    click.echo(f"built {result.briefs} brief(s): {len(result.written)} file(s) written, "
               f"{len(result.skipped)} up to date{removed}, {len(result.failed)} failed in {elapsed:.1f}s")
    if result.failed:
        for diagnostic in result.failed:
            click.echo(str(diagnostic), err=True)
        click.echo(f"briefs: {len(result.failed)} document(s) failed", err=True)
        return 1
    if options.strict and result.diagnostics:
        click.echo(f"briefs: {len(result.diagnostics)} warning(s) with --strict", err=True)
        return 1
    return 0


def _nothing_changed(config: Any, paths: Sequence[Path], options: Options) -> bool:
    from ..incremental import Manifest, scope_of, up_to_date

    out = (options.out or config.output).resolve()
    scope = scope_of(config, paths, options.langs, options.formats)
    return up_to_date(Manifest.load(out), scope) is not None
