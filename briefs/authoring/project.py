"""``briefs new project DIR``: a project for a new house that builds at once with the shipped theme.

The files come from the package's ``scaffold/`` folder (package data): ``pyproject.toml`` with
``[tool.briefs]``, every file of ``content/_shared`` the loader requires, with each house-specific
text a placeholder (:mod:`briefs.compliance.placeholders`), an empty ``templates/`` for overrides, and a
``.gitignore`` for the output. Then one example brief is written as ``briefs new brief`` writes
one (:mod:`briefs.authoring.brief`), and the whole project is loaded once: what is handed over loads.

DIR must not exist, or be an empty folder; anything else (a file, a symbolic link, a folder
with something in it) is refused before anything is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from briefs.authoring.brief import new_brief
from briefs.errors import OutputError

EXAMPLE = "example-brief"
EXAMPLE_KIND = "industry-comment"
_RENAMED = {"gitignore": ".gitignore"}  # package data holds no dot files


@dataclass(frozen=True)
class NewProject:
    """What was written: the project folder and its files, in order."""

    root: Path
    files: tuple[Path, ...]
    example: Path


def scaffold_files() -> list[tuple[str, bytes]]:
    """The scaffold's files as (relative path, bytes), in a stable order."""
    found: list[tuple[str, bytes]] = []

    def walk(node: Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            relative = f"{prefix}{child.name}"
            if child.is_dir():
                walk(child, f"{relative}/")
            elif child.is_file() and child.name != "__init__.py":
                found.append((relative, child.read_bytes()))

    walk(files("briefs") / "scaffold", "")
    return found


def refusal(root: Path) -> str | None:
    """Why DIR cannot become a new project, or None."""
    if root.is_symlink():
        return "is a symbolic link: give a new folder's path"
    if root.exists() and not root.is_dir():
        return "is a file, not a folder: give a new folder's path"
    if root.is_dir() and any(root.iterdir()):
        return "is not empty: a new project goes into a new or empty folder (nothing there is overwritten)"
    return None


def new_project(root: Path, today: dt.date | None = None) -> NewProject:
    """Write a new project into ``root`` (created if missing) and return what was written;
    a located :class:`OutputError` if ``root`` cannot take one."""
    from briefs.project.config import project_config

    try:
        problem = refusal(root)
    except OSError as exc:  # a name no file can have, or a folder we may not read
        problem = f"cannot be used: {exc.strerror or exc}"
    if problem is not None:
        raise OutputError.at(root, 0, 0, problem)
    written = []
    try:
        root.mkdir(parents=True, exist_ok=True)
        for relative, data in scaffold_files():
            parts = relative.split("/")
            target = root.joinpath(*parts[:-1], _RENAMED.get(parts[-1], parts[-1]))
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as handle:
                handle.write(data)
            written.append(target)
    except OSError as exc:
        raise OutputError.at(root, 0, 0, f"cannot write the new project: {exc.strerror or exc}") from None
    config = project_config(root)
    example = new_brief(config, EXAMPLE, EXAMPLE_KIND, today=today)
    return NewProject(config.root, (*written, *example.files), example.folder)
