"""What a careful reader sees on the example PDFs' pages besides holes: a heading or the house's
closing block stranded at a page's foot or alone on a page, a single character or a broken range
on a line of its own outside the body's paragraphs, a table split with a row or two on one side,
and furniture that repeats itself (the disclosures' text versions, the house's name in the
running header). Measured on the output of every example brief, in every edition (``built``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pikepdf
import pytest
from bs4 import BeautifulSoup

from .conftest import LANGS, Built
from .pagefill import TOP, Line, Page, lines, next_line, pages

pytestmark = pytest.mark.pdf
EDITIONS = (*LANGS, "zh-HK")
HAN = re.compile(r"[\u3400-\u9fff]")
CLOSERS = "。，、；：？！）》」』】”’…%"
MIN_ROWS = 3  # a table broken between pages keeps at least this many body rows on each side


@cache
def _pages(pdf: Path) -> list[Page]:
    return pages(pdf)


def _soup(built: Built, brief_id: str, lang: str) -> BeautifulSoup:
    return BeautifulSoup(built.file(brief_id, lang, "html").read_text("utf-8"), "html.parser")


def _squash(text: str) -> str:
    """Text without spaces or hyphens; the middle dot as the HTML has it (the CJK font's subset
    maps it back to a bullet in some PDFs)."""
    return re.sub(r"[\s\-\u2010]+", "", text).replace("•", "·")


def _editions(built: Built) -> Iterator[tuple[str, str, Path]]:
    for brief_id in built.briefs:
        for lang in EDITIONS:
            yield brief_id, lang, built.file(brief_id, lang, "pdf")


def _body_lines(page: Page) -> list[Line]:
    """The page's lines inside its body area (no running header, footer or watermark)."""
    inside = {id(w) for w in page.body_words()}
    return [line for line in lines(page) if all(id(w) in inside for w in line.words)]


def _pages_of(text: str, measured: list[Page]) -> list[int]:
    """The pages with a line that reads ``text`` exactly (a heading, a one-line paragraph)."""
    wanted = _squash(text)
    return [page.number for page in measured if any(_squash(line.text) == wanted for line in _body_lines(page))]


def test_no_heading_is_the_last_line_of_a_page(built: Built) -> None:
    """A heading of the body or the disclosures keeps with what follows it: it is never the
    lowest line of its page (a heading that wraps is found by its last line, its whole text)."""
    for brief_id, lang, pdf in _editions(built):
        soup = _soup(built, brief_id, lang)
        headings = {_squash(h.get_text()) for h in soup.select("main h2, main h3, main h4, .disclosures h2, "
                                                                ".disclosures h3, .disclosures h4")}
        for page in _pages(pdf)[:-1]:
            body = _body_lines(page)
            last = max(body, key=lambda line: line.y0)
            above = [line for line in body if line is not last and abs(line.x0 - last.x0) < 30
                     and 0 < last.y0 - line.y0 < 2.5 * (last.words[0].y1 - last.words[0].y0)]
            texts = {_squash(last.text)} | {_squash(line.text + last.text) for line in above}
            assert not texts & headings, f"{brief_id} ({lang}) p{page.number}: a heading at the foot: {last.text!r}"


def test_a_heading_and_its_table_share_a_page(built: Built) -> None:
    """A disclosures section that introduces a table (the rating definitions' benchmarks) is never
    split after its heading: the heading and the table's first body row are on one page."""
    for brief_id, lang, pdf in _editions(built):
        measured = _pages(pdf)
        for section in _soup(built, brief_id, lang).select(".disclosures section"):
            heading, row = section.find(["h3", "h4"]), section.select_one("table tbody tr")
            if heading is None or row is None:
                continue
            cell = _squash(row.find(["th", "td"]).get_text())
            first = _pages_of(heading.get_text(), measured)
            assert first, (brief_id, lang, heading.get_text())
            page = measured[first[0] - 1]
            assert cell in _squash(" ".join(w.text for w in page.body_words())), (
                f"{brief_id} ({lang}) p{page.number}: {heading.get_text()!r} without its table")


def test_the_closing_block_is_whole_and_never_alone(built: Built) -> None:
    """The house's name, qualification and address close the document on one page, and that page
    has more on it than this block."""
    for brief_id, lang, pdf in _editions(built):
        footer = _soup(built, brief_id, lang).select_one(".house-info")
        assert footer is not None
        parts = [_squash(p.get_text()) for p in footer.select("p")]
        measured = _pages(pdf)
        last = measured[-1]
        text = _squash(" ".join(w.text for w in last.body_words()))
        name = _pages_of(footer.select("p")[0].get_text(), measured)
        assert name and name[-1] == last.number, f"{brief_id} ({lang}): the house's name is not on the last page"
        assert all(part in text for part in parts), f"{brief_id} ({lang}): the closing block is split"
        rest = text
        for part in parts:
            rest = rest.replace(part, "", 1)
        assert len(rest) > 40, f"{brief_id} ({lang}): page {last.number} holds the closing block alone"


def _stranded(above: Line, below: Line) -> str | None:
    """What is wrong with a line break between two lines of one column, if anything."""
    core = below.text.strip().rstrip(CLOSERS)
    if len(below.words) == 1 and len(core) == 1 and HAN.match(core) and HAN.search(above.text):
        return "a single character on its own line"
    if re.search(r"\d[–—-]$", above.text) and re.match(r"\d", below.text):
        return "a range of figures broken at its dash"
    opened = re.search(r"（([\u3400-\u9fff]{1,4})$", above.text)
    closed = re.match(r"([\u3400-\u9fff]{1,4})）", below.text)
    if opened and closed and len(opened.group(1) + closed.group(1)) <= 5:
        return "a short bracketed phrase broken"
    return None


@pytest.mark.parametrize("lang", EDITIONS)
def test_no_single_character_or_broken_range_on_any_line(built: Built, lang: str) -> None:
    """Over every extracted line of every example PDF (sidebar, captions, disclosures, not only
    the body's paragraphs): no line of one Chinese character under a line of Chinese, no range
    of figures broken at its dash (6–/12 months), no short bracketed phrase of Chinese words
    broken (（未覆/盖）)."""
    for brief_id in built.briefs:
        for page in _pages(built.file(brief_id, lang, "pdf")):
            all_lines = lines(page)
            for above in all_lines:
                below = next_line(all_lines, above)
                if below is not None and (problem := _stranded(above, below)) is not None:
                    pytest.fail(f"{brief_id} ({lang}) p{page.number}: {problem}: "
                                f"{above.text[-14:]!r} / {below.text[:14]!r}")


def _table_parts(pdf: Path) -> list[int]:
    """The body rows of each Table element of the tagged PDF, in order (a table broken between
    pages is one Table per page: WeasyPrint tags each part with its repeated header)."""
    counts = []
    with pikepdf.open(pdf) as document:
        stack = [document.Root.StructTreeRoot]
        while stack:
            element = stack.pop()
            if element.get("/S") == "/Table":
                counts.append(0)
            elif element.get("/S") == "/TR" and element.P.get("/S") == "/TBody":
                counts[-1] += 1
            kids = element.get("/K")
            kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
            stack.extend(reversed([k for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]))
    return counts


def test_a_split_table_keeps_three_rows_on_each_side(built: Built) -> None:
    """A table broken between pages leaves at least MIN_ROWS body rows on each side (its header
    repeated); a shorter table moves whole."""
    for brief_id, lang, pdf in _editions(built):
        soup = _soup(built, brief_id, lang)
        tables = [len(t.select("tbody > tr")) for t in soup.select("table") if not t.find_parent(class_="toc")]
        parts = _table_parts(pdf)
        table, left = -1, 0
        for rows in parts:
            if left == 0:
                table, left = table + 1, tables[table + 1]
            split = rows != tables[table]
            assert not split or rows >= MIN_ROWS, (
                f"{brief_id} ({lang}): table {table + 1} split with {rows} rows on a page")
            left -= rows
        assert table == len(tables) - 1 and left == 0, (brief_id, lang)


def test_furniture_does_not_repeat_itself(built: Built) -> None:
    """No "Text version …" under each disclosure (the versions are in the HTML's data-version and
    the PDF's attached used.yaml); the running header names the house once."""
    for brief_id, lang, pdf in _editions(built):
        soup = _soup(built, brief_id, lang)
        text = " ".join(w.text for page in _pages(pdf) for w in page.words)
        assert not re.search(r"Text version|文本版本", text), (brief_id, lang)
        versions = [s.get("data-version", "") for s in soup.select(".disclaimer")]
        assert versions and all(re.fullmatch(r"\d{4}\.\d+", v) for v in versions), (brief_id, lang, versions)
        house = soup.select_one(".masthead .house")
        assert house is not None
        second = _pages(pdf)[1]
        header = " ".join(w.text for w in second.words if w.y1 < TOP)
        assert _squash(header).count(_squash(house.get_text())) == 1, (brief_id, lang, header)
