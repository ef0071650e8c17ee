"""Catalogs and Babel formatting."""

from __future__ import annotations

import datetime as dt

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from briefs.i18n import catalog_problems, format_date, format_percentage

from .conftest import ROOT


def test_message_template_matches_the_sources() -> None:
    """templates/locales/messages.pot lists exactly the strings the code and templates use."""
    method_map = [("briefs/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    used = {msg for _f, _l, msg, _c, _x in extract_from_dir(str(ROOT), method_map, options,
                                                            keywords={"_": None, "gettext": None})
            if not str(_f).startswith((".venv", "tests"))}
    with (ROOT / "templates" / "locales" / "messages.pot").open("rb") as handle:
        pot = {m.id for m in read_po(handle) if m.id}
    assert used == pot, "run the extract command in the README (pybabel extract ...)"


def test_shipped_catalogs_are_complete() -> None:
    assert catalog_problems(ROOT / "templates", "zh-CN") == []


def test_dates_and_percentages_use_explicit_locales() -> None:
    day = dt.date(2025, 2, 16)
    assert format_date(day, "zh-CN") == "2025年2月16日"
    assert format_date(day, "en") == "February 16, 2025"
    assert format_percentage(-5, "en") == "-5%"
    assert format_percentage(79.8, "zh-CN") == "79.8%"
