"""Conflicts of interest from data (``content/_shared/conflicts.yaml``, model in
:mod:`briefs.model.conflicts`): which facts apply to a brief, by its date, and the checks.

A fact applies as of the brief's date, never a later one:

- a holding: the latest record dated on or before the brief, if it is 1 % or more;
- an investment-banking mandate dated in the 12 months up to the brief's date;
- an expected mandate recorded in the 3 months up to the brief's date;
- market making, a staff interest, an officer role: a period that covers the brief's date (a
  staff interest only on the briefs its analyst signs).

Checks, each located:

- :func:`conflicts_file_problems` (at load): duplicate tickers, a statement whose placeholders
  are not the element's, a staff interest naming someone not in analysts.yaml;
- :func:`check_subject_entry` (a rule): a company note's own security must have an entry (an
  error: its disclosures would otherwise be negative statements nobody confirmed);
- :func:`check_conflicts` (a check, in every build): any other security a brief names without an
  entry (the negative statements print, unconfirmed), and an entry confirmed more than
  ``max_age_days`` before the brief's date: warnings, errors under ``--strict``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefs.compliance.rules import suggest
from briefs.errors import Diagnostic
from briefs.model.conflicts import ConflictsFile, SecurityConflicts

if TYPE_CHECKING:
    from briefs.model import brief as m
    from briefs.plugins import BriefUnderReview, CheckInput
    from briefs.source.yamlsource import KeyPath, YamlDocument

# The placeholders each wording may use (``applies``/``expected`` per security, ``none`` for the rest).
PLACEHOLDERS = {
    "firm-holding": {"company", "percent", "date"},
    "market-making": {"company", "date"},
    "investment-banking": {"company", "mandates", "date"},
    "analyst-interests": {"company", "analyst", "holder", "date"},
    "officer-roles": {"company", "role", "date"},
}
NEGATIVE = {"companies", "date"}
EXPECTED = {"company", "date"}  # investment banking expected in the next 3 months


@dataclass(frozen=True)
class Fact:
    """One disclosure that applies: its element, the ticker, and the values its wording takes
    (dates as dates, texts as {lang: text}; the localizer formats them)."""

    element: str
    ticker: str
    values: tuple[tuple[str, object], ...] = ()
    expected: bool = False  # investment banking: the relationship expected in the next 3 months


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier (the month's last day where it has fewer days)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def banking_mandates(entry: SecurityConflicts, as_of: dt.date) -> list[tuple[dt.date, dict[str, str]]]:
    """The investment-banking mandates of the 12 months up to ``as_of`` (dates after it excluded)."""
    start = months_before(as_of, 12)
    found = [(m.date, m.mandate) for m in entry.investment_banking if start < m.date <= as_of]
    return sorted(found, key=lambda pair: pair[0])  # two mandates of one day keep their order


def investment_banking_clients(
    records: ConflictsFile | Iterable[SecurityConflicts] | None, as_of: dt.date
) -> frozenset[str]:
    """Tickers with an investment-banking relationship (a mandate) in the 12 months before
    ``as_of``: the share of each rating that were investment-banking clients (ratings distribution)."""
    if records is None:
        return frozenset()
    entries = records.securities if isinstance(records, ConflictsFile) else records
    return frozenset(e.ticker for e in entries if banking_mandates(e, as_of))


def facts(entry: SecurityConflicts, as_of: dt.date, analysts: Iterable[str]) -> list[Fact]:
    """The facts of one entry that apply to a brief dated ``as_of`` and signed by ``analysts``."""
    found: list[Fact] = []
    t = entry.ticker
    held = [h for h in entry.holdings if h.as_of <= as_of]
    if held:
        latest = max(held, key=lambda h: h.as_of)
        if latest.percent >= 1:
            found.append(Fact("firm-holding", t, (("percent", latest.percent), ("date", latest.as_of))))
    found += [Fact("market-making", t, (("date", p.start),)) for p in entry.market_making if p.covers(as_of)]
    mandates = banking_mandates(entry, as_of)
    if mandates:
        found.append(Fact("investment-banking", t, (("mandates", mandates), ("date", mandates[-1][0]))))
    expected = [e for e in entry.expected_investment_banking if e.as_of <= as_of < _months_after(e.as_of, 3)]
    for e in expected:
        found.append(Fact("investment-banking", t, (("date", e.as_of),), expected=True))
    signing = set(analysts)
    found += [
        Fact("analyst-interests", t, (("analyst", s.person), ("holder", s.holder), ("date", s.start)))
        for s in entry.staff_interests
        if s.covers(as_of) and s.person in signing
    ]
    found += [
        Fact("officer-roles", t, (("role", r.role), ("date", r.start))) for r in entry.officer_roles if r.covers(as_of)
    ]
    return found


def _months_after(day: dt.date, months: int) -> dt.date:
    return months_before(day, -months)


def named_securities(brief: m.Brief) -> list[tuple[str, dict[str, str], KeyPath]]:
    """Every security a brief names, in reading order, once each: its own (a company note's
    ``security``) and each ticker of its companies tables, with its name and its key path."""
    found: dict[str, tuple[str, dict[str, str], KeyPath]] = {}
    if brief.security is not None:
        found[brief.security.ticker] = (brief.security.ticker, brief.security.name, ("security", "ticker"))
    for i, group in enumerate(brief.companies):
        for j, company in enumerate(group.companies):
            if company.ticker is not None and company.ticker not in found:
                found[company.ticker] = (company.ticker, company.name, ("companies", i, "companies", j, "ticker"))
    return list(found.values())


# ----------------------------------------------------------------------------- checks


def conflicts_file_problems(conflicts: ConflictsFile, doc: YamlDocument, people: list[str]) -> list[Diagnostic]:
    """Duplicate tickers, unknown placeholders in the wording, unknown people (each located)."""
    found = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(conflicts.securities):
        where = doc.location(("securities", i, "ticker"))
        if entry.ticker in seen:
            found.append(Diagnostic(where, f"duplicate ticker '{entry.ticker}' (first on line {seen[entry.ticker]})"))
        seen.setdefault(entry.ticker, where.line)
        for j, interest in enumerate(entry.staff_interests):
            if interest.person not in people:
                found.append(
                    Diagnostic(
                        doc.location(("securities", i, "staff_interests", j, "person")),
                        f"unknown person '{interest.person}'{suggest(interest.person, people)} "
                        "(people are in analysts.yaml)",
                    )
                )
    for element, allowed in PLACEHOLDERS.items():
        statement = conflicts.statements.of(element)
        for key in ("applies", "none", "expected", "expected_none"):
            text = getattr(statement, key)
            for lang, words in (text or {}).items():
                wanted = NEGATIVE if key.endswith("none") else EXPECTED if key == "expected" else allowed
                for name in _placeholders(words):
                    if name not in wanted:
                        found.append(
                            Diagnostic(
                                doc.location(("statements", element, key, lang)),
                                f"unknown placeholder '{{{name}}}'{suggest(name, sorted(wanted))} "
                                f"(this wording may use {', '.join('{' + w + '}' for w in sorted(wanted))})",
                            )
                        )
    return found


def _placeholders(text: str) -> list[str]:
    """The placeholders of a wording; one written with a format (``{percent:.1f}``) or an
    unmatched brace is returned as written, so it is reported."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:  # an unmatched brace
        return ["{"]
    return [
        name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "")
        for _, name, spec, conv in parsed
        if name is not None
    ]


def check_subject_entry(review: BriefUnderReview) -> list[Diagnostic]:
    """A company note's own security has an entry in conflicts.yaml (when the project has one)."""
    conflicts = review.library.conflicts
    security = review.brief.security
    if conflicts is None or security is None or conflicts.entry(security.ticker) is not None:
        return []
    return [
        Diagnostic(
            review.at("security", "ticker"),
            f"{security.ticker} has no entry in conflicts.yaml: compliance must confirm the firm's "
            "interests in the security a company note rates before it is published",
        )
    ]


def check_conflicts(given: CheckInput) -> list[Diagnostic]:
    """Warnings: a named security without an entry; an entry confirmed too long before a brief."""
    library = given.project.library
    conflicts, doc = library.conflicts, library.docs.get("conflicts")
    if conflicts is None or doc is None:
        return []
    found = []
    for loaded in given.project.briefs:
        brief = loaded.brief
        if loaded.doc is None:
            continue
        for ticker, _, key_path in named_securities(brief):
            entry = conflicts.entry(ticker)
            if entry is None:
                if key_path[0] != "security":  # the subject's is an error (check_subject_entry)
                    found.append(
                        Diagnostic(
                            loaded.doc.location(key_path),
                            f"{ticker} has no entry in conflicts.yaml: the negative statements print for it, "
                            "unconfirmed; add it, confirmed by compliance",
                            "warning",
                        )
                    )
                continue
            age = (brief.date - entry.confirmed).days
            if age > conflicts.max_age_days:
                i = conflicts.securities.index(entry)
                found.append(
                    Diagnostic(
                        doc.location(("securities", i, "confirmed")),
                        f"{ticker} was last confirmed on {entry.confirmed}, {age} days before brief "
                        f"'{brief.id}' ({brief.date}); confirm it again (max_age_days: {conflicts.max_age_days})",
                        "warning",
                    )
                )
    return found
