"""A brief on a phone (375 px, headless Chromium): the rating in the first screen, a masthead that
does not wrap, a draft banner that stays in view while the reader scrolls."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from .browser import chromium
from .conftest import Built

FIRST_SCREEN = 800


def _open(browser, page: Path) -> None:  # type: ignore[no-untyped-def]
    browser.get(page.resolve().as_uri())


@pytest.mark.parametrize(
    ("brief", "lang", "rating"),
    [
        ("tencent-wechat-deepseek", "zh-CN", "买入"),
        ("tencent-wechat-deepseek", "en", "Buy"),
        ("deepseek-efficiency-not-deflation", "en", "Overweight"),
        ("deepseek-cost-performance", "zh-CN", "增持"),
    ],
)
def test_the_rating_is_in_the_first_screen_of_a_phone(built_html: Built, brief: str, lang: str, rating: str) -> None:
    with chromium(375, FIRST_SCREEN) as browser:
        _open(browser, built_html.file(brief, lang, "html"))
        shown = browser.execute_script(
            """return [...document.querySelectorAll('body *')].filter(e => e.offsetParent !== null
                 && e.children.length === 0 && e.textContent.includes(arguments[0]))
               .map(e => e.getBoundingClientRect().bottom)""",
            rating,
        )
        assert shown and min(shown) <= FIRST_SCREEN, f"{rating} first shown at {shown} px"
        # the house's name in one line: the masthead does not wrap its brand
        brand = browser.execute_script(
            """const b = document.querySelector('.masthead .brand');
               return [b.getBoundingClientRect().height,
                       parseFloat(getComputedStyle(document.querySelector('.masthead .house')).lineHeight)]"""
        )
        assert brand[0] < 1.5 * brand[1], f"the masthead's brand wraps: {brand}"
    with chromium(1280, FIRST_SCREEN) as browser:
        _open(browser, built_html.file(brief, lang, "html"))
        assert not browser.execute_script("return document.querySelector('.phone-rating').offsetParent"), (
            "on a desktop the sidebar shows the rating beside the key points: no repeat"
        )


def test_the_draft_banner_stays_in_view_while_scrolling(built_html: Built) -> None:
    with chromium(375, FIRST_SCREEN) as browser:
        _open(browser, built_html.file("deepseek-efficiency-not-deflation", "en", "html"))
        browser.execute_script("window.scrollTo(0, 3000)")
        assert browser.execute_script("return scrollY") >= 2000
        top, bottom = browser.execute_script(
            "const r = document.querySelector('.draft-banner').getBoundingClientRect(); return [r.top, r.bottom]"
        )
        assert top >= 0 and bottom <= 120, f"the draft banner is at {top}–{bottom} px after scrolling"


def test_a_portal_card_on_a_phone_has_no_separator_for_an_empty_cell(built_html: Built) -> None:
    """A fund note has no rating and no analyst: on a phone its card reads "date · type · sector",
    not "… · sector · ·" (each cell's separator is drawn before it, so an empty cell is not drawn)."""
    with chromium(375, FIRST_SCREEN) as browser:
        _open(browser, built_html.out / "index.en.html")
        cells = browser.execute_script(
            """return [...document.querySelectorAll(arguments[0])]
                 .map(td => [td.closest('tr').dataset.id, td.className, td.textContent.trim(),
                             getComputedStyle(td).display, getComputedStyle(td, '::before').content])""",
            ", ".join(f"tr.brief td.{name}" for name in ("kind", "sector", "rating", "analysts")),
        )
    empty = [c for c in cells if not c[2]]
    assert any(c[0] == "compute-etf-note" for c in empty), "the fund note's rating and analysts are empty"
    assert all(c[3] == "none" for c in empty), f"empty cells drawn (with their separator): {empty}"
    assert all(c[3] == "inline" and "·" in c[4] for c in cells if c[2]), "a filled cell keeps its separator"


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_portal_at_desktop_width_splits_no_rating_name_or_chinese_label(built_html: Built, lang: str) -> None:
    """At 1280 px the portal's meta columns once squeezed to a character's width: 增持 stood on two
    lines, 周亦安 broke into 周亦 / 安, 行业专题报告 took three lines. Each rating, each analyst's
    name and (in Chinese) each type and sector label now keeps to one line; names still wrap
    between one another."""
    with chromium(1280, FIRST_SCREEN) as browser:
        _open(browser, built_html.out / f"index.{lang}.html")
        lines = browser.execute_script(
            """const lines = el => { const r = document.createRange(); r.selectNodeContents(el);
                 return new Set([...r.getClientRects()].filter(b => b.width > 0).map(b => Math.round(b.top))).size; };
               return [...document.querySelectorAll(arguments[0])]
                 .filter(el => el.textContent.trim()).map(el => [el.className, el.textContent.trim(), lines(el)]);""",
            "tr.brief td.rating, tr.brief td.analysts .name"
            + (", tr.brief td.kind, tr.brief td.sector" if lang == "zh-CN" else ""),
        )
    assert {c[0] for c in lines} >= {"rating", "name"}, lines
    split = [c for c in lines if c[2] != 1]
    assert not split, f"split over lines at 1280 px: {split}"


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_wide_table_on_a_phone_shows_which_side_has_more(built_html: Built, lang: str) -> None:
    """The company note's twelve-column table scrolls inside its figure on a phone; it once gave no
    sign of the columns off screen (ratings and targets). A shadow marks the side with more: the
    right before the reader scrolls, the left once at the end. Measured in the screenshot on the
    figure's own background (its text and cell fills made transparent for the measurement)."""
    brief = "china-mobile-operator-cloud"
    with chromium(375, FIRST_SCREEN) as browser:
        _open(browser, built_html.file(brief, lang, "html"))
        box = browser.execute_script(
            """const wide = [...document.querySelectorAll('.exhibit-table')]
                 .sort((a, b) => (b.scrollWidth - b.clientWidth) - (a.scrollWidth - a.clientWidth))[0];
               if (wide.scrollWidth <= wide.clientWidth + 20) return null;
               wide.id = 'wide'; wide.scrollIntoView();
               const s = document.createElement('style');
               s.textContent = '#wide * { color: transparent !important; background: transparent !important;'
                 + ' border-color: transparent !important; text-decoration: none !important; }';
               document.head.appendChild(s);
               const r = wide.getBoundingClientRect(), c = wide.firstElementChild.getBoundingClientRect();
               return [r.left, r.right, c.top, c.bottom];"""
        )
        assert box is not None, "the widest table fits a phone: nothing to test"
        left, right, top, bottom = (round(v) for v in box)

        def edges() -> tuple[float, float]:
            shot = Image.open(io.BytesIO(browser.get_screenshot_as_png())).convert("L")

            def mean(x0: int) -> float:
                values = [shot.getpixel((x, y)) for x in range(x0, x0 + 3) for y in range(top, bottom)]
                return sum(values) / len(values)  # type: ignore[arg-type]

            return mean(left), mean(right - 3)

        start_left, start_right = edges()
        browser.execute_script("const w = document.getElementById('wide'); w.scrollLeft = w.scrollWidth;")
        end_left, end_right = edges()
    assert start_left > 250 and start_right < 235, f"before scrolling: left {start_left:.0f}, right {start_right:.0f}"
    assert end_left < 235 and end_right > start_right + 15, f"at the end: left {end_left:.0f}, right {end_right:.0f}"
