"""The preview's builds: every brief on start, then the briefs a save touched, in one thread.

A save inside a brief's folder rebuilds that brief; any other save (content/_shared, templates,
pyproject.toml) rebuilds them all, as ``briefs watch`` does (the same watch, the same watched
paths: :mod:`briefs.commands.watch`). Each round runs, in order:

1. the HTML editions, after which open pages reload (the few tenths of a second that matter);
2. the check of the same briefs, whose findings are printed exactly as ``briefs check`` prints
   them and shown in the pages;
3. the PDF editions, whose links update in the pages when they land.

Saves made meanwhile are collected by the watch and built in the next round.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from briefs.commands import build as build_command
from briefs.commands import check as check_command
from briefs.commands import report
from briefs.commands.watch import Watcher, sources_changed, watched
from briefs.errors import BriefsError, Diagnostic
from briefs.preview.state import PreviewState, Problem
from briefs.project.config import ProjectConfig

log = logging.getLogger("briefs")


@dataclass(frozen=True)
class Round:
    """One round of builds: the brief folders given to the build, and the ids they hold."""

    paths: tuple[Path, ...]
    briefs: tuple[str, ...]


class Builder:
    """Builds into ``out`` and tells ``state``; :meth:`run` is the thread's body."""

    def __init__(
        self,
        config: ProjectConfig,
        paths: Sequence[Path],
        options: build_command.Options,
        out: Path,
        state: PreviewState,
    ) -> None:
        self.config = config
        self.paths = tuple(paths)
        self.options = options
        self.out = out
        self.state = state
        self.html = ("html", *(f for f in options.formats if f not in ("html", "pdf")))
        self.stopping = threading.Event()
        self.watcher = Watcher(watched(config, paths), config.root)  # armed before the first build
        state.briefs = tuple(sorted(self.briefs().values()))  # the pages know them before they are built

    def run(self) -> None:
        """Build everything, then each save, until :meth:`stop`."""
        try:
            self._round(None)
            while not self.stopping.is_set():
                changes = self.watcher.next()
                if changes is None:
                    break
                if self.stopping.is_set():
                    break
                changed = sources_changed(changes, self.out, self.config)
                if changed:
                    self._round(changed)
        finally:
            self.watcher.close()

    def stop(self) -> None:
        """End :meth:`run` within a second (after the build under way, if any)."""
        self.stopping.set()

    def briefs(self) -> dict[Path, str]:
        """The selected briefs now: resolved brief folder -> id (none while content is broken)."""
        from briefs.load.discover import discover

        try:
            files = discover(self.config, self.paths)
        except BriefsError:
            return {}
        return {f.parent: f.parent.name for f in files}

    def plan(self, changed: Sequence[Path] | None) -> Round:
        """What to build for ``changed`` (None: everything)."""
        folders = self.briefs()
        if changed is not None:
            chosen: dict[Path, str] = {}
            for path in changed:
                target = path.resolve()
                owner = next((f for f in folders if target.is_relative_to(f)), None)
                if owner is None:  # a shared file, a template, the configuration: every brief
                    break
                chosen[owner] = folders[owner]
            else:
                return Round(tuple(chosen), tuple(sorted(chosen.values())))
        return Round(self.paths, tuple(sorted(folders.values())))

    def _round(self, changed: Sequence[Path] | None) -> None:
        plan = self.plan(changed)
        try:
            problems = self._html(plan)
            if problems is None:
                return
            problems = self._check(plan, problems)
            if "pdf" in self.options.formats and not self.stopping.is_set():
                self._pdf(plan, problems)  # the portal is brought up to date with the PDFs
            elif not self.stopping.is_set():
                self._portal(plan)
        except Exception:  # a bug must not end the preview: logged, and the next save tried
            log.exception("the preview's build failed unexpectedly")
            self.state.built(self.state.briefs, plan.briefs, [Problem("the build failed unexpectedly", "error")])

    def _html(self, plan: Round) -> list[Problem] | None:
        from briefs.api import build

        self.state.start()
        started = time.perf_counter()
        everything = tuple(sorted(self.briefs().values()))
        try:
            result = build(
                self.config, plan.paths, self.options.langs, self.html, self.out, self.options.jobs, portal=False
            )
        except BriefsError as exc:
            report(exc)
            click.echo("briefs: the build failed; fix the file named above and save it again", err=True)
            self.state.built(everything, plan.briefs, [Problem.of(d) for d in exc.diagnostics])
            return None
        problems = [Problem.of(d) for d in (*result.failed, *result.warnings)]
        self.state.built(everything, plan.briefs, problems)
        for diagnostic in result.failed:
            click.echo(str(diagnostic), err=True)
        click.echo(f"built HTML of {len(plan.briefs)} brief(s) in {time.perf_counter() - started:.2f}s")
        return problems

    def _check(self, plan: Round, problems: list[Problem]) -> list[Problem]:
        from briefs.api import check

        try:
            result = check(self.config, plan.paths, self.options.langs)
        except BriefsError as exc:
            report(exc)
            found: tuple[Diagnostic, ...] = exc.diagnostics
        else:
            check_command.show(result, report)
            found = result.diagnostics
        problems = list(dict.fromkeys([*problems, *(Problem.of(d) for d in found)]))
        self.state.checked(plan.briefs, problems)
        return problems

    def _portal(self, plan: Round) -> None:
        """The portal (index, feeds, search) after the reload: the HTML is already current, so
        this build writes no page of a brief, only what the portal shows of them."""
        from briefs.api import build

        try:
            build(self.config, plan.paths, self.options.langs, self.html, self.out, self.options.jobs)
        except BriefsError:
            pass  # already reported by the HTML build of this round

    def _pdf(self, plan: Round, problems: list[Problem]) -> None:
        from briefs.api import build

        self.state.pdf_status(plan.briefs, "building")
        started = time.perf_counter()
        try:
            result = build(self.config, plan.paths, self.options.langs, ("pdf",), self.out, self.options.jobs)
        except BriefsError as exc:
            report(exc)
            self.state.checked(plan.briefs, [*problems, *(Problem.of(d) for d in exc.diagnostics)])
            self.state.pdf_status(plan.briefs, "failed")
            return
        for diagnostic in (*result.warnings, *result.failed):
            click.echo(str(diagnostic), err=True)
        found = [Problem.of(d) for d in (*result.failed, *result.warnings)]
        if found:
            self.state.checked(plan.briefs, list(dict.fromkeys([*problems, *found])))
        self.state.pdf_status(plan.briefs, "failed" if result.failed else "ready")
        click.echo(f"built PDF of {len(plan.briefs)} brief(s) in {time.perf_counter() - started:.2f}s")
