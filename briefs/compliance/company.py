"""The house's rules for company notes (kinds with ``company: true``; model in
:mod:`briefs.model.company`).

- :func:`check_company` (a rule, at load): a company note names its security, target price and
  reference price; its previous rating is on the scale; its exchange has a benchmark; other kinds
  carry none of these.
- :func:`check_upside` (a check of ``briefs check`` and every build): the implied upside,
  target / reference close − 1, must lie in the rating's band. The scale's bands are defined on
  the return relative to the benchmark; the check compares the *absolute* implied upside with
  them, as the house's rating policy does for a target price (the benchmark's own return is not
  forecast). A warning, so an error under ``--strict``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefs.compliance.ratings import upside_band
from briefs.compliance.rules import suggest
from briefs.errors import Diagnostic
from briefs.model.company import EXCHANGE_MARKETS, market_of

if TYPE_CHECKING:
    from briefs.load.loaded import Library
    from briefs.model import brief as m
    from briefs.plugins import BriefUnderReview, CheckInput

COMPANY_KEYS = ("security", "target_price", "price", "estimates", "price_history")
REQUIRED = ("security", "target_price", "price")


def check_company(review: BriefUnderReview) -> list[Diagnostic]:
    """A company note is complete and consistent; no other kind carries its keys."""
    brief, kind = review.brief, review.kind
    if kind is None:
        return []
    if not kind.company:
        companies = [k.id for k in review.library.kinds.kinds if k.company]
        return [
            Diagnostic(
                review.at(key),
                f"'{key}' belongs to a company note (kind {' or '.join(companies) or 'with company: true'}), "
                f"not to a brief of kind '{kind.id}'",
            )
            for key in COMPANY_KEYS
            if getattr(brief, key) is not None
        ]
    found = [
        Diagnostic(review.at(), f"a brief of kind '{kind.id}' needs '{key}'")
        for key in REQUIRED
        if getattr(brief, key) is None
    ]
    rating = brief.rating
    scale = review.library.ratings.scale(rating.scale) if rating is not None else None
    if rating is not None and rating.change is not None:
        found.append(
            Diagnostic(
                review.at("rating", "change"),
                "a company note gives the 'previous' rating (none for an initiation); the change follows from it",
            )
        )
    previous = rating.previous if rating is not None else None
    if scale is not None and previous is not None and scale.value(previous) is None:
        values = [v.id for v in scale.values]
        found.append(
            Diagnostic(
                review.at("rating", "previous"),
                f"previous rating '{previous}' is not on the '{scale.id}' scale{suggest(previous, values)}",
            )
        )
    if brief.security is not None and benchmark_of(brief.security.ticker, review.library) is None:
        found.append(
            Diagnostic(
                review.at("security", "ticker"),
                f"no benchmark index for {brief.security.ticker}: its exchange is not one of "
                f"{', '.join(sorted(EXCHANGE_MARKETS))}, or its market has no benchmark in ratings.yaml",
            )
        )
    if brief.price is not None and brief.price.date > brief.date:
        found.append(
            Diagnostic(
                review.at("price", "date"),
                f"the reference price is of {brief.price.date}, after the report date {brief.date}",
            )
        )
    return found


def benchmark_of(ticker: str, library: Library) -> dict[str, str] | None:
    """The benchmark index (a Text) of a ticker's market, from ratings.yaml."""
    market = market_of(ticker)
    found = next((b for b in library.ratings.benchmarks if b.market == market), None)
    return found.index if found is not None else None


def implied_upside(brief: m.Brief) -> float | None:
    """Target / reference close − 1, in percent (None without both)."""
    if brief.target_price is None or brief.price is None:
        return None
    return (brief.target_price.value / brief.price.close - 1) * 100


def check_upside(given: CheckInput) -> list[Diagnostic]:
    """A warning for each company note whose implied upside lies outside its rating's band."""
    found = []
    for loaded in given.project.briefs:
        brief, library = loaded.brief, given.project.library
        upside = implied_upside(brief)
        if upside is None or brief.rating is None or loaded.doc is None:
            continue
        scale = library.ratings.scale(brief.rating.scale)
        value = scale.value(brief.rating.value) if scale is not None else None
        if value is None or upside_band(value, upside):
            continue
        assert brief.target_price is not None and brief.price is not None
        band = " and ".join(
            text
            for text in (
                f"at least {value.min:g}%" if value.min is not None else "",
                f"at most {value.max:g}%" if value.max is not None else "",
            )
            if text
        )
        found.append(
            Diagnostic(
                loaded.doc.location(("target_price", "value")),
                f"implied upside {upside:+.1f}% (target {brief.target_price.value:g} / close "
                f"{brief.price.close:g} − 1) is outside the band of '{value.id}' ({band}); "
                "check the target price, the reference price or the rating",
                "warning",
            )
        )
    return found
