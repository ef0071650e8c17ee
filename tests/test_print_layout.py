"""Print layout and micro-typography, measured on the example PDFs (text with positions, drawings).

Every example brief is built once per test session (the ``built`` fixture) in zh-CN, en and the
derived zh-HK; these tests only read that output.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from .conftest import LANGS, Built
from .pagefill import Line, lines, next_line, pages

pytestmark = pytest.mark.pdf
EDITIONS = (*LANGS, "zh-HK")
CLOSERS = "。，、；：？！）》」』】”’…%"
HAN = re.compile(r"[\u3400-\u9fff]")


@cache
def _pages(pdf: Path) -> list:  # type: ignore[type-arg]
    return pages(pdf)


def _soup(built: Built, brief_id: str, lang: str) -> BeautifulSoup:
    return BeautifulSoup(built.file(brief_id, lang, "html").read_text("utf-8"), "html.parser")


def _squash(text: str) -> str:
    return re.sub(r"[\s\-\u2010]+", "", text)


def _on_page(text: str, page: object) -> bool:
    """Every word of ``text`` is among the page's words (columns interleave in extraction order);
    Chinese, without spaces, by its first and last four characters."""
    words = _squash(" ".join(w.text for w in page.words))  # type: ignore[attr-defined]
    if HAN.search(text):
        text = _squash(text)
        return text[:4] in words and text[-4:].rstrip(CLOSERS) in words
    return all(_squash(word) in words for word in re.split(r"\s+", text.strip()) if word)


@pytest.mark.parametrize("lang", EDITIONS)
def test_no_page_but_the_last_is_more_than_a_fifth_empty(built: Built, lang: str) -> None:
    """Measured from the words pdftotext extracts and the paths and pictures drawn on each page."""
    for brief_id in built.briefs:
        measured = _pages(built.file(brief_id, lang, "pdf"))
        assert len(measured) > 1
        for page, following in pairwise(measured):
            assert page.empty_fraction() <= 0.2 or _too_tall_to_fill(page, following), (
                f"{brief_id} ({lang}): page {page.number} is {page.empty_fraction():.0%} empty")


CAPTION = re.compile(r"^(Figure|Table|Exhibit|图|表|圖)\s*\d")
SOURCE = re.compile(r"^(Source|Sources|资料来源|資料來源)")


def _too_tall_to_fill(page: object, following: object) -> bool:
    """A hole is the layout's fault only if what follows could have filled it: allowed when the
    next page starts with an exhibit (its caption first, or after the heading it is kept with)
    kept whole and, down to its source line, taller than the hole: nothing else could come next."""
    hole = page.empty_fraction() * (page.body_bottom - page.body_top)  # type: ignore[attr-defined]
    words = sorted(following.body_words(), key=lambda w: (round(w.y0), w.x0))  # type: ignore[attr-defined]
    tops = sorted({round(w.y0) for w in words})[:2]
    first_lines = [" ".join(w.text for w in words if round(w.y0) == top) for top in tops]
    if not any(CAPTION.match(line) for line in first_lines):
        return False
    ends = [w.y1 for w in words if SOURCE.match(w.text)]
    return bool(ends) and ends[0] - words[0].y0 > hole


def _sidebar(page: object) -> tuple[float, float, float]:
    """(left edge, top, foot) of page 1's sidebar, from its border's path (WeasyPrint draws the
    box's borders as one path as large as the box): the tallest drawing in the right third."""
    width = page.width  # type: ignore[attr-defined]
    boxes = [d for d in page.drawings if d.x0 > 0.55 * width and d.x1 > 0.85 * width]  # type: ignore[attr-defined]
    assert boxes, "no sidebar on page 1"
    side = max(boxes, key=lambda d: d.y1 - d.y0)
    return side.x0, side.y0, side.y1


@pytest.mark.parametrize("lang", EDITIONS)
def test_the_main_column_of_page_one_has_no_hole(built: Built, lang: str) -> None:
    """Left of the sidebar, page 1 is filled as any other page: the body follows the key points
    beside the sidebar (not below it), so the words and drawings left of the sidebar reach the
    last fifth of the body area, unless the whole brief ends on page 1; and no heading's rule or
    exhibit beside the sidebar runs under it (they are as wide as the key points)."""
    for brief_id in built.briefs:
        measured = _pages(built.file(brief_id, lang, "pdf"))
        first = measured[0]
        left, top, foot = _sidebar(first)
        main = [b for b in (*first.body_words(), *first.drawings) if b.x1 < left - 1 and b.y1 <= first.body_bottom]
        lowest = max(b.y1 for b in main)
        empty = (first.body_bottom - lowest) / (first.body_bottom - first.body_top)
        assert len(measured) == 1 or empty <= 0.2, (
            f"{brief_id} ({lang}): page 1's main column is {empty:.0%} empty (ends at {lowest / first.height:.0%})")
        under = [d for d in first.drawings  # (the draft mark, drawn across the page, aside)
                 if 20 < d.x0 < left - 100 and left + 1 < d.x1 < first.width - 20 and top < d.y0 < foot]
        assert not under, f"{brief_id} ({lang}): drawn under the sidebar: {under[:2]}"


@pytest.mark.parametrize("lang", EDITIONS)
def test_the_sidebar_ends_on_page_one(built: Built, lang: str) -> None:
    """No sidebar text on page 2: the box titles, e-mails, telephone numbers and related-report
    dates are all on page 1 (or dropped, for related reports), never further on."""
    for brief_id in built.briefs:
        sidebar = _soup(built, brief_id, lang).select_one("aside.sidebar")
        assert sidebar is not None
        measured = _pages(built.file(brief_id, lang, "pdf"))
        first = _squash(" ".join(w.text for w in measured[0].words))
        second = _squash(" ".join(w.text for w in measured[1].words))
        for item in sidebar.select(".email, .phone, .box-title, .licence, .related time"):
            text = _squash(item.get_text())
            assert text not in second, f"{brief_id} ({lang}): {item.get_text()!r} on page 2"
        last = sidebar.select(".email, .phone")[-1]
        assert _squash(last.get_text()) in first, f"{brief_id} ({lang}): the sidebar's end is not on page 1"
        # the right column of page 2's top is body text, not the sidebar's vertical rule and items
        width = measured[1].width
        rules = [d for d in measured[1].drawings
                 if d.x1 - d.x0 < 2 and d.y1 - d.y0 > 20 and d.x0 > 0.6 * width and d.y0 < 0.3 * measured[1].height]
        assert not rules, f"{brief_id} ({lang}): a sidebar rule on page 2"


def _names(soup: BeautifulSoup) -> set[str]:
    """Names from the content: the words the text keeps whole, tickers, companies, e-mails."""
    found: set[str] = set()
    for item in soup.select(".nh, .ticker, .security-name, .company-table th, .company-list li, .email"):
        found.update(re.findall(r"[\w.@’'\-]+", item.get_text()))
    return {name.strip(".-") for name in found if re.search(r"[A-Z0-9@]", name)}


def _line_end_breaks(pdf: Path) -> list[tuple[int, Line, str, str]]:
    """(page, line, the word broken at its end, the next line's first word) for lines ending in "-"."""
    found = []
    for page in _pages(pdf):
        all_lines = lines(page)
        for line in all_lines:
            word = line.words[-1].text
            below = next_line(all_lines, line)
            if word.endswith("-") and len(word) > 1 and below is not None:
                found.append((page.number, line, word, below.words[0].text))
    return found


def test_no_name_and_no_sidebar_value_is_hyphenated(built: Built) -> None:
    """English: a line may end in a hyphen inside a common word, never inside a name from the
    content (companies, products, tickers, e-mails) nor anywhere in the first page's sidebar."""
    hyphenated = 0
    for brief_id in built.briefs:
        pdf = built.file(brief_id, "en", "pdf")
        names = _names(_soup(built, brief_id, "en"))
        width = _pages(pdf)[0].width
        for number, line, word, following in _line_end_breaks(pdf):
            joined = re.sub(r"[^\w’'\-]", "", word[:-1] + following)
            kept = re.sub(r"[^\w’'\-]", "", word + following)
            assert joined not in names and kept not in names, (
                f"{brief_id} (en) p{number}: a name broken at a line end: {word}/{following}")
            assert not (number == 1 and line.x0 > 0.62 * width), (
                f"{brief_id} (en): the sidebar breaks {word}/{following}")
            hyphenated += 1
    assert hyphenated > 0, "long common words are still hyphenated"


def test_english_text_has_typographic_quotes(built: Built) -> None:
    """No ASCII quote or apostrophe anywhere in the text of an English PDF (o1’s, “server busy”)."""
    for brief_id in built.briefs:
        text = " ".join(w.text for page in _pages(built.file(brief_id, "en", "pdf")) for w in page.words)
        straight = re.findall(r"\S*['\"]\S*", text)
        assert not straight, f"{brief_id} (en): {straight[:5]}"
        assert "’" in text or "“" in text or brief_id  # the typographic ones print


@pytest.mark.parametrize("lang", ("zh-CN", "zh-HK"))
def test_no_chinese_paragraph_ends_with_one_character(built: Built, lang: str) -> None:
    """The last line of a Chinese paragraph holds at least two characters (punctuation aside):
    a line of one Han character under a full line of the same column is a widowed character."""
    for brief_id in built.briefs:
        for page in _pages(built.file(brief_id, lang, "pdf")):
            all_lines = lines(page)
            for above in all_lines:
                below = next_line(all_lines, above)
                if below is None or len(below.words) != 1:
                    continue
                core = below.text.strip().rstrip(CLOSERS)
                full = above.x1 - above.x0 > 0.8 * (below.words[0].x1 - above.x0 + 200)
                if len(core) == 1 and HAN.match(core) and full and HAN.search(above.text):
                    pytest.fail(f"{brief_id} ({lang}) p{page.number}: a last line of one character "
                                f"{below.text!r} under {above.text[-12:]!r}")


MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


@pytest.mark.parametrize("lang", EDITIONS)
def test_dates_have_one_style_per_language(built: Built, lang: str) -> None:
    """English: 5 February 2025 (also in related reports), never February 5, 2025 or 2025-02-05;
    Chinese: 2025年2月5日, never an ISO date."""
    for brief_id in built.briefs:
        text = " ".join(w.text for page in _pages(built.file(brief_id, lang, "pdf")) for w in page.words)
        assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text), (brief_id, lang, "ISO date")
        if lang == "en":
            assert not re.search(rf"\b(?:{MONTHS}) \d{{1,2}}, 20\d\d", text), (brief_id, "US date")
            assert re.search(rf"\b\d{{1,2}} (?:{MONTHS}) 20\d\d\b", text), (brief_id, "no date")
        else:
            assert re.search(r"20\d\d年\d{1,2}月\d{1,2}日", text), (brief_id, lang)
        soup = _soup(built, brief_id, lang)
        for time in soup.select(".related time"):
            assert not re.fullmatch(r"\d{4}-\d\d-\d\d", time.get_text()), (brief_id, lang, time)


@pytest.mark.parametrize("lang", ("zh-CN", "zh-HK"))
def test_chinese_figures_have_one_format(built: Built, lang: str) -> None:
    """One formatter for sidebar, text and tables: a four-digit figure is never grouped (1814,
    not 1,814), as the text writes it."""
    for brief_id in built.briefs:
        text = " ".join(w.text for page in _pages(built.file(brief_id, lang, "pdf")) for w in page.words)
        grouped = re.findall(r"(?<![\d,.])\d,\d{3}(?![\d,])", text)
        assert not grouped, (brief_id, lang, grouped[:5])


@pytest.mark.parametrize("lang", EDITIONS)
def test_rating_line_and_risk_line_on_page_one(built: Built, lang: str) -> None:
    """The rating box reads 行业评级：增持（维持） / Industry rating: Overweight (maintained), names
    its benchmark, and is not headed by the scale's name; the key points end with the risks."""
    heading = {"en": ("Industry rating", "Company rating"), "zh-CN": ("行业评级", "公司评级"),
               "zh-HK": ("行業評級", "公司評級")}[lang]
    rated = 0
    for brief_id in built.briefs:
        soup = _soup(built, brief_id, lang)
        first = _pages(built.file(brief_id, lang, "pdf"))[0]
        line = soup.select_one(".rating-box .rating-line")
        if line is not None:
            rated += 1
            assert line.get_text().startswith(heading), (brief_id, lang, line.get_text())
            assert soup.select_one(".rating-box .box-title") is None, "no scale name over the box"
            assert _on_page(line.get_text(), first), (brief_id, lang)
            benchmark = soup.select_one(".rating-box .rating-benchmark .value, .rating-box .benchmark dd")
            assert benchmark is not None and _on_page(benchmark.get_text(), first), (brief_id, lang)
        risks = [r.get_text() for r in soup.select("#risks li > strong")]
        summary = soup.select_one(".key-points > .risk-summary")
        assert summary is not None and risks, (brief_id, lang)
        assert all(title in summary.get_text() for title in risks), (brief_id, lang)
        assert _on_page(summary.get_text(), first), (brief_id, lang, "risk line not on page 1")
    assert rated >= 4
