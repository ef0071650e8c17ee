"""Accessibility of the HTML pages as a browser shows them: axe-core (tests/vendor/axe-core, MPL-2.0)
in headless Chromium, and the contrast of the print-only text colours (running header, footer)."""

from __future__ import annotations

import re
from pathlib import Path

from briefs.render.theme import PACKAGE_THEME

from .browser import chromium
from .conftest import Built

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]})
  .then(r => done(r.violations.map(v => [v.id, v.impact, v.nodes.slice(0, 3).map(n => n.target.join(" "))])))
  .catch(e => done([["axe-failed", "critical", [String(e)]]]));
"""


def test_axe_finds_nothing_serious_or_critical_on_any_page(built_html: Built) -> None:
    pages = sorted(built_html.out.glob("*.html")) + sorted(built_html.out.glob("*/*.html"))
    assert len(pages) > 20
    script = AXE.read_text("utf-8")
    found = {}
    with chromium(1280, 900) as browser:
        browser.set_script_timeout(120)
        for page in pages:
            browser.get(page.resolve().as_uri())
            browser.execute_script(script)
            violations = browser.execute_async_script(RUN_AXE)
            bad = [v for v in violations if v[1] in ("serious", "critical")]
            if bad:
                found[page.name] = bad
    assert not found, found


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_print_only_text_colours_meet_wcag_aa() -> None:
    """The margin boxes (not in the HTML, so not seen by axe) are small text on white: 4.5:1. The
    house's text gold meets it on white and on the table tint; the light gold is for rules."""
    css = (PACKAGE_THEME / "css" / "brief.css").read_text("utf-8")
    page = css[css.index("@page {"):]
    boxes = re.findall(r"@(top|bottom)-(left|right|center) \{([^}]*)\}", page)
    assert len(boxes) >= 4
    for _edge, _side, body in boxes:
        colour = re.search(r"(?<![-\w])color: (#[0-9a-f]{6})", body)
        assert colour is not None, body
        assert contrast(colour.group(1), "#ffffff") >= 4.5, body
    variables = dict(re.findall(r"--([\w-]+): (#[0-9a-f]{6})", css))
    assert contrast(variables["accent"], "#ffffff") < 4.5  # why the text gold exists
    assert contrast(variables["accent-text"], "#ffffff") >= 4.5
    assert contrast(variables["accent-text"], variables["tint"]) >= 4.5
    uses = re.findall(r"([^{}]+)\{[^}]*(?<![-\w])color: var\(--accent\)", css)
    decorative = [u for u in uses if "::before" not in u and "::after" not in u and "rating-value" not in u]
    assert not decorative, uses  # only bullets and arrows (generated glyphs) and the 17 pt rating
