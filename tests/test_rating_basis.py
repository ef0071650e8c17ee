"""The sentence that says over what period ratings are measured never contradicts the scales
whose definitions follow it: the example house measures industries over 6 months and companies
over 6–12, so the sentence refers to each scale's horizon instead of stating one period (it said
"over the 6 months" above "over the next 6–12 months"); when every scale measures over the
house's one basis period, the sentence states it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from briefs.pipeline.run import build
from briefs.project.config import load_config

from .conftest import EXAMPLES, Built, edit

PERIOD = {"en": re.compile(r"(\d+(?:–\d+)?) months"), "zh-CN": re.compile(r"(\d+(?:–\d+)?)个月")}


def _periods(page: lxml_html.HtmlElement, lang: str) -> tuple[set[str], set[str]]:
    """The periods the basis sentence states, and those the rating definitions state."""
    basis = page.find_class("rating-basis")[0].text_content()
    definitions = page.get_element_by_id("rating-definitions").find(".//dl").getparent()
    stated = {m for dd in definitions.iter("dd") for m in PERIOD[lang].findall(dd.text_content())}
    return set(PERIOD[lang].findall(basis)), stated


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_basis_sentence_states_no_period_a_scale_contradicts(built_html: Built, lang: str) -> None:
    checked = 0
    for brief in EXAMPLES:
        page = lxml_html.parse(str(built_html.file(brief, lang, "html"))).getroot()
        if not page.find_class("rating-basis"):
            continue
        basis, stated = _periods(page, lang)
        assert stated == {"6", "6–12"}, (brief, stated)  # the example house's two horizons
        assert not basis, f"{brief} ({lang}): the basis states {basis}, the scales {stated}"
        checked += 1
    assert checked >= 5


def test_one_horizon_for_every_scale_is_stated(small_project: Path, tmp_path: Path) -> None:
    edit(small_project / "content" / "_shared" / "ratings.yaml", "horizon_months: [6, 12]", "horizon_months: [6, 6]")
    out = tmp_path / "out"
    build(load_config(small_project), langs=("zh-CN", "en"), formats=("html",), out=out)
    brief = "wechat-r1-inference"
    for lang in ("zh-CN", "en"):
        page = lxml_html.parse(str(out / brief / f"{brief}.{lang}.html")).getroot()
        basis, stated = _periods(page, lang)
        assert basis == stated == {"6"}, (lang, basis, stated)
