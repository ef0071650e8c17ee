"""Wording and typography a print reader noticed, checked on the built HTML of the examples: a
company's own note joins its ticker's brackets, dates and signed figures are never broken, one
capitalisation of the rating action, one English date style, the minus sign in generated
figures, Hong Kong words in zh-HK (issue 19's page-by-page review)."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest

from briefs.model.conflicts import ELEMENTS
from briefs.pipeline.run import build
from briefs.project.config import load_config

ROOT = Path(__file__).resolve().parent.parent
BRIEFS = ("deepseek-cost-performance", "tencent-wechat-deepseek", "deepseek-win-win-summary")
EDITIONS = ("zh-CN", "en", "zh-HK")
Pages = dict[tuple[str, str], lxml.html.HtmlElement]

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATES = re.compile(rf"\d{{1,2}} (?:{_MONTHS}) \d{{4}}|\d{{4}}年\d{{1,2}}月\d{{1,2}}日")
SHORT_MONTH = re.compile(r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec) \d{4}\b")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Pages:
    out = tmp_path_factory.mktemp("print-wording")
    result = build(load_config(ROOT), [ROOT / "content" / b for b in BRIEFS], EDITIONS, ("html",), out, portal=False)
    assert not result.failed
    return {
        (b, lang): lxml.html.fromstring((out / b / f"{b}.{lang}.html").read_bytes())
        for b in BRIEFS
        for lang in EDITIONS
    }


def _text(node: lxml.html.HtmlElement) -> str:
    return " ".join(node.text_content().split())


def test_a_companys_own_note_shares_the_brackets_of_its_ticker(pages: Pages) -> None:
    expected = {
        "en": "Kingsoft Cloud (KC.O, not covered)",
        "zh-CN": "金山云（KC.O，未覆盖）",
        "zh-HK": "金山雲（KC.O，未覆蓋）",
    }
    for lang in EDITIONS:
        page = pages[("deepseek-cost-performance", lang)]
        for element in ELEMENTS:
            text = _text(page.get_element_by_id(f"conflict-{element}"))
            assert expected[lang] in text, (lang, element)
            assert ") (" not in text and "）（" not in text, (lang, element)


def test_dates_in_statements_and_paragraphs_are_kept_on_one_line(pages: Pages) -> None:
    checked = 0
    for (brief, lang), page in pages.items():
        for paragraph in page.xpath("//p | //dd"):
            kept = [
                _text(s) for s in paragraph.xpath(".//span[contains(@class,'nh') or contains(@class,'nw')] | .//time")
            ]
            for date in DATES.findall(_text(paragraph)):
                checked += 1
                assert any(date in k for k in kept), (brief, lang, date, _text(paragraph))
    assert checked >= 6  # the disclosures' dates in three briefs and three editions


def test_the_rating_action_is_written_one_way(pages: Pages) -> None:
    for lang in EDITIONS:
        page = pages[("tencent-wechat-deepseek", lang)]
        action = _text(page.xpath("//*[@class='rating-change']")[0]).strip(" ()（）")
        phone = _text(page.xpath("//*[@class='phone-rating']")[0])
        assert action and action in phone, (lang, action, phone)
    assert "upgraded" in _text(pages[("tencent-wechat-deepseek", "en")].xpath("//*[@class='phone-rating']")[0])


def test_english_dates_have_one_style(pages: Pages) -> None:
    for brief in BRIEFS:
        text = _text(pages[(brief, "en")].xpath("//body")[0])
        assert not SHORT_MONTH.findall(text), brief
        assert DATES.search(text), brief


def test_generated_negative_figures_use_the_minus_sign(pages: Pages) -> None:
    for lang in EDITIONS:
        scales = _text(pages[("deepseek-cost-performance", lang)].get_element_by_id("rating-definitions"))
        assert "−5%" in scales, lang
        assert not re.search(r"(?<![\w-])-\d", scales), lang


def test_zh_hk_uses_hong_kong_words_for_quality_and_activation(pages: Pages) -> None:
    text = _text(pages[("deepseek-win-win-summary", "zh-HK")].xpath("//main")[0])
    assert "回答的質素" in text and "啟用" in text
    assert "質量" not in text and "激活" not in text
    assert "算法" in text  # used in Hong Kong too: left alone
