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

from briefs.commands import print_findings
from briefs.errors import BriefsError, Diagnostic, display_path
from briefs.pipeline.outputs import PORTAL_INDEX


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
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("building"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            transient=True,
        )
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


def run(
    project: Path | None,
    paths: Sequence[Path],
    options: Options,
    fail: Callable[[BriefsError], None],
    warnings: bool = True,
) -> int:
    """Run a build (:func:`briefs.api.build`); report it; return the exit status. Without
    ``warnings`` the build's warnings are left to the caller (``watch`` prints a check's)."""
    from briefs.api import build

    started = time.perf_counter()
    interactive = sys.stderr.isatty() and not os.environ.get("CI")
    reporter: BarReporter | PlainReporter | None = None

    def progress() -> Any:  # made only when there is work (a bar would flash on a no-op)
        nonlocal reporter
        reporter = BarReporter() if interactive else PlainReporter()
        return reporter

    try:
        result = build(
            project,
            paths,
            options.langs,
            options.formats,
            options.out,
            options.jobs,
            options.force,
            final=options.final,
            scheduler=options.scheduler,
            reporter=_Lazy(progress),
        )
    except BriefsError as exc:
        fail(exc)
        return 1
    finally:
        if reporter is not None:
            reporter.close()
    if result.unchanged:  # nothing changed since the same build last completed
        click.echo(f"up to date ({time.perf_counter() - started:.2f}s)")
        return 0
    if warnings:
        print_findings(result.warnings)
    elapsed = time.perf_counter() - started
    for path in result.removed:
        click.echo(f"removed {display_path(path)} (no brief writes it any more)")
    removed = f", {len(result.removed)} removed" if result.removed else ""
    click.echo(
        f"built {result.briefs} brief(s): {len(result.written)} file(s) written, "
        f"{len(result.up_to_date)} up to date{removed}, {len(result.failed)} failed in {elapsed:.1f}s"
    )
    if result.portal:
        index = next((p for p in result.portal if p.name == PORTAL_INDEX), result.portal[0])
        click.echo(f"portal: {display_path(index)} ({len(result.portal)} file(s) written)")
    if result.failed:
        for diagnostic in result.failed:
            click.echo(str(diagnostic), err=True)
        click.echo(f"briefs: {len(result.failed)} document(s) failed", err=True)
        return 1
    if options.strict and result.warnings:
        click.echo(f"briefs: {len(result.warnings)} warning(s) with --strict", err=True)
        return 1
    return 0


class _Lazy:
    """A reporter made on the first call (by then the build has work to report)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make
        self.made: Any = None

    def start(self, total: int) -> None:
        """Make the real reporter and start it."""
        self.made = self.made or self.make()
        self.made.start(total)

    def done(self, path: Path | None, error: Diagnostic | None) -> None:
        """Pass on one finished file."""
        self.made = self.made or self.make()
        self.made.done(path, error)
