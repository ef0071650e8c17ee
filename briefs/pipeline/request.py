"""A build request: what to build (briefs, languages, formats), where, and how (force, final,
workers, limits), checked before anything is loaded, with the fingerprint of all its inputs.

Cheap to make (no brief is parsed, nothing heavy imported), so that :func:`briefs.build` can
answer "nothing changed" (:meth:`BuildRequest.unchanged`) without importing the renderers, and
the pipeline runs the same request without asking again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefs.errors import ContentError
from briefs.pipeline.incremental import Manifest, Scope, scope_of, up_to_date
from briefs.pipeline.inputcache import InputHashes
from briefs.pipeline.workers import DEFAULT_MEMORY, DEFAULT_TIMEOUT
from briefs.portal.state import portal_current
from briefs.project.config import ProjectConfig
from briefs.render.theme import theme_of


@dataclass(frozen=True)
class BuildRequest:
    """One build: its selection, its output folder (resolved and checked), its manifest scope
    (the fingerprint of every input, taken once) and its options."""

    config: ProjectConfig
    paths: tuple[Path, ...]
    langs: tuple[str, ...]
    formats: tuple[str, ...]
    out: Path
    scope: Scope
    force: bool = False
    final: bool = False  # refuse the whole build if a selected brief lacks compliance approval
    jobs: int = 1
    timeout: float = DEFAULT_TIMEOUT
    memory_limit: int | None = DEFAULT_MEMORY
    scheduler: str | None = None  # a Dask cluster's address: PDFs render there
    portal: bool = True  # update the portal (index, feeds, search) after the briefs; serve defers it
    hashes: InputHashes | None = None  # the input files' hashes, remembered by their stat

    def unchanged(self) -> list[Path] | None:
        """The outputs of the last complete build of this request, if nothing changed since
        (never with ``force`` or ``final``), and the portal is as written; else None. The one
        "nothing changed" check."""
        if self.force or self.final:
            return None
        current = up_to_date(Manifest.load(self.out), self.scope)
        if self.hashes is not None:
            self.hashes.save()
        portal_ok = not self.portal or portal_current(self.out, self.final)
        return current if current is not None and portal_ok else None


def build_request(
    config: ProjectConfig,
    paths: Sequence[Path] = (),
    langs: Sequence[str] | None = None,
    formats: Sequence[str] = ("html", "pdf"),
    out: Path | None = None,
    *,
    force: bool = False,
    final: bool = False,
    jobs: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
    memory_limit: int | None = DEFAULT_MEMORY,
    scheduler: str | None = None,
    portal: bool = True,
) -> BuildRequest:
    """The request, checked: an unknown language or an output folder among the inputs is a
    located error before anything else."""
    chosen_langs = tuple(langs or config.languages)
    for lang in chosen_langs:
        known_language(config, lang)
    folder = output_folder(config, out)
    hashes = InputHashes(folder)
    return BuildRequest(
        config,
        tuple(paths),
        chosen_langs,
        tuple(formats),
        folder,
        scope_of(config, paths, chosen_langs, formats, hashes),
        force,
        final,
        jobs,
        timeout,
        memory_limit,
        scheduler,
        portal,
        hashes,
    )


def known_language(config: ProjectConfig, lang: str) -> None:
    """A located error unless ``lang`` is one of the project's editions (its own languages and
    those it derives)."""
    if lang not in config.languages and config.derivation(lang) is None:
        raise ContentError.at(
            config.root / "pyproject.toml",
            0,
            0,
            f"language '{lang}' is not one of the project's editions ({', '.join(config.editions)})",
        )


def output_folder(config: ProjectConfig, out: Path | None = None) -> Path:
    """The output folder (``out``, else the configured one), resolved; a located error if it
    holds or sits in content/ or templates/: its files would count as inputs (every build would
    see a change) or the inputs as outputs (a watch would never see one)."""
    folder = (out or config.output).resolve()
    for inputs in (
        config.content.resolve(),
        config.templates.resolve(),
        *(f.resolve() for f in theme_of(config).folders),
    ):
        if folder.is_relative_to(inputs) or inputs.is_relative_to(folder):
            where = Path("--out") if out is not None else config.root / "pyproject.toml"
            raise ContentError.at(
                where,
                0,
                0,
                f"the output folder {folder} must be outside {inputs} and must not contain it; choose another folder",
            )
    return folder
