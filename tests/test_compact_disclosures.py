"""Compact disclosures (kinds.yaml ``disclosures: compact``; a company-flash kind as a house declares it): a
one-page company note prints on two pages, its disclosures in two columns, and every required
element is still in the PDF's text: each disclaimer, each rating definition with its benchmark,
each conflict statement and the jurisdiction's pack elements."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from lxml import etree
from lxml import html as lxml_html
from pypdf import PdfReader

from briefs.load.project import load_library
from briefs.pipeline.run import build
from briefs.project.config import load_config

from .conftest import approve_again, copy_project

BRIEF = "tencent-wechat-deepseek"
LANGS = ("zh-CN", "en", "zh-HK")
# A4 in points, less the page margins of brief.css (20 mm top on page 1, the running header of later
# pages above 19 mm; 18 mm bottom): the running header and footer are left out of the text compared
TOP, BOTTOM, WIDTH, HEIGHT = 57, 52, 595, 842


# A house's one-page flash note on a company, as kinds.yaml declares it: the disclosures set
# compact (two columns, smaller type), every element kept. (Not in the example project: every kind
# there has an example brief and visual references.)
FLASH_KIND = """\
  - id: company-flash
    label: {zh-CN: 公司快评, en: Company Flash}
    rating: required
    rating_scale: company
    company: true
    disclaimers: [analyst-certification, general-disclaimer, distribution]
    rating_definitions: true
    analysts_required: true
    disclosures: compact
"""


def one_page_note(dest: Path, kind: str) -> Path:
    """The Tencent note cut to a one-page company note (key points, one paragraph, two risks,
    two sources, no exhibits or estimates table), of ``kind``, approved again as a release would be
    (a draft's banner takes lines of the first page)."""
    project = copy_project(dest, theme=False)
    kinds = project / "content" / "_shared" / "kinds.yaml"
    kinds.write_text(kinds.read_text("utf-8").rstrip("\n") + "\n" + FLASH_KIND, "utf-8")
    path = project / "content" / BRIEF / "brief.yaml"
    text = path.read_text("utf-8")
    text = text[: text.index("  - id: view")] + text[text.index("risks:") : text.index("exhibits:")]
    text = text.replace("kind: company-comment", f"kind: {kind}")
    text = text.replace("estimates: {data: estimates.csv, currency: CNY, unit: million}\n", "")
    text = re.sub(r"\n\n        (在此之前|Cloud providers)[^\n]*", "", text)  # the event's second paragraph
    text = text.replace("  - competition\n", "")
    for source in ("公司公告及公开报道", "示例证券研究所整理"):
        text = re.sub(rf"  - text: {{zh-CN: {source}[^\n]*\n", "", text)
    path.write_text(text, "utf-8")
    data = yaml.safe_load(text)
    assert data["kind"] == kind and len(data["sections"]) == 1 and len(data["risks"]) == 2
    assert len(data["sources"]) == 2 and "exhibits" not in data and "estimates" not in data
    approve_again(project, BRIEF)
    return project


def body_text(pdf: Path) -> str:
    """The PDF's text inside the page margins, in reading order (column by column: a paragraph
    that continues on the next page reads on, though the first page's chart was drawn after it),
    without white space or hyphens (a word hyphenated at a line end reads whole)."""
    out = subprocess.run(
        [
            "pdftotext",
            "-x",
            "0",
            "-y",
            str(TOP),
            "-W",
            str(WIDTH),
            "-H",
            str(HEIGHT - TOP - BOTTOM),
            str(pdf),
            "-",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return squeeze(out)


def squeeze(text: str) -> str:
    return re.sub(r"[\s\-\u00ad\u2010]+", "", text)


def heading_positions(pdf: Path, html: Path, first_page: int) -> list[float]:
    """Where the disclosures' headings (their h3 and h4 in the HTML page) start, from ``first_page``
    on: the left edge of each PDF text line that reads as one of them."""
    page = lxml_html.parse(str(html)).getroot()
    headings = {squeeze(h.text_content()) for h in page.get_element_by_id("disclosures").iter("h3", "h4")}
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", "-f", str(first_page), str(pdf), "-"], check=True, capture_output=True
    ).stdout
    root = etree.fromstring(out, etree.XMLParser(recover=True))
    xhtml = "{http://www.w3.org/1999/xhtml}"
    return [
        float(line.get("xMin"))
        for line in root.iter(f"{xhtml}line")
        if squeeze("".join(w.text or "" for w in line.iter(f"{xhtml}word"))) in headings
    ]


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    built = {}
    for kind in ("company-flash", "company-comment"):
        project = one_page_note(tmp_path_factory.mktemp(kind) / "project", kind)
        result = build(
            load_config(project),
            (project / "content" / BRIEF,),
            langs=LANGS,
            formats=("html", "pdf"),
            out=project / "out",
            jobs=2,
        )
        assert not result.diagnostics and not result.failed, result.diagnostics
        built[kind] = project
    return built


def output(project: Path, lang: str, ext: str) -> Path:
    return project / "out" / BRIEF / f"{BRIEF}.{lang}.{ext}"


@pytest.mark.pdf
@pytest.mark.parametrize("lang", LANGS)
def test_a_one_page_flash_note_prints_on_two_pages(notes: dict[str, Path], lang: str) -> None:
    flash = len(PdfReader(output(notes["company-flash"], lang, "pdf")).pages)
    comment = len(PdfReader(output(notes["company-comment"], lang, "pdf")).pages)
    assert flash == 2 and comment > flash, (flash, comment)
    # two columns: some of the compact disclosures' headings start right of the page's middle (the
    # second column), and none of the full ones (one column: tables there may still reach across)
    flash_x, comment_x = (
        heading_positions(output(notes[kind], lang, "pdf"), output(notes[kind], lang, "html"), 2)
        for kind in ("company-flash", "company-comment")
    )
    assert len(flash_x) >= 10 and len(comment_x) >= 10, (flash_x, comment_x)
    assert sum(x > WIDTH / 2 for x in flash_x) >= 3, flash_x
    assert not [x for x in comment_x if x > WIDTH / 2], comment_x
    page = lxml_html.parse(str(output(notes["company-flash"], lang, "html"))).getroot()
    assert "compact" in page.get_element_by_id("disclosures").get("class").split()


@pytest.mark.pdf
@pytest.mark.parametrize("lang", LANGS)
def test_compact_disclosures_keep_every_required_element(notes: dict[str, Path], lang: str) -> None:
    project = notes["company-flash"]
    text = body_text(output(project, lang, "pdf"))
    page = lxml_html.parse(str(output(project, lang, "html"))).getroot()
    library = load_library(load_config(project))
    kind = library.kind("company-flash")
    assert kind is not None and kind.disclosures == "compact"

    def printed(node: lxml_html.HtmlElement) -> bool:
        return squeeze(node.text_content()) in text

    # every disclaimer this edition carries (its jurisdiction's in place of the kind's), whole
    for disclaimer_id in library.disclaimer_ids(kind, lang):
        section = page.get_element_by_id(f"disclaimer-{disclaimer_id}")
        paragraphs = section.findall(".//p")
        assert paragraphs and re.fullmatch(r"\d{4}\.\d+", section.get("data-version", ""))  # not printed
        missing = [p.text_content()[:40] for p in paragraphs if not printed(p)]
        assert not missing, (disclaimer_id, missing)
    # every rating definition, the rating basis and every benchmark index
    definitions = page.get_element_by_id("rating-definitions")
    rows = definitions.findall(".//dl/div")
    assert len(rows) == sum(len(s.values) for s in library.ratings.scales)
    for row in rows:
        assert printed(row.find("dt")) and printed(row.find("dd")), row.text_content()
    for cell in definitions.findall(".//table//td"):
        assert printed(cell), cell.text_content()
    assert printed(definitions.find("p"))
    # every conflict statement, under its heading
    conflicts = page.get_element_by_id("conflicts")
    statements = conflicts.findall(".//p")
    assert len(statements) >= 6
    assert all(printed(p) for p in statements), [p.text_content() for p in statements if not printed(p)]
    assert all(printed(h) for h in conflicts.findall(".//h4"))
    # the jurisdiction's pack elements, from the shared records themselves
    shared = project / "content" / "_shared"
    places = yaml.safe_load((shared / "jurisdictions.yaml").read_text("utf-8"))["jurisdictions"]
    house = yaml.safe_load((shared / "house.yaml").read_text("utf-8"))
    analysts = yaml.safe_load((shared / "analysts.yaml").read_text("utf-8"))["analysts"]
    licence = next(a["licence"] for a in analysts if a["id"] == "lin-qing")
    assert squeeze(licence) in text
    if lang == "zh-HK":
        hong_kong = next(p for p in places if p["id"] == "hong-kong")
        assert squeeze(hong_kong["entity"]["zh-HK"]) in text and hong_kong["licence"] in text
        for heading in hong_kong["headings"].values():
            assert squeeze(heading["zh-HK"]) in text, heading
    else:
        assert squeeze(house["name"][lang]) in text
        assert squeeze(house["qualification"][lang]) in text
