"""What briefs itself registers, through its own ``briefs.plugins`` entry point (``builtin``):
the HTML and PDF formats and the RIXML sidecar, the house's compliance rules (company notes among them), the
jurisdictions' rule packs (mainland China, Hong Kong) and the glyph, fidelity, placeholder and
upside and conflicts checks.

Nothing heavy is imported here: each renderer and check imports its machinery when it runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from briefs.compliance import packs, rules
from briefs.pipeline.outputs import RIXML_SUFFIX

if TYPE_CHECKING:
    from briefs.errors import Diagnostic
    from briefs.plugins import BriefUnderReview, CheckInput, Registry, RenderedDocument


class HtmlRenderer:
    """The web page, with the pictures it shows beside it (published with the first language)."""

    name = "html"
    suffix = "html"
    images = True

    def render(self, document: RenderedDocument) -> bytes:
        """The page as UTF-8."""
        return document.html.encode("utf-8")


class PdfRenderer:
    """PDF/A-3 with the sources attached. Rendered by the build's executor (warm worker
    processes, or a Dask cluster); :meth:`render` renders one in this process."""

    name = "pdf"
    suffix = "pdf"
    remote = True

    def render(self, document: RenderedDocument) -> bytes:
        """The PDF of one document, rendered here (as a worker would)."""
        from briefs.errors import RenderError
        from briefs.pipeline import workers
        from briefs.render.theme import theme_of

        outcome = workers.render_task(
            workers.PdfTask(
                0,
                document.html,
                document.folder,
                (document.folder, *theme_of(document.config).folders),
                document.source,
                document.attachments,
                document.created,
                document.config.toc_min_pages,
            )
        )
        if outcome.pdf is None:
            assert outcome.error is not None
            raise RenderError(outcome.error)
        return outcome.pdf


class RixmlRenderer:
    """The RIXML 2.5 metadata sidecar of each document (opt-in: ``--format html,pdf,rixml``)."""

    name = "rixml"
    suffix = RIXML_SUFFIX
    version = "1"

    def render(self, document: RenderedDocument) -> bytes:
        """The sidecar's XML bytes."""
        from briefs.render.rixml import sidecar

        return sidecar(document)


def _glyphs(given: CheckInput) -> Iterable[Diagnostic]:
    from briefs.checks.glyphs import check_glyphs

    return check_glyphs(given.project, given.editions)


def _fidelity(given: CheckInput) -> Iterable[Diagnostic]:
    from briefs.checks.fidelity import check_fidelity

    return check_fidelity(given.project.config, given.paths, given.langs, given.project)


def _citations(given: CheckInput) -> Iterable[Diagnostic]:
    from briefs.checks.citations import check_citations

    return check_citations(given.project)


def _placeholders(given: CheckInput) -> Iterable[Diagnostic]:
    from briefs.compliance.placeholders import placeholder_warnings

    return placeholder_warnings(given)


def _refuse_placeholders(review: BriefUnderReview) -> Iterable[Diagnostic]:
    from briefs.compliance.placeholders import refuse_placeholders

    return refuse_placeholders(review)


def _company_note(review: BriefUnderReview) -> Iterable[Diagnostic]:
    from briefs.compliance.company import check_company

    return check_company(review)


def _upside(given: CheckInput) -> Iterable[Diagnostic]:
    from briefs.compliance.company import check_upside

    return check_upside(given)


def _picks_upside(given: CheckInput) -> Iterable[Diagnostic]:
    from briefs.exhibits.picks import check_picks_upside

    library = given.project.library
    return [d for loaded in given.project.briefs for d in check_picks_upside(loaded, library)]


def _ledger(given: CheckInput) -> Iterable[Diagnostic]:
    from briefs.ledger.build import previous_problems

    return [d for d in previous_problems(given.project.ledger, given.project.briefs) if d.severity == "warning"]


def _conflicts_subject(review: BriefUnderReview) -> Iterable[Diagnostic]:
    from briefs.compliance.conflicts import check_subject_entry

    return check_subject_entry(review)


def _conflicts(given: CheckInput) -> Iterable[Diagnostic]:
    from briefs.compliance.conflicts import check_conflicts

    return check_conflicts(given)


def register(registry: Registry) -> None:
    """Register briefs' own formats, rules and checks."""
    registry.add_format(HtmlRenderer())
    registry.add_format(PdfRenderer())
    registry.add_format(RixmlRenderer())
    registry.add_rule("rating", check=rules.check_rating)
    registry.add_rule("signing-analysts", check=rules.check_signing_analysts)
    registry.add_rule("approval", check=rules.check_approval)
    registry.add_rule("company-note", check=_company_note)
    registry.add_rule("conflicts-entry", check=_conflicts_subject)
    registry.add_rule("mandatory-blocks", verify=rules.verify_mandatory_blocks)
    registry.add_rule("placeholders", release=_refuse_placeholders)
    registry.add_pack(packs.MAINLAND, packs.mainland_china)
    registry.add_pack(packs.HONG_KONG, packs.hong_kong, headings=packs.HONG_KONG_HEADINGS)
    registry.add_check("glyphs", _glyphs, in_build=True)
    registry.add_check("fidelity", _fidelity)
    registry.add_check("citations", _citations, in_build=True)
    registry.add_check("placeholders", _placeholders, in_build=True)
    registry.add_check("upside", _upside, in_build=True)
    registry.add_check("picks-upside", _picks_upside, in_build=True)
    registry.add_check("ledger", _ledger, in_build=True)
    registry.add_check("conflicts", _conflicts, in_build=True)
