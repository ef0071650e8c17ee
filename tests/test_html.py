"""The HTML editions: language, metadata, twins, escaping, and mandatory text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from briefs.load.project import load_project
from briefs.pipeline.planning import plan
from briefs.project.config import load_config

from .conftest import LANGS, ROOT, Built, edit

HAN = re.compile(r"[\u4e00-\u9fff]")


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def test_html_declares_language_viewport_and_twins(built_html: Built) -> None:
    editions = (*LANGS, "zh-HK")
    for brief_id in built_html.briefs:
        for lang in editions:
            path = built_html.file(brief_id, lang, "html")
            page = soup(path)
            assert page.html["lang"] == lang
            viewport = page.find("meta", attrs={"name": "viewport"})
            assert viewport and "width=device-width" in viewport["content"]
            visible = {a["hreflang"]: a["href"] for a in page.select("nav.languages a")}
            links = {link["hreflang"]: link["href"] for link in page.find_all("link", rel="alternate")}
            twins = {other: built_html.file(brief_id, other, "html").name for other in editions if other != lang}
            assert links == visible == twins, path
            assert all((path.parent / href).is_file() for href in links.values())


def test_fixed_strings_follow_the_language(built_html: Built) -> None:
    headings = {"zh-CN": ("主要观点", "风险提示", "重要声明"), "en": ("Key points", "Risk factors",
                                                                    "Important disclosures")}
    for brief_id in built_html.briefs:
        for lang, other in (("zh-CN", "en"), ("en", "zh-CN")):
            text = soup(built_html.file(brief_id, lang, "html")).get_text()
            for heading in headings[lang]:
                assert heading in text
            for heading in headings[other]:
                assert heading not in text


def test_english_edition_is_english(built_html: Built) -> None:
    for brief_id in built_html.briefs:
        page = soup(built_html.file(brief_id, "en", "html"))
        for alt in page.select(".alt-name"):
            alt.decompose()  # names in their original script are intended
        text = page.body.get_text()
        assert len(HAN.findall(text)) / len(text) < 0.005


def test_zh_date_format_and_en_long_date(built_html: Built) -> None:
    project = load_project(load_config(ROOT))
    for loaded in project.briefs:
        d = loaded.brief.date
        zh = soup(built_html.file(loaded.brief.id, "zh-CN", "html")).get_text()
        en = soup(built_html.file(loaded.brief.id, "en", "html")).get_text()
        assert f"{d.year}年{d.month}月{d.day}日" in zh
        assert f"{d.day} {d:%B} {d.year}" in en  # British: 5 February 2025
        assert f"{d:%B} {d.day}, {d.year}" not in en


def test_content_is_escaped_not_interpreted(project: Path) -> None:
    brief = project / "content" / "wechat-r1-inference" / "brief.yaml"
    text = brief.read_text("utf-8")
    first_zh_title = re.search(r"title:\n\s+zh-CN: (.+)\n", text)
    assert first_zh_title
    edit(brief, first_zh_title.group(1), "R&D <script>alert(1)</script> <b>粗</b>")
    md = project / "content" / "wechat-r1-inference" / "thesis.en.md"
    md.write_text(md.read_text("utf-8") + "\n\n<img src=x onerror=alert(1)> <a href=\"javascript:alert(1)\">x</a>\n",
                  "utf-8")
    config = load_config(project)
    documents = plan(load_project(config, [project / "content" / "wechat-r1-inference"]), LANGS)
    zh = BeautifulSoup(documents[0].html, "html.parser")
    assert zh.find("script") is None and zh.find("b") is None
    assert "R&D <script>alert(1)</script>" in zh.find("h1").get_text()
    en = BeautifulSoup(documents[1].html, "html.parser")
    assert en.find("img") is None
    assert not en.find("a", href=re.compile("^javascript:", re.I))
    assert "<img src=x onerror=alert(1)>" in en.get_text()


def test_rating_definitions_follow_the_scale_data(project: Path) -> None:
    """One edit in ratings.yaml changes every brief's definition sentences, in both languages."""
    ratings = project / "content" / "_shared" / "ratings.yaml"
    text = ratings.read_text("utf-8")
    buy = re.search(r"id: buy.*?min: 15", text, re.S)
    assert buy, "expected the buy band at +15%"
    ratings.write_text(text[: buy.start()] + buy.group().replace("min: 15", "min: 17") + text[buy.end():],
                       "utf-8")
    config = load_config(project)
    for document in plan(load_project(config), LANGS):
        page = BeautifulSoup(document.html, "html.parser")
        scales = page.select("#rating-definitions dl.scale-company div")
        if not scales:
            continue
        buy_row = scales[0].get_text()
        assert "17%" in buy_row and "15%" not in buy_row, buy_row


@pytest.mark.parametrize("lang", LANGS)
def test_analyst_certification_sits_in_the_disclosures(built_html: Built, lang: str) -> None:
    for brief_id in built_html.briefs:
        page = soup(built_html.file(brief_id, lang, "html"))
        block = page.select_one("#disclosures")
        assert block is not None
        if "fund" in page.body["class"][1]:
            assert page.select_one("#disclaimer-fund-risk-warning") is not None
            assert page.select_one("#rating-definitions") is None
        else:
            assert block.select_one("#disclaimer-analyst-certification") is not None
            assert block.select_one("#rating-definitions") is not None
