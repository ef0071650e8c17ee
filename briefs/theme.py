"""The theme: where templates, stylesheets and message catalogs are looked up.

A theme is a search path of folders, first hit wins: the project's ``templates/`` (when it
exists), then the folders of installed plugin themes, then the default theme shipped in the
package (``briefs/themes/default``). A project overrides any theme file by putting a file at the
same relative path; an override that only changes part of a template can extend or include the
shipped one under the ``theme/`` prefix (``{% extends "theme/brief.html" %}``) instead of
copying it. Catalogs chain the same way, message by message (:mod:`briefs.localize.i18n`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import jinja2

from briefs.errors import Diagnostic, SourceLocation
from briefs.project.config import ProjectConfig

PACKAGE_THEME = Path(__file__).resolve().parent / "themes" / "default"
PREFIX = "theme"  # templates of the shipped theme, whatever overrides them: "theme/brief.html"
DEFAULT_TEMPLATE = "brief.html"


def plugin_folders() -> tuple[Path, ...]:
    """Theme folders added by installed plugins, in priority order (the plugin registry's)."""
    from briefs.plugins import registry

    return registry().themes


@dataclass(frozen=True)
class Theme:
    """The search path of one project's theme."""

    project: Path | None  # the project's templates/ folder, if it exists
    plugins: tuple[Path, ...] = ()
    package: Path = PACKAGE_THEME

    @property
    def folders(self) -> tuple[Path, ...]:
        """Every theme folder, highest priority first."""
        return (*((self.project,) if self.project is not None else ()), *self.plugins, self.package)

    def find(self, relative: str) -> Path | None:
        """The first file at ``relative`` along the search path; None if no folder has it (or the
        name is not a plain relative path: absolute, or with a ``..`` component)."""
        if not is_relative_name(relative):
            return None
        for folder in self.folders:
            candidate = folder / relative
            if candidate.is_file():
                return candidate
        return None

    def loader(self) -> jinja2.BaseLoader:
        """Jinja's view of the search path, plus ``theme/…`` for the shipped theme's own files."""
        return jinja2.ChoiceLoader(
            [
                jinja2.PrefixLoader({PREFIX: jinja2.FileSystemLoader(str(self.package))}),
                jinja2.FileSystemLoader([str(folder) for folder in self.folders]),
            ]
        )

    def located(self, filename: str) -> bool:
        """Whether a file name (as Jinja reports it) is one of the theme's files."""
        return filename.startswith(tuple(str(folder) for folder in self.folders))


def is_relative_name(name: str) -> bool:
    """A plain relative file name: not empty, not absolute, no ``..``, no backslash."""
    path = PurePosixPath(name)
    return bool(name) and "\\" not in name and not path.is_absolute() and ".." not in path.parts


def theme_of(config: ProjectConfig, plugins: Sequence[Path] | None = None) -> Theme:
    """The theme of a project: its templates/ folder (if any), plugin themes, the shipped one."""
    project = config.templates if config.templates.is_dir() else None
    extra = plugin_folders() if plugins is None else tuple(plugins)
    return Theme(project, tuple(extra))


def kind_template_problems(theme: Theme, kinds: Sequence[tuple[str | None, SourceLocation]]) -> list[Diagnostic]:
    """A located error for each kind whose ``template`` the theme does not have.

    ``kinds`` pairs each kind's template name with the place of its ``template`` key."""
    problems = []
    for name, where in kinds:
        if name is None or theme.find(name) is not None:
            continue
        folders = ", ".join(str(f) for f in theme.folders)
        problems.append(Diagnostic(where, f"unknown template '{name}' (looked for it in {folders})"))
    return problems
