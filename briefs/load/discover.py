"""Finding the briefs: every ``content/<id>/brief.yaml``, or those a command names, each one
really inside the content folder; a brief file named almost right (``brief.yml``) gets a hint.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from pathlib import Path

from briefs.errors import ContentError, Diagnostics, SourceLocation, display_path
from briefs.project.config import ProjectConfig
from briefs.render.markdown import shown_url


def discover(config: ProjectConfig, paths: Sequence[Path] = ()) -> list[Path]:
    """Brief files to load: every ``content/<id>/brief.yaml``, or those named by ``paths``.

    A brief under ``content/`` must really be there: a brief folder (or its ``brief.yaml``) that
    is a symlink to somewhere outside ``content/`` is refused, since a brief's folder is the only
    place its files may be read from. A brief given by a path outside ``content/`` is built from
    where it is."""
    if not paths:
        paths = [config.content]
    found: list[Path] = []
    diags = Diagnostics()
    for given in paths:
        try:
            found.extend(_briefs_at(given, config.content, diags))
        except (OSError, ValueError) as exc:  # a name no file can have (too long, a NUL byte)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise ContentError.at(Path(shown_url(str(given))), 0, 0, f"not a usable path: {reason}") from None
    diags.raise_if_errors()
    return sorted(dict.fromkeys(found))


def _briefs_at(given: Path, content: Path, diags: Diagnostics) -> list[Path]:
    path = given.resolve()
    if path.is_file() and path.name != "brief.yaml":  # it would be read as one, and quoted whole
        if _is_near_miss(path.name):
            raise ContentError.at(Path(given), 0, 0, _misnamed(path.name))
        raise ContentError.at(
            Path(given), 0, 0, "not a brief: give a brief's folder, its brief.yaml or a folder of briefs"
        )
    if path.is_file():
        candidates = [Path(os.path.abspath(given))]
    elif (path / "brief.yaml").is_file():
        candidates = [Path(os.path.abspath(given)) / "brief.yaml"]
    elif path.is_dir():
        candidates = [
            Path(os.path.abspath(given)) / p.relative_to(path)
            for p in sorted(path.glob("*/brief.yaml"))
            if not p.parent.name.startswith(("_", "."))
        ]
        folders = [path, *(p for p in sorted(path.iterdir()) if p.is_dir() and not p.name.startswith(("_", ".")))]
        for folder in folders:
            if not (folder / "brief.yaml").is_file():
                for misnamed in _near_misses(folder):
                    diags.error(
                        SourceLocation(Path(os.path.abspath(given)) / misnamed.relative_to(path)),
                        _misnamed(misnamed.name),
                    )
    else:
        raise ContentError.at(Path(given), 0, 0, "no such brief, folder or file")
    found = []
    for candidate in candidates:
        if (problem := _outside(candidate, content.absolute())) is not None:
            diags.error(SourceLocation(candidate), problem)
        else:
            found.append(candidate.resolve())
    return found


def _near_misses(folder: Path) -> list[Path]:
    """Files in ``folder`` whose name is close to ``brief.yaml`` (brief.yml, Brief.yaml,
    brief.yaml.txt, breif.yaml): a brief the author meant to write, which would be skipped."""
    try:
        return [p for p in sorted(folder.iterdir()) if _is_near_miss(p.name) and p.is_file()]
    except OSError:  # a folder that cannot be listed is reported where it is read, if ever
        return []


def _is_near_miss(name: str) -> bool:
    folded = name.casefold()
    if folded == "brief.yaml" and name != "brief.yaml":
        return True
    if folded in ("brief.yml", "brief.yaml~") or folded.startswith(("brief.yaml.", "brief.yml.")):
        return True
    return difflib.SequenceMatcher(None, folded, "brief.yaml").ratio() >= 0.8 and folded != "brief.yaml"


def _misnamed(name: str) -> str:
    return f"this brief is named '{name}', so it is not read: rename it to brief.yaml (the exact name briefs reads)"


def _outside(brief_file: Path, content: Path) -> str | None:
    """Why ``brief_file`` (as named, not resolved) is not where it says it is, or None."""
    folder, real = brief_file.parent, brief_file.resolve()
    if real.parent != folder.resolve():
        return f"brief.yaml is a link to {real}, outside its folder: put the file itself there"
    if folder.is_relative_to(content) and not real.is_relative_to(content.resolve()):
        return (
            f"brief folder is a link to {folder.resolve()}, outside {display_path(content)}/: "
            f"a brief's files must really be inside the content folder (copy it in)"
        )
    return None
