"""Stage 0: the project configuration, read from ``[tool.briefs]`` in the project's pyproject.toml."""

from __future__ import annotations

import difflib
import importlib.util
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefs.errors import ConfigError, Diagnostic, Diagnostics, SourceLocation
from briefs.project.languages import DEFAULT_LANGUAGES, DEFAULT_SOURCE, KNOWN_LANGUAGES, LANGUAGES
from briefs.project.tomlplaces import key_places, place_of
from briefs.source.safefiles import Unsafe, read_bytes

MAX_RESOURCE_BYTES = 20 * 1024 * 1024  # the largest image (or other file) a brief may show
MAX_PYPROJECT_BYTES = 1024 * 1024
# SOURCE_DATE_EPOCH: the last second a four-digit year can write (9999-12-31T23:59:59Z); PDF dates,
# ISO dates and Python's datetime all end there.
MAX_EPOCH = 253402300799


@dataclass(frozen=True)
class ProjectConfig:
    """Where things are and which languages every text must have."""

    root: Path
    languages: tuple[str, ...] = DEFAULT_LANGUAGES
    # The language a brief is written in first, unless it says otherwise (``source:``).
    source: str = DEFAULT_SOURCE
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
        try:  # an unreadable or odd pyproject.toml of some other project is not ours to report
            text = read_bytes(folder / "pyproject.toml", MAX_PYPROJECT_BYTES).decode("utf-8", "replace")
        except Unsafe:
            continue
        if re.search(r"^[ \t]*\[\[?[ \t]*tool[ \t]*\.[ \t]*briefs[ \t]*\]", text, re.MULTILINE):
            return folder
    return start


class VariableLocation(SourceLocation):
    """An environment variable and its value, where a message about it is located."""

    def __str__(self) -> str:
        return str(self.path)


def _variable_error(name: str, value: str, message: str) -> ConfigError:
    shown = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in value)
    shown = shown if len(shown) <= 40 else shown[:39] + "…"
    return ConfigError(Diagnostic(VariableLocation(Path(f"{name}={shown}")), message))


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` as seconds since 1970, None when unset or empty; a located error
    for anything else than a whole number of seconds from 0 to the end of year 9999."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or not value.strip():
        return None
    digits = value.strip()
    if not re.fullmatch(r"[0-9]{1,12}", digits) or int(digits) > MAX_EPOCH:
        raise _variable_error(
            "SOURCE_DATE_EPOCH",
            value,
            "must be a whole number of seconds since "
            f"1970 between 0 and {MAX_EPOCH} (the end of year 9999), such as "
            "the commit's time from git log -1 --format=%ct",
        )
    return int(digits)


def check_environment() -> None:
    """Every environment variable briefs reads and gives a meaning to, checked (ConfigError).

    ``SOURCE_DATE_EPOCH`` is parsed (by us and by WeasyPrint); ``CI`` is only tested for being
    set, so any value is valid.
    """
    source_date_epoch()


def load_config(root: Path) -> ProjectConfig:
    """Read ``[tool.briefs]``; every key is optional, unknown keys are errors.

    The environment is checked here too (:func:`check_environment`): every command reads its
    configuration first, so a bad value stops it before anything is built or written.
    """
    check_environment()
    root = root.resolve()
    if not root.is_dir():
        raise ConfigError(Diagnostic(SourceLocation(root), "no such project folder"))
    pyproject = root / "pyproject.toml"
    if not pyproject.exists() and not pyproject.is_symlink():
        return ProjectConfig(root=root)
    text = _read_pyproject(pyproject)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # "... (at line 65, column 13)" → pyproject.toml:65:13: ...
        where = re.search(r"\s*\(at line (\d+), column (\d+)\)$", str(exc))
        message = str(exc)[: where.start()] if where else str(exc)
        line, column = (int(where[1]), int(where[2])) if where else (0, 0)
        raise ConfigError(Diagnostic(SourceLocation(pyproject, line, column), f"not valid TOML: {message}")) from None
    return _Reader(pyproject, key_places(text)).config(root, data)


def _read_pyproject(pyproject: Path) -> str:
    try:
        raw = read_bytes(pyproject, MAX_PYPROJECT_BYTES)
    except Unsafe as exc:
        raise ConfigError(Diagnostic(SourceLocation(pyproject), exc.reason)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(Diagnostic(SourceLocation(pyproject), "not valid UTF-8 (save the file as UTF-8)")) from None


_KEYS = ("languages", "source", "content", "templates", "output", "derived", "toc_min_pages")
_FOLDERS = ("content", "templates", "output")


class _Reader:
    """Checks ``[tool.briefs]`` value by value; each problem at the line and column of its key."""

    def __init__(self, pyproject: Path, places: dict[tuple[str, ...], tuple[int, int]]) -> None:
        self.pyproject = pyproject
        self.places = places
        self.diags = Diagnostics()

    def error(self, path: tuple[str, ...], message: str) -> None:
        line, column = place_of(self.places, ("tool", "briefs", *path))
        self.diags.error(SourceLocation(self.pyproject, line, column), message)

    def config(self, root: Path, data: dict[str, Any]) -> ProjectConfig:
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            line, column = place_of(self.places, ("tool",))
            raise ConfigError(
                Diagnostic(
                    SourceLocation(self.pyproject, line, column),
                    f"'tool' must be a table ([tool.briefs] …), not {_shown(tool)}",
                )
            )
        table = tool.get("briefs", {})
        if not isinstance(table, dict):
            kind = _shown(table)
            kind = "an array of tables [[tool.briefs]]" if kind == "an array of tables" else kind
            self.error((), f"tool.briefs must be one table, written [tool.briefs], not {kind}")
            self.diags.raise_if_errors(ConfigError)
        for key in sorted(set(table) - set(_KEYS)):
            self.error((key,), f"unknown key tool.briefs.{key}{_did_you_mean(key, _KEYS)}")
        languages = self.languages(table.get("languages"))
        folders = {key: self.folder(key, table.get(key)) for key in _FOLDERS}
        derived = self.derived(table.get("derived"), languages)
        source = self.source(table.get("source"), languages)
        toc_min_pages = table.get("toc_min_pages", ProjectConfig.toc_min_pages)
        if not isinstance(toc_min_pages, int) or isinstance(toc_min_pages, bool) or toc_min_pages < 0:
            self.error(
                ("toc_min_pages",),
                "tool.briefs.toc_min_pages: expected a whole number of "
                f"pages >= 0 (0: never), not {_shown(toc_min_pages)}",
            )
        self.diags.raise_if_errors(ConfigError)
        return ProjectConfig(
            root=root,
            toc_min_pages=toc_min_pages,
            languages=languages,
            source=source,
            derived=derived,
            content_dir=folders["content"],
            templates_dir=folders["templates"],
            output_dir=folders["output"],
        )

    def languages(self, value: object) -> tuple[str, ...]:
        default = DEFAULT_LANGUAGES
        if value is None:
            return default
        if not isinstance(value, list) or not value:
            self.error(
                ("languages",),
                f"tool.briefs.languages: expected a list of languages, e.g. {_example(default)}, not {_shown(value)}",
            )
            return default
        seen: list[str] = []
        for item in value:
            if not isinstance(item, str) or item not in KNOWN_LANGUAGES:
                self.error(
                    ("languages",),
                    f"tool.briefs.languages: unsupported {_shown(item)}{_did_you_mean(str(item), KNOWN_LANGUAGES)}",
                )
            elif item in seen:
                self.error(("languages",), f"tool.briefs.languages: {item!r} is listed twice")
            else:
                seen.append(item)
        return tuple(seen) or default

    def source(self, value: object, languages: tuple[str, ...]) -> str:
        """The project's source language: one of its languages (default zh-CN, when it is one)."""
        default = DEFAULT_SOURCE if DEFAULT_SOURCE in languages else languages[0]
        if value is None:
            return default
        if not isinstance(value, str) or value not in languages:
            self.error(
                ("source",),
                f"tool.briefs.source: expected one of the project's languages "
                f"({', '.join(languages)}), not {_shown(value)}"
                f"{_did_you_mean(str(value), languages) if isinstance(value, str) else ''}",
            )
            return default
        return value

    def folder(self, key: str, value: object) -> Path:
        default = Path(key)
        if value is None:
            return default
        if not isinstance(value, str) or not value.strip():
            self.error((key,), f'tool.briefs.{key}: expected a folder name, e.g. "{key}", not {_shown(value)}')
            return default
        if any(not c.isprintable() for c in value):
            self.error((key,), f"tool.briefs.{key}: a folder name without control characters, not {_shown(value)}")
            return default
        return Path(value)

    def derived(self, value: object, languages: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.error(
                ("derived",),
                "tool.briefs.derived: expected a table of editions, e.g. "
                f"[tool.briefs.derived] {_derived_example()}, not {_shown(value)}",
            )
            return ()
        found = []
        for lang, spec in sorted(value.items()):
            here = ("derived", lang)
            name = f"tool.briefs.derived.{lang}"
            if lang not in KNOWN_LANGUAGES or lang in languages:
                why = "is one of 'languages'" if lang in languages else "is not a language we know"
                self.error(
                    here,
                    f"{name}: {lang!r} {why}; a derived edition is a language outside "
                    f"'languages', one of {', '.join(KNOWN_LANGUAGES)}",
                )
                continue
            if not isinstance(spec, dict):
                self.error(
                    here,
                    f'{name}: expected {{ from = "<one of languages>", convert = '
                    f'"<OpenCC conversion>" }}, not {_shown(spec)}',
                )
                continue
            for key in sorted(set(spec) - {"from", "convert"}):
                self.error((*here, key), f"{name}: unknown key {key!r}{_did_you_mean(key, ('from', 'convert'))}")
            source, convert = spec.get("from"), spec.get("convert")
            if source not in languages:
                self.error(
                    (*here, "from") if "from" in spec else here,
                    f"{name}.from: expected one of the project's languages "
                    f"({', '.join(languages)}), not {_shown(source)}",
                )
            known = _opencc_configs()
            if not isinstance(convert, str) or (known and convert.removesuffix(".json") not in known):
                choices = f"; choose from {', '.join(sorted(known))}" if known else ""
                self.error(
                    (*here, "convert") if "convert" in spec else here,
                    f"{name}: unknown OpenCC conversion {_shown(convert)}{choices}",
                )
            if isinstance(source, str) and isinstance(convert, str):
                found.append((lang, source, convert))
        return tuple(found)


def _example(tags: Iterable[str]) -> str:
    """A list of language tags as TOML writes it: ["zh-CN", "en"]."""
    return "[" + ", ".join(f'"{tag}"' for tag in tags) + "]"


def _derived_example() -> str:
    """A derived edition as [tool.briefs.derived] writes it, from the language table."""
    tag, how = next((t, lang.derivation) for t, lang in LANGUAGES.items() if lang.derivation)
    return f'{tag} = {{ from = "{how.source}", convert = "{how.opencc}" }}'


def _shown(value: object) -> str:
    """A configuration value as TOML would write it, shortened."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return "an array of tables"
    text = repr(value) if not isinstance(value, bool) else str(value).lower()
    return text if len(text) <= 60 else text[:59] + "…"


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    """ "; did you mean 'x'?" for a close choice (case aside first), else " (known: …)"."""
    choices = list(choices)
    close = [c for c in choices if c.casefold() == word.casefold()]
    close = close or difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f" (known: {', '.join(choices)})"


@lru_cache(maxsize=1)
def _opencc_configs() -> frozenset[str]:
    """The conversions OpenCC ships (its .json configurations), without importing it."""
    spec = importlib.util.find_spec("opencc")
    if spec is None or spec.origin is None:
        return frozenset()
    return frozenset(p.stem for p in Path(spec.origin).parent.rglob("*.json"))


def project_config(project: Path | None) -> ProjectConfig:
    """The configuration for an explicit project folder, or the one around the working directory."""
    return load_config(project if project is not None else find_root(Path.cwd()))
