"""What a localized brief is made of: each part as printed in one language (display strings and
``Markup``), built by :mod:`briefs.localize.brief` and read by the templates."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from briefs.exhibits.numbering import CHAIN_ANCHOR
from briefs.exhibits.views import ExhibitView


@dataclass(frozen=True)
class PersonView:
    """An analyst or contact as printed."""

    id: str
    name: str
    alt_name: str
    role: str
    licence: str | None
    email: str
    phone: str | None
    bio: Markup | None


@dataclass(frozen=True)
class RatingView:
    """The brief's rating as printed."""

    scale_id: str
    scale_name: str
    value_id: str
    label: str
    change: str | None
    definition: str
    previous: str | None = None  # the rating it replaces (company notes)
    heading: str = ""  # the genre's label before the value: 行业评级 / Industry rating
    action: str | None = None  # the change as it follows the value: （维持） / (maintained)
    benchmark: str | None = None  # the index the rating is relative to, named in the box


@dataclass(frozen=True)
class SectionView:
    """A body section."""

    id: str
    heading: str
    html: Markup
    exhibits: tuple[ExhibitView, ...] = ()  # numbered charts and tables placed after the section


@dataclass(frozen=True)
class CompanyView:
    """A company line."""

    name: str
    ticker: str | None


@dataclass(frozen=True)
class GroupView:
    """Companies of one segment."""

    label: str
    segment_id: str | None
    companies: tuple[CompanyView, ...]


@dataclass(frozen=True)
class TitledText:
    """A heading with Markdown body (risks, disclaimers)."""

    id: str
    title: str
    html: Markup
    version: str | None = None


@dataclass(frozen=True)
class SegmentView:
    """A beneficiary segment; ``href`` points at its row of the companies table when there is one."""

    id: str
    label: str
    href: str | None = None

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class StageView:
    """A stage of the thesis chain."""

    id: str
    label: str
    current: bool
    narrative: Markup
    segments: tuple[SegmentView, ...]


@dataclass(frozen=True)
class ChainView:
    """The thesis chain with the brief's current stage marked."""

    id: str
    title: str
    stages: tuple[StageView, ...]
    anchor: str = CHAIN_ANCHOR  # the numbered figure's HTML id
    label: str = ""  # 图3 / Figure 3

    @property
    def current(self) -> StageView:
        """The stage the brief says we are in."""
        return next(s for s in self.stages if s.current)


@dataclass(frozen=True)
class DatedText:
    """A related report."""

    title: str
    date: str
    date_iso: str


@dataclass(frozen=True)
class SourceView:
    """A source as listed: its number (order of first citation), anchor, text, link, and the
    anchors of its citations in this edition (the links back)."""

    number: int
    anchor: str
    text: str
    url: str | None
    back: tuple[str, ...] = ()


@dataclass(frozen=True)
class BenchmarkView:
    """A market and its benchmark index."""

    market: str
    index: str


@dataclass(frozen=True)
class HouseView:
    """The house in one language."""

    name: str
    short_name: str
    research_unit: str
    qualification: str
    address: str
    website: str
    cjk_latin_spacing: str = "none"  # house.yaml: none or quarter (render/typography.py)
