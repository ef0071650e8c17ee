"""The house's built-in compliance rules, registered like any plugin's (:mod:`briefs.builtins`).

Each ``check_*`` looks at one brief as loaded and returns its diagnostics, located in brief.yaml;
``verify_mandatory_blocks`` looks at a rendered page. How rules are run: :func:`review` (at
load) and :func:`verify` (on each rendered HTML page).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from briefs.errors import ComplianceError, Diagnostic, SourceLocation

if TYPE_CHECKING:
    from briefs.localize.brief import LocalizedBrief
    from briefs.plugins import BriefUnderReview


def suggest(name: str, known: Iterable[str]) -> str:
    """ "; did you mean 'x'?" for a close choice, else " (known: …)"."""
    known = sorted(known)
    same = [k for k in known if k.casefold() == name.casefold()]  # only the case differs
    if same:
        return f"; did you mean '{same[0]}'? (names are case-sensitive)"
    close = difflib.get_close_matches(name, known, n=1)
    return f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(known)})"


def check_rating(review: BriefUnderReview) -> list[Diagnostic]:
    """A rating where the kind requires one, none where it forbids one, on the kind's scale."""
    brief, kind, lib = review.brief, review.kind, review.library
    if kind is None:
        return []
    if brief.rating is None:
        if kind.rating == "required":
            return [Diagnostic(review.at(), f"a brief of kind '{kind.id}' needs a 'rating'")]
        return []
    if kind.rating == "forbidden":
        return [Diagnostic(review.at("rating"), f"a brief of kind '{kind.id}' cannot carry a rating")]
    scale = lib.ratings.scale(brief.rating.scale)
    if scale is None:
        known = [s.id for s in lib.ratings.scales]
        return [
            Diagnostic(
                review.at("rating", "scale"),
                f"unknown rating scale '{brief.rating.scale}'{suggest(brief.rating.scale, known)}",
            )
        ]
    found = []
    if kind.rating_scale and kind.rating_scale != scale.id:
        found.append(
            Diagnostic(
                review.at("rating", "scale"), f"a brief of kind '{kind.id}' is rated on the '{kind.rating_scale}' scale"
            )
        )
    if scale.value(brief.rating.value) is None:
        values = ", ".join(v.id for v in scale.values)
        found.append(
            Diagnostic(
                review.at("rating", "value"),
                f"rating '{brief.rating.value}' is not on the '{scale.id}' scale ({values})",
            )
        )
    return found


def check_signing_analysts(review: BriefUnderReview) -> list[Diagnostic]:
    """A kind that requires signing analysts gets at least one."""
    kind = review.kind
    if kind is not None and kind.analysts_required and not review.brief.analysts:
        return [Diagnostic(review.at("analysts"), f"a brief of kind '{kind.id}' needs at least one signing analyst")]
    return []


def check_approval(review: BriefUnderReview) -> list[Diagnostic]:
    """The approver is a known compliance reviewer (so never an author) who signed before release."""
    brief, lib = review.brief, review.library
    approval = brief.approval
    if approval is None:
        return []
    found = []
    person = lib.analyst(approval.by)
    where = review.at("approval", "by")
    reviewers = [a.id for a in lib.analysts.analysts if a.role == "compliance"]
    if person is None:
        found.append(Diagnostic(where, f"unknown reviewer '{approval.by}'{suggest(approval.by, reviewers)}"))
    elif person.role != "compliance":
        found.append(
            Diagnostic(
                where, f"'{approval.by}' has role '{person.role}'; only a 'compliance' person can approve a brief"
            )
        )
    if approval.date > brief.date:
        found.append(
            Diagnostic(
                review.at("approval", "date"),
                f"approved on {approval.date.isoformat()}, after the report date "
                f"{brief.date.isoformat()}: a brief is approved before it is released",
            )
        )
    return found


def verify_mandatory_blocks(html: str, brief: LocalizedBrief, source: Path) -> list[Diagnostic]:
    """Every disclaimer of the brief's kind, and the rating definitions of a rated brief, are in
    the rendered page: an overridden template cannot drop them without failing the build."""
    required = [f'id="disclaimer-{d.id}"' for d in brief.disclaimers]
    if brief.rating_definitions:
        required.append('id="rating-definitions"')
    where = SourceLocation(Path(str(source)), 1, 1)
    return [
        Diagnostic(where, f"{brief.lang} output lacks mandatory block {marker.split('=')[1]}")
        for marker in required
        if marker not in html
    ]


def review(under_review: BriefUnderReview) -> list[Diagnostic]:
    """Every registered rule's findings on one brief, rule by rule."""
    from briefs.plugins import registry

    return [d for rule in registry().rules.values() if rule.check is not None for d in rule.check(under_review)]


def release_review(under_review: BriefUnderReview) -> list[Diagnostic]:
    """Every registered rule's release findings on one brief (``build --final``, ``distribute``)."""
    from briefs.plugins import registry

    return [d for rule in registry().rules.values() if rule.release is not None for d in rule.release(under_review)]


def verify(html: str, brief: LocalizedBrief, source: Path) -> None:
    """Run every registered rule's verification of a rendered page; raise if any finds a problem
    (the built-in one: every mandatory block of its kind is there, :func:`verify_mandatory_blocks`).

    Templates are trusted but can be overridden; this check makes sure an override cannot drop the
    analyst certification, a disclaimer or the rating definitions without failing the build.
    """
    from briefs.plugins import registry

    found = [
        d for rule in registry().rules.values() if rule.verify is not None for d in rule.verify(html, brief, source)
    ]
    if found:
        raise ComplianceError(found)
