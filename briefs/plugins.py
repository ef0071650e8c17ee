"""Extension points: output formats (renderers), compliance rules, jurisdictions' rule packs,
checks and theme folders.

One :class:`Registry` per process, filled from the Python entry points of the group
``briefs.plugins``: each names a callable ``register(registry)``. The built-ins (HTML and PDF,
the house's compliance rules, the mainland-china and hong-kong rule packs, the glyph and
fidelity checks) come in through the same door, from
the ``builtin`` entry point of briefs' own distribution (:mod:`briefs.builtins`); a house adds
its own from its own package, without editing briefs::

    [project.entry-points."briefs.plugins"]
    house = "house_briefs:register"

A plugin that cannot be imported, whose ``register`` raises, or that registers a name already
taken is a :class:`PluginError` naming the entry point (one line, exit status 1 on the command
line). This module imports nothing heavy: the registry is read when a build or check needs it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar, runtime_checkable

from briefs.errors import BriefsError, Diagnostic, SourceLocation

if TYPE_CHECKING:
    import importlib.metadata

    from briefs.load.loaded import Library, Project
    from briefs.localize.brief import LocalizedBrief
    from briefs.localize.i18n import Edition
    from briefs.model import brief as m
    from briefs.model import library_records as lib
    from briefs.project.config import ProjectConfig
    from briefs.source.yamlsource import KeyPath, YamlDocument

GROUP = "briefs.plugins"
_T = TypeVar("_T")


class PluginError(BriefsError):
    """A plugin could not be loaded or registered something wrong."""

    category = "plugin"


# ----------------------------------------------------------------------------- output formats


@dataclass(frozen=True)
class RenderedDocument:
    """One brief in one language, rendered to HTML: what every output format starts from."""

    brief_id: str
    lang: str
    edition: Edition
    brief: LocalizedBrief
    html: str
    folder: Path  # the brief's own folder (its pictures and data files)
    source: Path  # its brief.yaml
    created: dt.datetime  # the document's creation time (from the brief's date)
    attachments: tuple[tuple[str, bytes], ...]  # the files it was built from, as read
    config: ProjectConfig


@runtime_checkable
class Renderer(Protocol):
    """An output format, written as ``<id>/<id>.<lang>.<suffix>``.

    ``render`` runs in the build's own process. A renderer with ``remote = True`` (the built-in
    PDF) is instead rendered by the build's executor: warm worker processes or a Dask cluster.
    ``version`` is part of each output's key: change it when the renderer's output changes.
    """

    name: str
    suffix: str

    def render(self, document: RenderedDocument) -> bytes:
        """The output file's bytes."""
        ...


def is_remote(renderer: Renderer) -> bool:
    """Whether the executor (worker processes or Dask), not the build process, renders it."""
    return bool(getattr(renderer, "remote", False))


def shows_images(renderer: Renderer) -> bool:
    """Whether the pictures a brief shows are published beside this format's files (HTML)."""
    return bool(getattr(renderer, "images", False))


def version_of(renderer: Renderer) -> str:
    """The renderer's own version string (empty if it declares none)."""
    return str(getattr(renderer, "version", ""))


# ----------------------------------------------------------------------------- compliance rules


@dataclass(frozen=True)
class BriefUnderReview:
    """What a compliance rule looks at: one validated brief, as read, with the shared library.

    ``kind`` is None when the brief names an unknown kind (already reported). ``files`` are
    the files the brief is built from (brief.yaml, Markdown bodies, data files), known once it
    has loaded: given to ``release`` checks, empty for ``check``."""

    brief: m.Brief
    kind: lib.Kind | None
    library: Library
    document: YamlDocument
    files: tuple[Path, ...] = ()

    @property
    def path(self) -> Path:
        """The brief's brief.yaml."""
        return self.document.path

    def at(self, *key_path: str | int) -> SourceLocation:
        """The place of a key in brief.yaml, e.g. ``review.at("title", "en")``."""
        keys: KeyPath = tuple(key_path)
        return self.document.location(keys)


RuleCheck = Callable[[BriefUnderReview], Iterable[Diagnostic]]
RuleVerify = Callable[[str, "LocalizedBrief", Path], Iterable[Diagnostic]]


@dataclass(frozen=True)
class Rule:
    """A compliance rule: ``check`` on each brief as it is loaded (``briefs check`` and every
    build), and optionally ``verify`` on each rendered HTML page (html, the localized brief,
    the brief.yaml), so that no template can drop what the rule requires. ``release`` runs only
    when a brief is released (``briefs build --final`` and ``briefs distribute``): its findings
    refuse the release, while drafts build (the placeholders rule)."""

    name: str
    check: RuleCheck | None = None
    verify: RuleVerify | None = None
    release: RuleCheck | None = None


# ----------------------------------------------------------------------------- rule packs


@dataclass(frozen=True)
class Requirement:
    """One element a rule pack requires on a rendered page: every one of ``texts`` is in the
    page's text (white space aside). No texts: the brief has nothing to print it from, which
    fails too."""

    rule: str  # the element's name, e.g. "sfc-licensed-entity"; messages say "<pack>/<rule>"
    what: str  # what it is, in words: "the SFC-licensed entity statement"
    texts: tuple[str, ...]


@dataclass(frozen=True)
class PageUnderReview:
    """What a rule pack looks at: one rendered page (its text), the brief as printed, its kind
    and the jurisdiction its edition is published in."""

    lang: str
    text: str  # the page's text as a reader gets it, white space collapsed
    brief: LocalizedBrief
    kind: lib.Kind
    jurisdiction: lib.Jurisdiction
    edition: Edition

    def words(self, text: dict[str, str]) -> str:
        """A shared text (the jurisdiction's entity, a heading) in this page's edition."""
        return self.edition.text(text)

    def heading(self, element: str) -> str:
        """The words the jurisdiction gives for one element of its pack (``headings:``)."""
        return self.words(self.jurisdiction.headings[element])


PackRequirements = Callable[[PageUnderReview], Iterable[Requirement]]


@dataclass(frozen=True)
class Pack:
    """A jurisdiction's compliance rule pack: the elements every rendered page of its editions
    must show. ``headings`` are the elements whose words the jurisdiction's record gives
    (jurisdictions.yaml ``headings:``), checked when the project is loaded."""

    name: str
    requirements: PackRequirements
    headings: tuple[str, ...] = ()


# ----------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class CheckInput:
    """What a check looks at: the loaded project, the paths asked for and the editions."""

    project: Project
    paths: tuple[Path, ...]
    langs: tuple[str, ...]
    editions: tuple[Edition, ...]


@dataclass(frozen=True)
class Check:
    """A check of ``briefs check``: returns its findings (warnings or errors). ``in_build``
    checks also run during a build, their findings reported as the build's warnings."""

    name: str
    run: Callable[[CheckInput], Iterable[Diagnostic]]
    in_build: bool = False


# ----------------------------------------------------------------------------- the registry


class Registry:
    """Everything the installed plugins (the built-ins first) registered, by name, in order."""

    def __init__(self) -> None:
        self.formats: dict[str, Renderer] = {}
        self.rules: dict[str, Rule] = {}
        self.checks: dict[str, Check] = {}
        self.packs: dict[str, Pack] = {}
        self._themes: list[Path] = []
        self._registering = "briefs"

    @property
    def themes(self) -> tuple[Path, ...]:
        """Theme folders the plugins ship, searched after the project's templates/ and before
        the package's own theme."""
        return tuple(self._themes)

    def add_format(self, renderer: Renderer) -> None:
        """Register an output format (see :class:`Renderer`)."""
        name, suffix = getattr(renderer, "name", None), getattr(renderer, "suffix", None)
        if not isinstance(name, str) or not isinstance(suffix, str) or not callable(getattr(renderer, "render", None)):
            raise TypeError("an output format needs a name, a suffix and a render method")
        if not name.isidentifier() or not all(part.isalnum() for part in suffix.split(".")):
            raise ValueError(f"format {name!r}: name and suffix must be plain words (a suffix may join them with dots)")
        if is_remote(renderer) and self._registering != "briefs":
            raise ValueError(f"format {name!r}: only the built-in PDF renders on the workers")
        taken = {r.suffix for r in self.formats.values()} | {"json", "yaml", "md"}
        if suffix in taken:
            raise ValueError(f"format {name!r}: suffix {suffix!r} is already written by another format")
        self._add(self.formats, "output format", name, renderer)

    def add_rule(
        self,
        name: str,
        check: RuleCheck | None = None,
        verify: RuleVerify | None = None,
        release: RuleCheck | None = None,
    ) -> None:
        """Register a compliance rule (see :class:`Rule`)."""
        if check is None and verify is None and release is None:
            raise ValueError(f"compliance rule {name!r} needs a check, verify or release function")
        self._add(self.rules, "compliance rule", name, Rule(name, check, verify, release))

    def add_pack(self, name: str, requirements: PackRequirements, *, headings: Sequence[str] = ()) -> None:
        """Register a jurisdiction's rule pack (see :class:`Pack`), named by jurisdictions.yaml."""
        if not callable(requirements):
            raise TypeError(f"rule pack {name!r} needs a function returning its requirements")
        self._add(self.packs, "rule pack", name, Pack(name, requirements, tuple(headings)))

    def add_check(
        self, name: str, run: Callable[[CheckInput], Iterable[Diagnostic]], *, in_build: bool = False
    ) -> None:
        """Register a check (see :class:`Check`)."""
        self._add(self.checks, "check", name, Check(name, run, in_build))

    def add_theme(self, folder: Path) -> None:
        """Register a theme folder (templates, partials, CSS) shipped by a plugin."""
        self._themes.append(Path(folder))

    def _add(self, table: dict[str, _T], what: str, name: str, value: _T) -> None:
        if name in table:
            raise ValueError(f"{what} {name!r} is already registered")
        table[name] = value


def _failure(entry: importlib.metadata.EntryPoint, problem: str) -> PluginError:
    return PluginError(Diagnostic(SourceLocation(Path(GROUP)), f"plugin '{entry.name}' ({entry.value}): {problem}"))


def load_registry(entries: Sequence[importlib.metadata.EntryPoint] | None = None) -> Registry:
    """A registry filled by every entry point of the group (briefs' own first, then by name)."""
    import importlib.metadata

    found = list(importlib.metadata.entry_points(group=GROUP)) if entries is None else list(entries)
    own = [e for e in found if e.value.split(":")[0].split(".")[0] == "briefs"]
    if not own and entries is None:  # briefs run from a checkout without its metadata (no pip
        # install): its own entry point, as pyproject.toml declares it
        own = [importlib.metadata.EntryPoint("builtin", "briefs.builtins:register", GROUP)]
        found = [*own, *found]
    names = [e.name for e in found]
    registry = Registry()
    for entry in [*own, *sorted((e for e in found if e not in own), key=lambda e: e.name)]:
        if names.count(entry.name) > 1:
            raise _failure(entry, "another installed plugin has the same name")
        registry._registering = "briefs" if entry in own else entry.name
        try:
            register = entry.load()
        except Exception as exc:  # noqa: BLE001 - any import problem of a plugin is the plugin's, reported as such
            raise _failure(entry, f"cannot be imported: {type(exc).__name__}: {exc}") from None
        try:
            register(registry)
        except Exception as exc:  # noqa: BLE001 - likewise: never a traceback for a plugin's mistake
            raise _failure(entry, f"register() failed: {type(exc).__name__}: {exc}") from None
    registry._registering = ""
    return registry


_REGISTRY: Registry | None = None


def registry() -> Registry:
    """The registry of this process (loaded on first use)."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = load_registry()
    return _REGISTRY


def renderers(formats: Sequence[str]) -> list[Renderer]:
    """The registered renderers among ``formats``, in registration order (HTML, PDF, plugins)."""
    return [r for name, r in registry().formats.items() if name in formats]


def unknown_format(formats: Sequence[str]) -> str | None:
    """A message for the first format that no plugin registered, if any."""
    known = registry().formats
    for name in formats:
        if name not in known:
            return f"unknown format {name!r}; choose from {', '.join(known)}"
    return None


def run_checks(given: CheckInput, *, in_build: bool = False) -> list[Diagnostic]:
    """The findings of every registered check; with ``in_build``, of those that also run
    during a build."""
    return [d for c in registry().checks.values() if c.in_build or not in_build for d in c.run(given)]


def render_here(renderer: Renderer, document: RenderedDocument) -> bytes | Diagnostic:
    """One output rendered in this process: its bytes, or why it failed. A plugin's mistake
    fails that file, located at its brief.yaml, and the build goes on with the others."""
    try:
        data: object = renderer.render(document)  # a plugin's render may return anything
    except BriefsError as exc:
        return exc.diagnostics[0]
    except Exception as exc:  # noqa: BLE001 - a plugin's bug: reported at the brief, not as a traceback
        return Diagnostic(
            SourceLocation(document.source),
            f"the {renderer.name} output of {document.lang} failed: {type(exc).__name__}: {exc}",
        )
    if not isinstance(data, bytes):
        return Diagnostic(
            SourceLocation(document.source), f"the {renderer.name} format returned {type(data).__name__}, not bytes"
        )
    return data
