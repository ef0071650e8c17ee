"""The PDFs as a reader (and a compliance officer) gets them: text, fonts, metadata, every page."""

from __future__ import annotations

import datetime as dt
import re
import statistics
import subprocess
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from briefs.load.project import load_project
from briefs.pipeline.outputs import flat_name
from briefs.project.config import load_config

from .conftest import LANGS, ROOT, Built

pytestmark = pytest.mark.pdf
LICENCE = re.compile(r"S\d{13}")


def pdf_text(path: Path) -> list[str]:
    """Text of each page (pdftotext, layout order)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


QUOTES = str.maketrans("‘’“”", "''\"\"")


def squash(text: str) -> str:
    """Drop white space and hyphens: lines break anywhere, and English ones may break with an
    automatic hyphen that pdftotext cannot tell from a typed one. Typographic quotes count as the
    ASCII ones typed in the content (English prints “ ” ’). Apply to both sides."""
    return re.sub(r"[\s\-\u2010]+", "", text).translate(QUOTES)


def fingerprint(markdown: str) -> str:
    """The first 40 characters of a text's longest sentence (its most distinctive part)."""
    sentences = re.split(r"[。；;]|\.\s", re.sub(r"[*_`#>]", "", markdown))
    return squash(max(sentences, key=len))[:40]


@pytest.fixture(scope="module")
def project():  # type: ignore[no-untyped-def]
    return load_project(load_config(ROOT))


def test_four_files_per_brief(built: Built, project) -> None:  # type: ignore[no-untyped-def]
    assert len(project.briefs) >= 3
    for loaded in project.briefs:
        for lang in LANGS:
            for ext in ("html", "pdf"):
                path = built.file(loaded.brief.id, lang, ext)
                assert path.is_file() and path.stat().st_size > 1000, path


RESEARCH_ZH = ["分析师声明", "免责声明", "沪深300", "恒生指数", "买入", "增持", "减持", "卖出"]
RESEARCH_EN = ["Analyst Certification", "Disclaimer", "CSI 300", "Hang Seng", "Buy", "Sell"]


def research_briefs(project) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.brief.id for b in project.briefs
            if project.library.kind(b.brief.kind).rating_definitions]


def test_research_briefs_carry_certification_disclaimer_and_ratings(built: Built, project) -> None:  # type: ignore[no-untyped-def]
    ids = research_briefs(project)
    assert len(ids) >= 3
    for brief_id in ids:
        zh = squash("".join(pdf_text(built.file(brief_id, "zh-CN", "pdf"))))
        en_text = "".join(pdf_text(built.file(brief_id, "en", "pdf")))
        en = " ".join(re.sub(r"(?<=[a-z])-\n(?=[a-z])", "", en_text).split())
        for phrase in RESEARCH_ZH:
            assert phrase in zh, (brief_id, phrase)
        for phrase in RESEARCH_EN:
            assert phrase in en, (brief_id, phrase)
        assert LICENCE.search(zh) and LICENCE.search(en)


def test_every_disclaimer_of_the_kind_is_printed_in_its_language(built: Built, project) -> None:  # type: ignore[no-untyped-def]
    lib = project.library
    for loaded in project.briefs:
        kind = lib.kind(loaded.brief.kind)
        others = [d for d in lib.disclaimers.disclaimers if d.id not in kind.disclaimers]
        for lang in LANGS:
            text = squash("".join(pdf_text(built.file(loaded.brief.id, lang, "pdf"))))
            for disclaimer_id in kind.disclaimers:
                d = lib.disclaimer(disclaimer_id)
                assert squash(d.title[lang]) in text, (loaded.brief.id, lang, d.id)
                # the body, not just the heading
                assert fingerprint(d.text[lang]) in text, (loaded.brief.id, lang, d.id)
            for d in others:
                assert fingerprint(d.text[lang]) not in text, (loaded.brief.id, d.id)


def test_signing_analysts_licences_are_printed(built: Built, project) -> None:  # type: ignore[no-untyped-def]
    for loaded in project.briefs:
        for lang in LANGS:
            text = squash("".join(pdf_text(built.file(loaded.brief.id, lang, "pdf"))))
            for analyst_id in loaded.brief.analysts:
                analyst = project.library.analyst(analyst_id)
                assert analyst.licence in text
                assert squash(analyst.name[lang]) in text


def test_body_and_headings_are_in_the_briefs_own_language(built: Built, project) -> None:  # type: ignore[no-untyped-def]
    for loaded in project.briefs:
        for lang, other in (("zh-CN", "en"), ("en", "zh-CN")):
            text = squash("".join(pdf_text(built.file(loaded.brief.id, lang, "pdf"))))
            brief = loaded.brief
            assert squash(brief.title[lang]) in text
            for section in brief.sections:
                assert squash(section.heading[lang]) in text
                assert squash(section.heading[other]) not in text
            first_point = squash(re.sub(r"[*_`]", "", brief.key_points[0][lang]))[:30]
            assert first_point in text


def test_every_page_has_page_x_of_y_and_the_running_header(built: Built, project) -> None:  # type: ignore[no-untyped-def]
    patterns = {"zh-CN": r"第(\d+)页/共(\d+)页", "en": r"Page(\d+)of(\d+)"}
    for loaded in project.briefs:
        for lang in LANGS:
            pages = pdf_text(built.file(loaded.brief.id, lang, "pdf"))
            assert len(pages) >= 2
            for number, page in enumerate(pages, 1):
                found = re.findall(patterns[lang], squash(page))
                assert (str(number), str(len(pages))) in found, (loaded.brief.id, lang, number)
                reminder = "重要声明" if lang == "zh-CN" else "important disclosures"
                assert squash(reminder) in squash(page)
            for page in pages[1:]:
                assert squash(project.library.house.short_name[lang]) in squash(page)


def test_fonts_are_embedded_subset_and_cjk(built: Built, project) -> None:  # type: ignore[no-untyped-def]
    for loaded in project.briefs:
        for lang in LANGS:
            out = subprocess.run(["pdffonts", str(built.file(loaded.brief.id, lang, "pdf"))],
                                 capture_output=True, text=True, check=True).stdout
            rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
            assert rows
            for row in rows:
                emb, sub = row[-5], row[-4]
                assert (emb, sub) == ("yes", "yes"), row
            assert any("CJK" in row[0] for row in rows)


def test_metadata_language_and_structure(built: Built, project) -> None:  # type: ignore[no-untyped-def]
    for loaded in project.briefs:
        for lang in LANGS:
            reader = PdfReader(built.file(loaded.brief.id, lang, "pdf"))
            meta = reader.metadata
            assert meta.title.translate(QUOTES) == loaded.brief.title[lang]
            for analyst_id in loaded.brief.analysts:
                assert project.library.analyst(analyst_id).name[lang] in meta.author.translate(QUOTES)
            root = reader.trailer["/Root"]
            assert str(root["/Lang"]) == lang
            assert "/StructTreeRoot" in root  # tagged PDF
            assert meta.creation_date.date() == loaded.brief.date


def test_every_brief_has_a_traditional_chinese_edition(built: Built, project) -> None:  # type: ignore[no-untyped-def]
    for loaded in project.briefs:
        path = built.file(loaded.brief.id, "zh-HK", "pdf")
        text = squash("".join(pdf_text(path)))
        assert "聲明" in text and "声明" not in text
        assert "第1頁/共" in text and "页" not in text  # the template catalog is converted too
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        assert "CJK-HK" in fonts
        assert str(PdfReader(path).trailer["/Root"]["/Lang"]) == "zh-HK"


CLOSING = "，。、；：？！）」』】》”’"


def test_no_chinese_line_begins_with_closing_punctuation(built: Built, project) -> None:  # type: ignore[no-untyped-def]
    for loaded in project.briefs:
        for lang in ("zh-CN", "zh-HK"):
            lines = [line.strip() for page in pdf_text(built.file(loaded.brief.id, lang, "pdf"))
                     for line in page.splitlines() if line.strip()]
            assert len(lines) > 50
            bad = [line for line in lines if line[0] in CLOSING]
            assert not bad, (loaded.brief.id, lang, bad[:3])


def test_english_is_hyphenated_and_declared(built: Built, project) -> None:  # type: ignore[no-untyped-def]
    hyphenated = 0
    for loaded in project.briefs:
        pdf = built.file(loaded.brief.id, "en", "pdf")
        # -raw: plain pdftotext joins a word hyphenated at a line end back together
        text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        html = built.file(loaded.brief.id, "en", "html").read_text(encoding="utf-8")
        # An automatic hyphen: "re-" / "turn" at a line end where the source has "return".
        for head, tail in re.findall(r"([A-Za-z]+)-\n([a-z]+)", text):
            hyphenated += f"{head}{tail}" in html and f"{head}-{tail}" not in html
        assert "\u2010" not in text, "the hyphen is U+002D (the CJK font's U+2010 is full-width)"
    assert hyphenated > 0, "hyphens: auto with lang=en should hyphenate some long words"


def test_pdf_is_archival_tagged_and_carries_its_sources(built: Built, project) -> None:  # type: ignore[no-untyped-def]
    for loaded in project.briefs:
        for lang in LANGS:
            reader = PdfReader(built.file(loaded.brief.id, lang, "pdf"))
            root = reader.trailer["/Root"]
            xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
            assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp
            assert "/StructTreeRoot" in root and "/OutputIntents" in root
            attached = reader.attachments
            assert attached["brief.yaml"] == [loaded.path.read_bytes()]
            for (_section, text_lang), body in loaded.bodies.items():
                name = body.origin.path.name
                if body.origin.path != loaded.path:  # a body_file
                    assert (name in attached) == (text_lang == lang), (name, lang)
            used = yaml.safe_load(attached[flat_name("_shared/used.yaml")][0])
            kind = project.library.kind(loaded.brief.kind)
            assert [d["id"] for d in used["disclaimers"]] == kind.disclaimers
            for d in used["disclaimers"]:
                assert d["version"] == project.library.disclaimer(d["id"]).version
            assert sorted(a["id"] for a in used["analysts"]) == sorted(
                (*loaded.brief.analysts, *loaded.brief.contacts))


@pytest.mark.parametrize("epoch", ["1740000000", None])
def test_same_inputs_give_identical_bytes(tmp_path: Path, monkeypatch, epoch: str | None) -> None:  # type: ignore[no-untyped-def]
    from briefs.pipeline.run import build

    if epoch is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    config = load_config(ROOT)
    brief = [ROOT / "content" / "compute-etf-note"]
    first = build(config, brief, out=tmp_path / "a")
    second = build(config, brief, out=tmp_path / "b")
    assert len(first.written) == len(second.written) == 4
    for a, b in zip(first.written, second.written, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    created = PdfReader(first.written[1]).metadata.creation_date
    date = load_project(config, brief).briefs[0].brief.date  # as written in its brief.yaml
    brief_date = dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)
    assert brief_date.timestamp() > 1740000000  # so the epoch, when set, clamps it
    assert created.timestamp() == (1740000000 if epoch else brief_date.timestamp())


def _outline_pages(reader: PdfReader) -> dict[str, int]:
    """Bookmark title → 0-based page, for every bookmark at any depth."""
    pages: dict[str, int] = {}

    def walk(items: list) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                pages.setdefault(item.title, reader.get_destination_page_number(item))
    walk(reader.outline)
    return pages


@pytest.mark.parametrize("lang", (*LANGS, "zh-HK"))
def test_no_nearly_empty_page_and_short_blocks_stay_whole(built: Built, lang: str) -> None:
    """The back matter (sources, then the disclosures) follows the text in order without a forced
    page break, so no page but the last is left nearly empty; each rating scale is on one page."""
    from bs4 import BeautifulSoup

    for brief_id in built.briefs:
        html = BeautifulSoup(built.file(brief_id, lang, "html").read_text("utf-8"), "html.parser")
        pdf = built.file(brief_id, lang, "pdf")
        reader = PdfReader(pdf)
        bookmarks = _outline_pages(reader)
        heading = lambda selector, html=html: html.select_one(selector).get_text(strip=True)  # noqa: E731
        order = [bookmarks[heading("#risks h2")], bookmarks[heading("#disclosures-heading")]]
        if html.select_one("#sources"):
            order.insert(1, bookmarks[heading("#sources h2")])
        assert order == sorted(order), (brief_id, order)
        pages = [squash(text) for text in pdf_text(pdf)]
        typical = statistics.median(len(text) for text in pages)
        for number, text in enumerate(pages[:-1], start=1):
            assert len(text) >= 0.4 * typical, (
                f"{brief_id} ({lang}): page {number} is nearly empty "
                f"({len(text)} characters; a typical page has {typical:.0f})")
        for scale in html.select(".rating-definitions h4"):
            definitions = scale.find_next_sibling("dl").select("dd")
            first, last = squash(scale.get_text()), squash(definitions[-1].get_text())
            assert any(first in text and last in text for text in pages), (
                f"{brief_id} ({lang}): the scale {scale.get_text()!r} is split across pages")
