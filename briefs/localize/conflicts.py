"""The conflicts-of-interest disclosures of one brief in one language: for each element (the
firm's holding, market making, investment banking, the analysts' interests, officer roles) the
statements of the facts that apply to the securities the brief names, as of its date, and the
house's negative statement for the others (wording from ``conflicts.yaml``; facts chosen in
:mod:`briefs.compliance.conflicts`). In an edition whose jurisdiction words these elements
(Hong Kong: SFC Code of Conduct para 16, ``headings:`` in jurisdictions.yaml), its headings print.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from babel.lists import format_list

from briefs.compliance.conflicts import Fact, facts, named_securities
from briefs.load.loaded import Library
from briefs.localize.i18n import Edition, format_date, format_percentage, is_cjk, locale
from briefs.model import brief as m
from briefs.model.conflicts import ELEMENTS


@dataclass(frozen=True)
class ElementView:
    """One element: its heading and its statements, positive first, then the negative one."""

    id: str
    title: str
    statements: tuple[str, ...]


@dataclass(frozen=True)
class ConflictsView:
    """The section: its title, its introduction and every element."""

    title: str
    intro: str
    elements: tuple[ElementView, ...]


def conflicts_view(brief: m.Brief, library: Library, t: Edition) -> ConflictsView | None:
    """The conflicts section of a brief in edition ``t`` (None when the project keeps no conflicts.yaml)."""
    conflicts = library.conflicts
    if conflicts is None:
        return None
    words = conflicts.statements
    named = named_securities(brief)
    shown = {ticker: _company(t.text(name), ticker, t) for ticker, name, _ in named}
    found: list[Fact] = []
    for ticker, _, _ in named:
        entry = conflicts.entry(ticker)
        if entry is not None:
            found += facts(entry, brief.date, brief.analysts)
    place = library.jurisdiction(t.lang)
    headings = place.headings if place is not None else {}
    elements = []
    for element in ELEMENTS:
        wording = words.of(element)
        lines: list[str] = []
        for expected in (False, True):
            pattern, negative = (
                (wording.expected, wording.expected_none) if expected else (wording.applies, wording.none)
            )
            if pattern is None:
                continue
            these = [f for f in found if f.element == element and f.expected == expected]
            lines += [_fill(t.text(pattern), {"company": shown[f.ticker], **_values(f, library, t)}) for f in these]
            rest = [shown[tk] for tk in shown if tk not in {f.ticker for f in these}]
            if negative is not None and (rest or not named):
                companies = format_list(rest, style="or", locale=locale(t.lang)) if rest else t.text(words.any_company)
                lines.append(_fill(t.text(negative), {"companies": companies, "date": format_date(brief.date, t.lang)}))
        title = headings.get(element, wording.title)
        elements.append(ElementView(element, t.text(title), tuple(lines)))
    return ConflictsView(t.text(words.title), t.text(words.intro), tuple(elements))


# A company name that ends in a note of its own (金山云（未覆盖）, Kingsoft Cloud (not covered)).
_NOTED = re.compile(r"^(?P<name>.+?)\s*(?:（(?P<wide>[^（）]+)）|\((?P<narrow>[^()]+)\))$")


def _company(name: str, ticker: str, t: Edition) -> str:
    """A company with its ticker in one pair of brackets: 腾讯控股（0700.HK）, and a name's own
    note joins the ticker's brackets (金山云（KC.O，未覆盖）, Kingsoft Cloud (KC.O, not covered))
    rather than a second pair after it."""
    noted = _NOTED.match(name)
    note = (noted.group("wide") or noted.group("narrow")) if noted else None
    if noted is not None and note:
        name = noted.group("name")
        ticker = f"{ticker}，{note}" if is_cjk(t.lang) else f"{ticker}, {note}"
    return f"{name}（{ticker}）" if is_cjk(t.lang) else f"{name} ({ticker})"


def _values(fact: Fact, library: Library, t: Edition) -> dict[str, str]:
    return {name: _value(name, value, library, t) for name, value in fact.values}


def _value(name: str, value: Any, library: Library, t: Edition) -> str:
    if isinstance(value, dt.date):
        return format_date(value, t.lang)
    if name == "percent":
        return format_percentage(float(value), t.lang)
    if name == "mandates":
        items = [
            f"{t.text(text)}（{format_date(day, t.lang)}）"
            if is_cjk(t.lang)
            else f"{t.text(text)} ({format_date(day, t.lang)})"
            for day, text in value
        ]
        return format_list(items, locale=locale(t.lang))
    if name == "analyst":
        person = library.analyst(str(value))
        assert person is not None  # checked when conflicts.yaml is loaded
        return t.text(person.name)
    if name == "holder":
        assert library.conflicts is not None
        return t.text(library.conflicts.statements.holder[value])
    if isinstance(value, dict):
        return t.text(value)
    return str(value)


def _fill(pattern: str, values: dict[str, str]) -> str:
    return pattern.format_map(values)
