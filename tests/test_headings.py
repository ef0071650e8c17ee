"""Headings in Markdown get ids of their own: ``md-<slug>``, unique across the whole document (all
texts of one brief in one language), stable between builds, never a template id, and the PDF's
bookmarks and destinations still follow them. Checked on real ``briefs build`` output.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from .conftest import edit, line_of
from .test_exhibits import pdf_text, squash
from .test_load_errors import RunCli, assert_error, check


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about heading ids, not about the
    examples."""
    return small_project


BRIEF = "content/compute-etf-note"
OUT = "output/compute-etf-note/compute-etf-note"

# Headings that repeat (within a file and across texts), look like template ids, carry markup,
# are Chinese, or have no letters at all.
EN_MD = """
## Cost

First.

## Cost

Second; see [](#etfs) and [](#compute-share).

### section-etfs

### Key points heading

## **Bold** and `code` <script>x</script>

## 😀 !!

## 成本结构：DeepSeek-V3（671B）
"""
ZH_MD = "\n## 成本\n\n正文。\n\n## 成本\n\n正文。\n"
EVENT_EN = "On 23 February (US time) Jensen Huang addressed the sell-off"


def add_headings(project: Path) -> None:
    folder = project / BRIEF
    for name, extra in (("etfs.en.md", EN_MD), ("etfs.zh-CN.md", ZH_MD)):
        (folder / name).write_text((folder / name).read_text("utf-8") + "\n" + extra, "utf-8")
    # One more "Cost" earlier in the document, in a YAML block scalar of another section.
    edit(folder / "brief.yaml", EVENT_EN, f"## Cost\n\n        {EVENT_EN}")


def page(project: Path, lang: str) -> BeautifulSoup:
    return BeautifulSoup((project / f"{OUT}.{lang}.html").read_text("utf-8"), "html.parser")


def heading_ids(soup: BeautifulSoup) -> list[str]:
    return [h["id"] for h in soup.select("section h3[id], section h4[id], section h5[id], section h6[id]")
            if h["id"].startswith("md-")]


def test_heading_ids_are_prefixed_unique_and_stable(project: Path, run_cli: RunCli) -> None:
    add_headings(project)
    result = run_cli(project, "build", BRIEF, "--format", "html")
    assert result.exit_code == 0, result.output
    en = page(project, "en")
    assert heading_ids(en) == ["md-cost", "md-cost-2", "md-cost-3", "md-section-etfs",
                               "md-key-points-heading", "md-bold-and-code-script-x-script",
                               "md-heading", "md-成本结构-deepseek-v3-671b"]
    assert heading_ids(page(project, "zh-CN")) == ["md-成本", "md-成本-2"]
    for lang in ("en", "zh-CN"):
        soup = page(project, lang)
        ids = Counter(tag["id"] for tag in soup.find_all(id=True))
        assert not [i for i, n in ids.items() if n > 1], ids
        # template ids are untouched, and references still point at them
        assert soup.find(id="section-etfs").name == "section"
        assert soup.find(id="key-points-heading") is not None
        for link in soup.select("a.xref"):
            target = soup.find(id=link["href"][1:])
            assert target is not None and not target["id"].startswith("md-"), link
    assert en.find("script") is None
    first = (project / f"{OUT}.en.html").read_bytes()
    assert run_cli(project, "build", BRIEF, "--format", "html", "--force").exit_code == 0
    assert (project / f"{OUT}.en.html").read_bytes() == first


def outline(reader: PdfReader, items: list | None = None, depth: int = 0) -> list[tuple[int, str, int]]:
    """The PDF's bookmarks, flattened: (depth, title, page number)."""
    found: list[tuple[int, str, int]] = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            found += outline(reader, item, depth + 1)
        else:
            found.append((depth, item.title, reader.get_destination_page_number(item)))
    return found


@pytest.mark.pdf
def test_pdf_bookmarks_and_destinations_follow_the_headings(project: Path, run_cli: RunCli) -> None:
    add_headings(project)
    result = run_cli(project, "build", BRIEF, "--jobs", "1")
    assert result.exit_code == 0, result.output
    for lang, section, expected in (
        ("en", "Compute-related ETFs at a glance",
         [(1, "Cost"), (1, "Cost"), (2, "section-etfs"), (2, "Key points heading"),
          (1, "Bold and code <script>x</script>"), (1, "😀 !!"), (1, "成本结构：DeepSeek-V3（671B）")]),
        ("zh-CN", "算力相关ETF一览", [(1, "成本"), (1, "成本")]),
    ):
        path = project / f"{OUT}.{lang}.pdf"
        reader = PdfReader(path)
        marks = outline(reader)
        start = next(i for i, (_, title, _) in enumerate(marks) if title == section)
        depth = marks[start][0]
        after = [(d - depth, title) for d, title, _ in marks[start + 1:start + 1 + len(expected)]]
        assert after == expected, marks
        # Each heading's named destination is on the page that prints it.
        pages = [squash(text) for text in pdf_text(path).split("\f")]
        destinations = {name: reader.get_destination_page_number(dest)
                        for name, dest in reader.named_destinations.items() if name.startswith("md-")}
        headings = page(project, lang).select("section [id^=md-]")
        assert set(destinations) == {h["id"] for h in headings}
        for heading in headings:
            words = re.findall(r"\w+", heading.get_text())
            assert not words or squash(words[0]) in pages[destinations[heading["id"]]], heading


def test_heading_ids_are_not_link_targets(project: Path, run_cli: RunCli) -> None:
    """Markdown links name sections and exhibits by id; a heading id is for URLs and the PDF."""
    add_headings(project)
    md = project / BRIEF / "etfs.en.md"
    md.write_text(md.read_text("utf-8") + "\nBack to [costs](#md-cost).\n", "utf-8")
    assert_error(check(run_cli, project), f"{BRIEF}/etfs.en.md", line_of(md, "Back to [costs]"),
                 "link to unknown exhibit or section '#md-cost'")
