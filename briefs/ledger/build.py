"""The ledger built once per project load, and the check of each company note's ``previous``.

A recommendation is an approved brief (the model's answer, :attr:`Brief.draft`, as the draft
gate decides) that names a security and rates it or sets a target, plus every entry of
recommendations.yaml. The briefs a build loaded are used as loaded; when a build selects some
briefs only, the other briefs' brief.yaml are read for the ledger alone (validated, nothing
else: no Markdown, data files or exhibits), so a note prints the same history whichever briefs
a build names. A brief that cannot be read so is left out of that build's ledger (any build or
check that includes it reports it).

``previous`` (of ``rating`` and of ``target_price``) must be the last recommendation on the
security dated before the note:

- given, and the ledger's last recommendation differs: an error at the ``previous`` key naming
  that recommendation (the brief, or the shared file's line) and its values;
- omitted while an earlier recommendation exists: an error (the note would read as an
  initiation, or hide the target it replaces);
- given with no earlier recommendation: a warning (the ledger has no history to check it
  against; add it to recommendations.yaml), an error under ``--strict``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path

from briefs.compliance.rules import check_approval
from briefs.errors import BriefsError, Diagnostic, Diagnostics, SourceLocation
from briefs.ledger.records import Ledger, Recommendation
from briefs.ledger.shared import load_shared
from briefs.load.loaded import Library, LoadedBrief
from briefs.model import brief as m
from briefs.model.validation import validate
from briefs.plugins import BriefUnderReview
from briefs.project.config import ProjectConfig
from briefs.source.safefiles import Unsafe, read_bytes
from briefs.source.yamlsource import MAX_BYTES, YamlDocument, cached_yaml


def recommendation_of(brief: m.Brief, path: SourceLocation) -> Recommendation | None:
    """The recommendation an approved brief makes, if it rates a security or sets a target."""
    security = brief.security
    if brief.draft or security is None or (brief.rating is None and brief.target_price is None):
        return None
    return Recommendation(
        date=brief.date,
        ticker=security.ticker,
        currency=security.currency,
        scale=brief.rating.scale if brief.rating is not None else None,
        rating=brief.rating.value if brief.rating is not None else None,
        target=brief.target_price.value if brief.target_price is not None else None,
        price=brief.price.close if brief.price is not None else None,
        analysts=tuple(brief.analysts),
        brief_id=brief.id,
        origin=path,
    )


def shared_ledger(config: ProjectConfig, library: Library) -> Ledger:
    """recommendations.yaml's entries alone: what approvals can be checked against before the
    briefs' own recommendations are known (those depend on the approvals)."""
    return Ledger(tuple(sorted(load_shared(config, library), key=lambda e: e.order)))


def build_ledger(
    config: ProjectConfig,
    library: Library,
    briefs: Sequence[LoadedBrief],
    still_approved: Callable[[Path], bool] | None = None,
    shared: Ledger | None = None,
) -> Ledger:
    """The project's ledger: the loaded briefs, the briefs not loaded (read for this only) and
    recommendations.yaml, in order. Raises a located error for a broken recommendations.yaml.
    ``still_approved`` tells whether a brief not loaded, approved in its brief.yaml, is still
    covered by its approval record (:mod:`briefs.compliance.approvals`): loading binds the loaded
    ones, and a note changed since its approval is no recommendation whichever briefs are built.
    ``shared``: recommendations.yaml's entries as :func:`shared_ledger` read them (not read again)."""
    entries = list(shared.entries if shared is not None else load_shared(config, library))
    loaded = {b.path.resolve() for b in briefs}
    for b in briefs:
        made = recommendation_of(b.brief, SourceLocation(b.path, 1, 1))
        if made is not None:
            entries.append(made)
    for path in sorted(config.content.glob("*/brief.yaml")):
        if path.parent.name.startswith(("_", ".")) or path.resolve() in loaded:
            continue
        made = _unselected(path, config, library)
        if made is not None and (still_approved is None or still_approved(path)):
            entries.append(made)
    return Ledger(tuple(sorted(entries, key=lambda e: e.order)))


def _unselected(path: Path, config: ProjectConfig, library: Library) -> Recommendation | None:
    """The recommendation of a brief this build did not select, read from its brief.yaml alone
    (through the safe reader, and only where loading would read it: really inside content/)."""
    content = config.content.resolve()
    try:
        real = path.resolve()
        if real.parent != path.parent.resolve() or not real.is_relative_to(content):
            return None  # a linked brief or folder: loading refuses it, and so does the ledger
        data = read_bytes(path, MAX_BYTES, inside=content)
        if b"security" not in data and b"\\" not in data:
            return None  # no company note: the key is spelt out, unless written with an escape
        doc = cached_yaml(path)
    except (OSError, ValueError, Unsafe, BriefsError):
        return None
    diags = Diagnostics()
    brief = validate(doc, m.Brief, config.languages, diags)
    if brief is None or brief.id != path.parent.name or not _approved(brief, library, doc):
        return None
    return recommendation_of(brief, SourceLocation(path, 1, 1))


def _approved(brief: m.Brief, library: Library, doc: YamlDocument) -> bool:
    """Approved as loading would accept it (by a compliance person, on or before the date)."""
    review = BriefUnderReview(brief, library.kind(brief.kind), library, doc)
    return not brief.draft and not any(d.severity == "error" for d in check_approval(review))


def previous_problems(ledger: Ledger, briefs: Sequence[LoadedBrief]) -> list[Diagnostic]:
    """Each company note's ``previous`` keys against the ledger (errors and warnings)."""
    found: list[Diagnostic] = []
    for loaded in briefs:
        brief, doc = loaded.brief, loaded.doc
        if brief.security is None or doc is None:
            continue
        last = ledger.last_before(brief.security.ticker, brief.date)
        found += _rating_problems(brief, doc, last)
        found += _target_problems(brief, doc, last)
    return found


def _rating_problems(brief: m.Brief, doc: YamlDocument, last: Recommendation | None) -> list[Diagnostic]:
    rating = brief.rating
    if rating is None:
        return []
    ticker = brief.security.ticker if brief.security is not None else ""
    if rating.previous is None:
        if last is None or last.rating is None:
            return []
        return [
            Diagnostic(
                doc.location(("rating",)),
                f"no 'previous' rating, so this note reads as an initiation, but the ledger's last "
                f"recommendation on {ticker} is {last.describe()} ({last.values()}): "
                f"give previous: {last.rating}",
            )
        ]
    where = doc.location(("rating", "previous"))
    if last is None:
        return [_no_history(where, "rating", ticker, brief)]
    if (last.scale, last.rating) == (rating.scale, rating.previous):
        return []
    return [
        Diagnostic(
            where,
            f"previous rating '{rating.previous}' does not match the ledger: the last recommendation "
            f"on {ticker} before {brief.date.isoformat()} is {last.describe()} ({last.values()})",
        )
    ]


def _target_problems(brief: m.Brief, doc: YamlDocument, last: Recommendation | None) -> list[Diagnostic]:
    target = brief.target_price
    if target is None:
        return []
    ticker = brief.security.ticker if brief.security is not None else ""
    if target.previous is None:
        if last is None or last.target is None:
            return []
        return [
            Diagnostic(
                doc.location(("target_price",)),
                f"no 'previous' target price, but the ledger's last recommendation on {ticker} is "
                f"{last.describe()} ({last.values()}): give previous: {last.target:g}",
            )
        ]
    where = doc.location(("target_price", "previous"))
    if last is None:
        return [_no_history(where, "target price", ticker, brief)]
    if last.target is not None and math.isclose(last.target, target.previous, rel_tol=1e-9):
        return []
    return [
        Diagnostic(
            where,
            f"previous target price {target.previous:g} does not match the ledger: the last "
            f"recommendation on {ticker} before {brief.date.isoformat()} is {last.describe()} ({last.values()})",
        )
    ]


def _no_history(where: SourceLocation, what: str, ticker: str, brief: m.Brief) -> Diagnostic:
    return Diagnostic(
        where,
        f"the ledger has no recommendation on {ticker} before {brief.date.isoformat()}, so the "
        f"previous {what} cannot be checked: add the earlier one to content/_shared/recommendations.yaml",
        "warning",
    )


def ledger_key(ledger: Ledger, loaded: LoadedBrief) -> str:
    """What of the ledger a brief's pages print (a company note: every recommendation dated on or
    before it; others: nothing), for its build key."""
    if loaded.brief.security is None:
        return ""
    return Ledger(tuple(e for e in ledger.entries if e.date <= loaded.brief.date)).key()
