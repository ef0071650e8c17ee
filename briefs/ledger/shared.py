"""content/_shared/recommendations.yaml read into ledger entries (schema in
:mod:`briefs.model.recommendations`), every broken entry an error at its line: a malformed
ticker or date, an unknown currency, a non-positive price or target (the model's checks); a
scale or rating value that ratings.yaml does not have, an exchange with no market, an unknown
analyst, and two entries on one security on one date (here).
"""

from __future__ import annotations

from pathlib import Path

from briefs.compliance.rules import suggest
from briefs.errors import Diagnostics
from briefs.ledger.records import Recommendation
from briefs.load.loaded import Library
from briefs.model.company import EXCHANGE_MARKETS, market_of
from briefs.model.recommendations import RecommendationList
from briefs.model.validation import validate
from briefs.project.config import ProjectConfig
from briefs.source.yamlsource import cached_yaml

SHARED_NAME = "recommendations.yaml"


def shared_path(config: ProjectConfig) -> Path:
    """Where the project keeps its earlier recommendations (the file is optional)."""
    return config.shared / SHARED_NAME


def load_shared(config: ProjectConfig, library: Library) -> tuple[Recommendation, ...]:
    """The entries of recommendations.yaml (none when the project has no such file); raises one
    :class:`~briefs.errors.ContentError` listing every broken entry."""
    path = shared_path(config)
    if not (path.exists() or path.is_symlink()):
        return ()
    doc = cached_yaml(path)  # through the safe reader: a link outside, a huge or binary file is refused
    diags = Diagnostics()
    record = validate(doc, RecommendationList, config.languages, diags)
    diags.raise_if_errors()
    assert record is not None
    entries = []
    seen: dict[tuple[str, str], int] = {}
    people = [a.id for a in library.analysts.analysts]
    for i, past in enumerate(record.recommendations):
        where = doc.location(("recommendations", i))
        if past.rating is not None:
            scale = library.ratings.scale(past.rating.scale)
            if scale is None:
                known = [s.id for s in library.ratings.scales]
                diags.error(
                    doc.location(("recommendations", i, "rating", "scale")),
                    f"unknown rating scale '{past.rating.scale}'{suggest(past.rating.scale, known)}",
                )
            elif scale.value(value := past.rating.value) is None:
                values = [v.id for v in scale.values]
                diags.error(
                    doc.location(("recommendations", i, "rating", "value")),
                    f"rating '{value}' is not on the '{scale.id}' scale{suggest(value, values)}",
                )
        if market_of(past.ticker) is None:
            diags.error(
                doc.location(("recommendations", i, "ticker")),
                f"unknown exchange in ticker '{past.ticker}': use one of {', '.join(sorted(EXCHANGE_MARKETS))}",
            )
        for j, ref in enumerate(past.analysts):
            person = library.analyst(ref)
            if person is None:
                diags.error(
                    doc.location(("recommendations", i, "analysts", j)),
                    f"unknown analyst '{ref}'{suggest(ref, people)}",
                )
            elif person.role != "analyst":
                diags.error(
                    doc.location(("recommendations", i, "analysts", j)),
                    f"'{ref}' has role '{person.role}'; a recommendation is signed by analysts",
                )
        key = (past.ticker, past.date.isoformat())
        if key in seen:
            diags.error(
                where,
                f"duplicate recommendation on {past.ticker} dated {past.date.isoformat()} "
                f"(first given on line {seen[key]}): one entry per security and day",
            )
            continue
        seen[key] = where.line
        entries.append(
            Recommendation(
                date=past.date,
                ticker=past.ticker,
                currency=past.currency,
                scale=past.rating.scale if past.rating is not None else None,
                rating=past.rating.value if past.rating is not None else None,
                target=past.target_price,
                price=past.price,
                analysts=tuple(past.analysts),
                brief_id=None,
                origin=where,
            )
        )
    diags.raise_if_errors()
    return tuple(entries)
