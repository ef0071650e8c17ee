"""What loading produces (:mod:`briefs.load.project`): the shared library, each loaded brief with its
Markdown sources, exhibits and pictures, and the project; frozen records every later stage reads.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefs.errors import SourceLocation
from briefs.exhibits.company_data import CompanyData
from briefs.exhibits.numbering import ExhibitData
from briefs.exhibits.picks import PicksData
from briefs.ledger.records import Ledger
from briefs.model import brief as m
from briefs.model import library_records as lib
from briefs.model.conflicts import ConflictsFile
from briefs.project.config import ProjectConfig
from briefs.project.languages import LANGUAGES
from briefs.source.yamlsource import KeyPath, YamlDocument

if TYPE_CHECKING:
    from briefs.localize.phrases import PhraseTable


@dataclass(frozen=True)
class MarkdownSource:
    """Markdown text with the place its first line came from (for located diagnostics)."""

    text: str
    origin: SourceLocation

    @classmethod
    def in_yaml(cls, doc: YamlDocument, key_path: KeyPath, text: str) -> MarkdownSource:
        """A Markdown text written in YAML: a block scalar's text starts on the line after its key."""
        where = doc.location(key_path)
        if "\n" in text:
            where = SourceLocation(doc.path, where.line + 1, 1)
        return cls(text, where)

    def at_line(self, offset: int) -> SourceLocation:
        """The location of the text's 0-based line ``offset``."""
        if not offset:
            return self.origin
        return SourceLocation(self.origin.path, self.origin.line + offset, 1)


@dataclass(frozen=True)
class Library:
    """Shared, compliance-owned content every brief draws on."""

    house: lib.House
    analysts: lib.AnalystList
    ratings: lib.Ratings
    disclaimers: lib.DisclaimerList
    kinds: lib.KindList
    risks: lib.RiskList
    chains: lib.ChainList
    files: dict[str, Path]
    docs: dict[str, YamlDocument] = dataclasses.field(default_factory=dict)  # as read, for locating texts
    jurisdictions: lib.JurisdictionList | None = None  # jurisdictions.yaml, when the project has one
    phrases: dict[str, PhraseTable] = dataclasses.field(default_factory=dict)  # phrases.yaml, per edition
    conflicts: ConflictsFile | None = None  # conflicts.yaml, when the project has one

    def analyst(self, analyst_id: str) -> lib.Analyst | None:
        """The analyst with that id, if any."""
        return next((a for a in self.analysts.analysts if a.id == analyst_id), None)

    def kind(self, kind_id: str) -> lib.Kind | None:
        """The kind with that id, if any."""
        return next((k for k in self.kinds.kinds if k.id == kind_id), None)

    def disclaimer(self, disclaimer_id: str) -> lib.Disclaimer | None:
        """The disclaimer with that id, if any."""
        return next((d for d in self.disclaimers.disclaimers if d.id == disclaimer_id), None)

    def jurisdiction(self, lang: str) -> lib.Jurisdiction | None:
        """The jurisdiction an edition in ``lang`` is published in (the language table says
        which), if the project describes it in jurisdictions.yaml."""
        if self.jurisdictions is None or lang not in LANGUAGES:
            return None
        wanted = LANGUAGES[lang].jurisdiction
        return next((j for j in self.jurisdictions.jurisdictions if j.id == wanted), None)

    def disclaimer_ids(self, kind: lib.Kind, lang: str) -> tuple[str, ...]:
        """The disclaimers an edition of a brief of ``kind`` carries: the kind's, each replaced
        by its jurisdiction's own texts where that says so (each printed once)."""
        place = self.jurisdiction(lang)
        swap = place.disclaimers if place is not None else {}
        return tuple(dict.fromkeys(ref for own in kind.disclaimers for ref in swap.get(own, [own])))

    def risk(self, risk_id: str) -> lib.Risk | None:
        """The library risk with that id, if any."""
        return next((r for r in self.risks.risks if r.id == risk_id), None)

    def chain(self, chain_id: str) -> lib.Chain | None:
        """The chain with that id, if any."""
        return next((c for c in self.chains.chains if c.id == chain_id), None)


@dataclass(frozen=True)
class LoadedBrief:
    """A validated brief with its Markdown bodies resolved and the files it was read from."""

    brief: m.Brief
    path: Path
    bodies: dict[tuple[str, str], MarkdownSource]
    files: tuple[Path, ...]
    exhibits: dict[str, ExhibitData] = dataclasses.field(default_factory=dict)  # typed data per exhibit id
    doc: YamlDocument | None = None  # brief.yaml as read, for locating texts
    assets: tuple[Path, ...] = ()  # images its Markdown shows (files in its folder)
    company: CompanyData | None = None  # a company note's estimates and prices (from its data files)
    picks: PicksData | None = None  # rated picks of its companies table (from their data file)

    @property
    def folder(self) -> Path:
        """The brief's own folder (the only place its files may come from)."""
        return self.path.parent


@dataclass(frozen=True)
class Project:
    """Everything loaded: configuration, shared library and the selected briefs."""

    config: ProjectConfig
    library: Library
    briefs: tuple[LoadedBrief, ...]
    ledger: Ledger = dataclasses.field(
        default_factory=Ledger
    )  # every approved recommendation of the project (briefs.ledger)
