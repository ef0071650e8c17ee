"""Stage 0: the project configuration, read from ``[tool.briefs]`` in the project's pyproject.toml."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import ConfigError, Diagnostic, SourceLocation

KNOWN_LANGUAGES = ("zh-CN", "en", "zh-HK")
MAX_RESOURCE_BYTES = 20 * 1024 * 1024  # the largest image (or other file) a brief may show


@dataclass(frozen=True)
class ProjectConfig:
    """Where things are and which languages every text must have."""

    root: Path
    languages: tuple[str, ...] = ("zh-CN", "en")
    content_dir: Path = Path("content")
    templates_dir: Path = Path("templates")
    output_dir: Path = Path("output")
    # Editions made from another language's text when content has none of its own:
    # {"zh-HK": ("zh-CN", "s2hk")} = Traditional Chinese converted from zh-CN with OpenCC's s2hk.
    derived: tuple[tuple[str, str, str], ...] = ()
    # A PDF of at least this many pages gets a contents page (0: never). Ten: a short brief reads
    # without one, and the extra layout it costs is only paid by long reports.
    toc_min_pages: int = 10

    @property
    def editions(self) -> tuple[str, ...]:
        """Every language the project can publish: its own languages, then the derived ones."""
        return self.languages + tuple(lang for lang, _, _ in self.derived)

    def derivation(self, lang: str) -> tuple[str, str] | None:
        """(source language, OpenCC configuration) if ``lang`` is derived, else None."""
        return next(((src, conv) for d, src, conv in self.derived if d == lang), None)

    @property
    def content(self) -> Path:
        """Absolute content folder."""
        return self.root / self.content_dir

    @property
    def templates(self) -> Path:
        """Absolute templates folder."""
        return self.root / self.templates_dir

    @property
    def output(self) -> Path:
        """Absolute default output folder."""
        return self.root / self.output_dir

    @property
    def shared(self) -> Path:
        """Folder of shared, compliance-owned content."""
        return self.content / "_shared"


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding a pyproject.toml with [tool.briefs]."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "[tool.briefs]" in candidate.read_text("utf-8", "replace"):
            return folder
    return start


def load_config(root: Path) -> ProjectConfig:
    """Read ``[tool.briefs]``; every key is optional, unknown keys are errors."""
    root = root.resolve()
    if not root.is_dir():
        raise ConfigError(Diagnostic(SourceLocation(root), "no such project folder"))
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return ProjectConfig(root=root)
    try:
        data = tomllib.loads(pyproject.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        # "... (at line 65, column 13)" → pyproject.toml:65:13: ...
        where = re.search(r"\s*\(at line (\d+), column (\d+)\)$", str(exc))
        message = str(exc)[:where.start()] if where else str(exc)
        line, column = (int(where[1]), int(where[2])) if where else (0, 0)
        raise ConfigError(Diagnostic(SourceLocation(pyproject, line, column),
                                     f"not valid TOML: {message}")) from None
    except UnicodeDecodeError:
        raise ConfigError(Diagnostic(SourceLocation(pyproject),
                                     "not valid UTF-8 (save the file as UTF-8)")) from None
    table = data.get("tool", {}).get("briefs", {})
    where = SourceLocation(pyproject, _line_of(pyproject, "[tool.briefs]"))
    allowed = {"languages", "content", "templates", "output", "derived", "toc_min_pages"}
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(Diagnostic(where, f"unknown key tool.briefs.{unknown[0]}"))
    for key, expected in (("languages", list), ("derived", dict), ("content", str),
                          ("templates", str), ("output", str)):
        value = table.get(key)
        if value is not None and (not isinstance(value, expected) or value in ("", [])):
            shape = {list: 'a list of languages, e.g. ["zh-CN", "en"]', dict: "a table",
                     str: 'a folder name, e.g. "content"'}[expected]
            raise ConfigError(Diagnostic(
                SourceLocation(pyproject, _line_of_key(pyproject, key) or where.line),
                f"tool.briefs.{key}: expected {shape}, not {value!r}"))
    languages = tuple(str(lang) for lang in table.get("languages", ("zh-CN", "en")))
    bad = [lang for lang in languages if lang not in KNOWN_LANGUAGES]
    if bad or not languages:
        raise ConfigError(
            Diagnostic(where, f"tool.briefs.languages: unsupported {bad or 'empty list'}; "
                       f"choose from {', '.join(KNOWN_LANGUAGES)}")
        )
    derived = []
    for lang, spec in sorted(table.get("derived", {}).items()):
        ok = isinstance(spec, dict) and set(spec) == {"from", "convert"}
        if not ok or lang not in KNOWN_LANGUAGES or spec["from"] not in languages or lang in languages:
            raise ConfigError(Diagnostic(where, f"tool.briefs.derived.{lang}: expected "
                                         '{ from = "<one of languages>", convert = "<OpenCC config>" } '
                                         f"for a language outside 'languages' ({', '.join(KNOWN_LANGUAGES)})"))
        known = _opencc_configs()
        if known and str(spec["convert"]).removesuffix(".json") not in known:
            raise ConfigError(Diagnostic(
                SourceLocation(pyproject, _line_of_key(pyproject, lang) or where.line),
                f"tool.briefs.derived.{lang}: unknown OpenCC conversion {spec['convert']!r}; "
                f"choose from {', '.join(sorted(known))}"))
        derived.append((lang, str(spec["from"]), str(spec["convert"])))
    toc_min_pages = table.get("toc_min_pages", ProjectConfig.toc_min_pages)
    if not isinstance(toc_min_pages, int) or isinstance(toc_min_pages, bool) or toc_min_pages < 0:
        raise ConfigError(Diagnostic(
            SourceLocation(pyproject, _line_of_key(pyproject, "toc_min_pages") or where.line),
            f"tool.briefs.toc_min_pages: expected a whole number of pages >= 0 (0: never), "
            f"not {toc_min_pages!r}"))
    return ProjectConfig(
        root=root,
        toc_min_pages=toc_min_pages,
        languages=languages,
        derived=tuple(derived),
        content_dir=Path(table.get("content", "content")),
        templates_dir=Path(table.get("templates", "templates")),
        output_dir=Path(table.get("output", "output")),
    )


@lru_cache(maxsize=1)
def _opencc_configs() -> frozenset[str]:
    """The conversions OpenCC ships (its .json configurations), without importing it."""
    spec = importlib.util.find_spec("opencc")
    if spec is None or spec.origin is None:
        return frozenset()
    return frozenset(p.stem for p in Path(spec.origin).parent.rglob("*.json"))


def _line_of_key(path: Path, key: str) -> int:
    for number, line in enumerate(path.read_text("utf-8", "replace").splitlines(), 1):
        if line.split("=")[0].strip() == key:
            return number
    return 0


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text("utf-8", "replace").splitlines(), 1):
        if line.strip() == needle:
            return number
    return 0


def project_config(project: Path | None) -> ProjectConfig:
    """The configuration for an explicit project folder, or the one around the working directory."""
    return load_config(project if project is not None else find_root(Path.cwd()))
