"""Stage 1 (load + resolve): discover content, validate YAML into the model, check every reference.

All problems of a run are collected and raised once, each at ``path:line:col``.
The checks on the briefs' Markdown (links, images) are in :mod:`briefs.load.markdown_checks`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from briefs.compliance.approvals import approval_location, bind_approvals, unbound_reason
from briefs.compliance.conflicts import conflicts_file_problems
from briefs.compliance.jurisdictions import jurisdiction_problems
from briefs.compliance.rules import release_review, review, suggest
from briefs.errors import BriefsError, ContentError, Diagnostic, Diagnostics, SourceLocation
from briefs.exhibits.company_data import resolve_company
from briefs.exhibits.numbering import resolve_exhibits
from briefs.exhibits.picks import resolve_picks
from briefs.ledger.build import build_ledger, previous_problems, shared_ledger
from briefs.ledger.records import Ledger
from briefs.load.citation_checks import check_citations, shared_text_citations
from briefs.load.discover import discover
from briefs.load.loaded import Library, LoadedBrief, MarkdownSource, Project
from briefs.load.markdown_checks import check_links, check_markdown
from briefs.localize.phrases import load_phrases
from briefs.model import brief as m
from briefs.model import library_records as lib
from briefs.model.conflicts import ConflictsFile
from briefs.model.validation import validate
from briefs.pipeline.limits import Budget
from briefs.plugins import BriefUnderReview
from briefs.project.config import ProjectConfig
from briefs.render.markdown import shown_url
from briefs.render.theme import kind_template_problems, theme_of
from briefs.source.texts import markdown_texts
from briefs.source.yamlsource import YamlDocument, cached_yaml, locate, read_text

log = logging.getLogger(__name__)
_suggest = suggest  # (the compliance rules word their suggestions the same way)

SHARED_FILES = {
    "house": ("house.yaml", lib.House),
    "analysts": ("analysts.yaml", lib.AnalystList),
    "ratings": ("ratings.yaml", lib.Ratings),
    "disclaimers": ("disclaimers.yaml", lib.DisclaimerList),
    "kinds": ("kinds.yaml", lib.KindList),
    "risks": ("risks.yaml", lib.RiskList),
    "chains": ("chains.yaml", lib.ChainList),
}
# Read when the project has them: which rule pack and disclaimers each jurisdiction's editions get.
# conflicts.yaml: the firm's interests in the securities briefs name (briefs.model.conflicts).
OPTIONAL_SHARED_FILES = {
    "jurisdictions": ("jurisdictions.yaml", lib.JurisdictionList),
    "conflicts": ("conflicts.yaml", ConflictsFile),
}


# ----------------------------------------------------------------------------- shared content


def shared_files(config: ProjectConfig) -> dict[str, tuple[str, type[Any]]]:
    """The shared files to read: every required one, and the optional ones the project has."""
    present = {
        name: spec
        for name, spec in OPTIONAL_SHARED_FILES.items()
        if (config.shared / spec[0]).exists() or (config.shared / spec[0]).is_symlink()
    }
    return {**SHARED_FILES, **present}


def load_library(config: ProjectConfig) -> Library:
    """Load and cross-check ``content/_shared``."""
    diags = Diagnostics()
    loaded: dict[str, Any] = {}
    docs: dict[str, YamlDocument] = {}
    for name, (filename, schema) in shared_files(config).items():
        path = config.shared / filename
        try:
            docs[name] = cached_yaml(path)
        except BriefsError as exc:
            diags.extend(exc.diagnostics)
            continue
        loaded[name] = validate(docs[name], schema, config.languages, diags)
    try:
        phrases = load_phrases(config.shared)
    except BriefsError as exc:
        diags.extend(exc.diagnostics)
    diags.raise_if_errors()
    for doc in docs.values():
        for key_path, text in markdown_texts(doc):  # no brief folder: no images, anchors unchecked
            check_markdown(MarkdownSource.in_yaml(doc, key_path, text), diags)
        shared_text_citations(doc, diags)
    files = {n: config.shared / f for n, (f, _) in shared_files(config).items()}
    library = Library(**loaded, files=files, docs=docs, phrases=phrases)
    _check_kinds(library, docs["kinds"], diags)
    if library.jurisdictions is not None:
        known = [d.id for d in library.disclaimers.disclaimers]
        diags.extend(jurisdiction_problems(library.jurisdictions, known, config.editions, docs["jurisdictions"]))
    if library.conflicts is not None:
        people = [a.id for a in library.analysts.analysts]
        diags.extend(conflicts_file_problems(library.conflicts, docs["conflicts"], people))
    diags.extend(
        kind_template_problems(
            theme_of(config),
            [
                (kind.template, docs["kinds"].location(("kinds", i, "template")))
                for i, kind in enumerate(library.kinds.kinds)
            ],
        )
    )
    diags.raise_if_errors()
    return library


def _check_kinds(library: Library, doc: YamlDocument, diags: Diagnostics) -> None:
    known_disclaimers = [d.id for d in library.disclaimers.disclaimers]
    for i, kind in enumerate(library.kinds.kinds):
        for j, ref in enumerate(kind.disclaimers):
            if library.disclaimer(ref) is None:
                diags.error(
                    doc.location(("kinds", i, "disclaimers", j)),
                    f"unknown disclaimer '{ref}'{_suggest(ref, known_disclaimers)}",
                )
        if kind.rating_scale and library.ratings.scale(kind.rating_scale) is None:
            diags.error(doc.location(("kinds", i, "rating_scale")), f"unknown rating scale '{kind.rating_scale}'")


# ----------------------------------------------------------------------------- briefs


class Remembered(Protocol):
    """Briefs loaded by earlier runs, by their inputs (:mod:`briefs.pipeline.loadcache`)."""

    def get(self, path: Path) -> LoadedBrief | None:
        """The brief at ``path`` as loaded (its approval bound) from the same inputs, if kept."""

    def put(self, path: Path, loaded: LoadedBrief) -> None:
        """Keep the brief just loaded from ``path``, its approval bound."""


def load_project(
    config: ProjectConfig,
    paths: Sequence[Path] = (),
    budget: Budget = Budget(),
    approvals: bool = True,
    remembered: Remembered | None = None,
) -> Project:
    """Load the library and the briefs; raise one :class:`ContentError` listing every problem.

    Each brief is loaded within ``budget`` (time and memory; :mod:`briefs.pipeline.limits`). A
    brief whose approval no longer covers its content is a draft again
    (:mod:`briefs.compliance.approvals`); ``approvals=False`` leaves that out (``briefs approve``
    reads the brief before it writes the record). With ``remembered``, a brief loaded and bound
    before from the same inputs is taken from there (both depend on the brief's inputs only: its
    folder, the shared files, the configuration), and the others are kept there."""
    if not config.content.is_dir():  # not a briefs project: one clear line, not a missing file each
        raise ContentError.at(
            config.content,
            0,
            0,
            "no content folder: run briefs inside a "
            "project (content/_shared/ and one folder per brief) or give --project",
        )
    library = load_library(config)
    diags = Diagnostics()
    briefs: list[LoadedBrief] = []
    files = discover(config, paths)
    if not files:
        raise ContentError.at(config.content, 0, 0, "no briefs found (expected <id>/brief.yaml)")
    remembered = remembered if approvals else None  # (what is kept is a brief with its approval bound)
    bound: set[Path] = set()  # taken from ``remembered``: loaded and bound by an earlier run
    for path in files:
        loaded = remembered.get(path) if remembered is not None else None
        if loaded is not None:
            bound.add(path)
        else:
            try:
                with budget.spent_on(path, "checking this brief"):
                    loaded = load_brief(path, library, config)
            except BriefsError as exc:
                diags.extend(exc.diagnostics)
                continue
        briefs.append(loaded)
    _check_unique_ids(briefs, diags)
    diags.raise_if_errors()
    shared = shared_ledger(config, library)  # approvals are checked against recommendations.yaml's entries
    project = Project(config, library, tuple(briefs), shared)
    if approvals:  # before the ledger: a brief changed since its approval is a draft, never a recommendation
        project = bind_approvals(project, bound)
    if remembered is not None:
        for loaded in project.briefs:
            if loaded.path not in bound:
                remembered.put(loaded.path, loaded)
    probe = _still_approved(config, library, shared) if approvals else None
    ledger = build_ledger(config, library, list(project.briefs), probe, shared)  # once per load
    diags.extend(d for d in previous_problems(ledger, project.briefs) if d.severity == "error")  # warnings: a check
    diags.raise_if_errors()
    return replace(project, ledger=ledger)


def _check_unique_ids(briefs: list[LoadedBrief], diags: Diagnostics) -> None:
    seen: dict[str, Path] = {}
    for loaded in briefs:
        folded = loaded.brief.id.casefold()
        if folded in seen:
            diags.error(
                SourceLocation(loaded.path, 1, 1), f"brief id '{loaded.brief.id}' is also used by {seen[folded]}"
            )
        seen[folded] = loaded.path


def _still_approved(config: ProjectConfig, library: Library, shared: Ledger) -> Callable[[Path], bool]:
    """For the ledger: whether a brief this load did not select is covered by its approval
    record (loaded in full for that: only company notes approved in their brief.yaml get here)."""

    def probe(path: Path) -> bool:
        try:
            loaded = load_brief(path, library, config)
            return unbound_reason(Project(config, library, (loaded,), shared), loaded) is None
        except BriefsError:
            return False

    return probe


def load_brief(path: Path, library: Library, config: ProjectConfig) -> LoadedBrief:
    """Load, validate and resolve one brief."""
    doc = cached_yaml(path)
    diags = Diagnostics()
    brief = validate(doc, m.Brief, config.languages, diags)
    diags.raise_if_errors()
    assert brief is not None
    _check_references(brief, doc, library, diags)
    diags.extend(review(BriefUnderReview(brief, library.kind(brief.kind), library, doc)))
    bodies, body_files = _resolve_bodies(brief, doc, diags)
    exhibits, data_files = resolve_exhibits(brief, doc, diags)
    company, company_files = resolve_company(brief, doc, diags)
    data_files += [f for f in company_files if f not in data_files]
    picks, picks_files = resolve_picks(brief, doc, library, diags)
    data_files += [f for f in picks_files if f not in data_files]
    assets = check_links(brief, doc, bodies, diags)
    check_citations(brief, doc, bodies, diags)
    diags.raise_if_errors()
    return LoadedBrief(brief, path, bodies, (path, *body_files, *data_files), exhibits, doc, assets, company, picks)


def _check_references(brief: m.Brief, doc: YamlDocument, lib: Library, diags: Diagnostics) -> None:
    if brief.id != doc.path.parent.name:
        diags.error(doc.location(("id",)), f"brief id '{brief.id}' must match its folder name '{doc.path.parent.name}'")
    kind = lib.kind(brief.kind)
    if kind is None:
        diags.error(
            doc.location(("kind",)),
            f"unknown kind '{brief.kind}'{_suggest(brief.kind, [k.id for k in lib.kinds.kinds])}",
        )
    people = [a.id for a in lib.analysts.analysts]
    for field, role in (("analysts", "analyst"), ("contacts", "contact")):
        for i, ref in enumerate(getattr(brief, field)):
            person = lib.analyst(ref)
            where = doc.location((field, i))
            if person is None:
                diags.error(where, f"unknown analyst '{ref}'{_suggest(ref, people)}")
            elif person.role != role:
                diags.error(where, f"'{ref}' has role '{person.role}' and cannot be listed under {field}")
    chain = None
    if brief.chain is not None:
        chain = lib.chain(brief.chain.id)
        if chain is None:
            diags.error(doc.location(("chain", "id")), f"unknown chain '{brief.chain.id}'")
        elif chain.stage(brief.chain.stage) is None:
            diags.error(
                doc.location(("chain", "stage")),
                f"unknown stage '{brief.chain.stage}'{_suggest(brief.chain.stage, [s.id for s in chain.stages])}",
            )
    for i, group in enumerate(brief.companies):
        if group.segment is None:
            continue
        where = doc.location(("companies", i, "segment"))
        if brief.chain is None:
            diags.error(where, "a 'segment' needs the brief's 'chain'; use 'label' instead")
        elif chain is not None and chain.segment(group.segment) is None:
            known = [s.id for st in chain.stages for s in st.segments]
            diags.error(where, f"unknown segment '{group.segment}'{_suggest(group.segment, known)}")
    for i, risk in enumerate(brief.risks):
        if isinstance(risk, str) and lib.risk(risk) is None:
            diags.error(
                doc.location(("risks", i)), f"unknown risk '{risk}'{_suggest(risk, [r.id for r in lib.risks.risks])}"
            )


def unapproved(briefs: Sequence[LoadedBrief]) -> list[Diagnostic]:
    """One error per draft (``briefs build --final``): a brief without a compliance approval, at
    its first line; one whose approval no longer covers its content (:func:`unbound_approvals`)."""
    return [
        Diagnostic(
            SourceLocation(b.path, 1, 1),
            f"brief '{b.brief.id}' is not approved: after compliance review run 'briefs approve "
            f"{b.brief.id} --by <compliance id>', or build without --final",
        )
        for b in briefs
        if b.brief.approval is None
    ] + unbound_approvals(briefs)


def unbound_approvals(briefs: Sequence[LoadedBrief]) -> list[Diagnostic]:
    """One error per brief whose approval no longer covers its content, at the approval, saying why."""
    return [
        Diagnostic(approval_location(b), f"brief '{b.brief.id}' is a draft again: {b.brief.approval_unbound}")
        for b in briefs
        if b.brief.approval_unbound is not None
    ]


def unreleasable(project: Project) -> list[Diagnostic]:
    """What the compliance rules' release checks refuse in the loaded briefs (``build --final``,
    ``distribute``): each problem once, though a shared file is looked at for every brief."""
    found: dict[Diagnostic, None] = {}
    library = project.library
    for b in project.briefs:
        doc = b.doc if b.doc is not None else cached_yaml(b.path)
        under_review = BriefUnderReview(b.brief, library.kind(b.brief.kind), library, doc, b.files)
        found.update(dict.fromkeys(release_review(under_review)))
    return list(found)


def _resolve_bodies(
    brief: m.Brief, doc: YamlDocument, diags: Diagnostics
) -> tuple[dict[tuple[str, str], MarkdownSource], list[Path]]:
    """Markdown of every section in every language it gives (own languages are guaranteed)."""
    bodies: dict[tuple[str, str], MarkdownSource] = {}
    files: list[Path] = []
    folder = doc.path.parent.resolve()
    for i, section in enumerate(brief.sections):
        for lang in section.body or section.body_file or {}:
            if section.body is not None:
                key_path = ("sections", i, "body", lang)
                bodies[(section.id, lang)] = MarkdownSource.in_yaml(doc, key_path, section.body[lang])
                continue
            assert section.body_file is not None
            where = doc.location(("sections", i, "body_file", lang))
            relative = section.body_file[lang].strip()
            located = locate(folder, relative)
            if located is None:
                diags.error(where, f"body_file '{shown_url(relative)}' is not a usable file name")
                continue
            target, inside, found = located
            if not inside:
                diags.error(where, f"body_file '{relative}' is outside the brief's folder")
                continue
            if target.suffix != ".md":
                diags.error(where, f"body_file '{relative}' must be a Markdown (.md) file")
                continue
            if not found:
                diags.error(where, f"body_file '{relative}' not found")
                continue
            try:
                text = read_text(target, inside=folder)  # the file opened must still be inside
            except BriefsError as exc:
                diags.extend(exc.diagnostics)
                continue
            if not text.strip():
                diags.error(SourceLocation(target, 1, 1), "Markdown file is empty")
            files.append(target)
            bodies[(section.id, lang)] = MarkdownSource(text, SourceLocation(target, 1, 1))
    return bodies, files
