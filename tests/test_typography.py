"""Micro-typography per language (render/typography.py, localize/conventions.py) and the first
page's sidebar fitted to page 1 whatever its content (render/fit.py)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from briefs.localize.i18n import Edition, format_date, format_number
from briefs.render.fit import Fit, related_count
from briefs.render.markdown import render_block, render_inline
from briefs.render.typography import compress_punctuation, keep_whole, smart_quotes, typeset

from .conftest import edit


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_english_quotes_are_typographic_and_chinese_ones_are_left_alone() -> None:
    en = _soup(render_block('Users saw "server busy" and o1\'s answers.', lang="en")).get_text()
    assert "“server busy”" in en and "o1’s" in en and '"' not in en and "'" not in en
    zh = render_block('他说"服务器繁忙"。', lang="zh-CN")
    assert '"' in zh.unescape() or "&#34;" in zh or "&quot;" in zh  # no English quotes forced on Chinese
    assert smart_quotes("DeepSeek's \"R1\" and 'V3'") == "DeepSeek’s “R1” and ‘V3’"


def test_english_names_are_kept_whole_and_common_words_are_not() -> None:
    soup = _soup(render_block("DeepSeek-V3 runs on H800 GPUs at 0700.HK; generative inference scales.", lang="en"))
    kept = [span.get_text() for span in soup.select("span.nh")]
    assert "DeepSeek-V3" in kept and "0700.HK" in kept
    assert not {"generative", "inference", "scales"} & set(kept)
    assert soup.get_text().strip() == "DeepSeek-V3 runs on H800 GPUs at 0700.HK; generative inference scales."
    assert "span" not in render_block("DeepSeek-V3", lang="zh-CN")  # Chinese editions: no English rule


def test_code_and_links_keep_their_text() -> None:
    soup = _soup(render_block("See `DeepSeek-V3's` [DeepSeek-R1](https://example.com/R1-paper).", lang="en"))
    assert soup.code.get_text() == "DeepSeek-V3's"  # code is never retyped
    assert soup.a["href"] == "https://example.com/R1-paper"


def test_a_chinese_paragraph_keeps_two_characters_on_its_last_line() -> None:
    soup = _soup(render_block("低算力消耗源于低冗余和高效率，并非需求见顶。\n\n- 列表项（MTP）。", lang="zh-CN"))
    tails = [span.get_text() for span in soup.select("span.nw")]
    assert tails == ["见顶。", "TP）。"]
    assert soup.p.get_text() == "低算力消耗源于低冗余和高效率，并非需求见顶。"  # the text is unchanged
    heading = _soup(render_block("# 标题文字", lang="zh-CN"))
    assert not heading.select("span.nw")  # headings are not paragraphs
    inline = _soup(render_inline("**标题**：一些文字风险。", lang="zh-HK"))
    assert [s.get_text() for s in inline.select("span.nw")] == ["风险。"]


def test_runs_of_full_width_punctuation_are_compressed_in_the_text_only() -> None:
    page = ('<html><head><title>（甲）：乙</title><style>a::after{content:"）："}</style></head>'
            '<body><p title="（甲）：">多头注意力（MTP）：说明“引用”。</p>'
            '<svg><text>（一）：</text></svg></body></html>')
    out = compress_punctuation(page)
    soup = _soup(out)
    assert soup.p.get_text() == "多头注意力（MTP）：说明“引用”。"  # same characters, for extraction
    assert [s.get_text() for s in soup.p.select("span.halt")] == ["）", "”"]
    assert soup.title.get_text() == "（甲）：乙" and "halt" not in str(soup.svg) and soup.p["title"] == "（甲）："


def test_a_list_of_names_keeps_its_enumeration_comma_at_full_width() -> None:
    # pdftotext splits a line where a halved bracket meets 、 (the conflicts statements' lists)
    soup = _soup(compress_punctuation("<p>中国移动（600941.SH）、中国联通（600050.SH）：无。</p>"))
    assert [s.get_text() for s in soup.select("span.halt")] == ["）"]
    assert soup.p.get_text() == "中国移动（600941.SH）、中国联通（600050.SH）：无。"


def test_plain_statements_get_a_paragraphs_typography() -> None:
    en = _soup(str(typeset("Only Innolight (300308.SZ) and <b> & an ordinary-looking word", "en")))
    assert [s.get_text() for s in en.select("span.nh")] == ["Innolight", "300308.SZ"]
    assert en.get_text() == "Only Innolight (300308.SZ) and <b> & an ordinary-looking word"  # escaped
    zh = _soup(str(typeset("本公司与中兴通讯（000063.SZ）均无投资银行业务关系。", "zh-HK")))
    assert [s.get_text() for s in zh.select("span.nw")] == ["关系。"]
    assert zh.get_text() == "本公司与中兴通讯（000063.SZ）均无投资银行业务关系。"
    assert not _soup(str(typeset("Innolight 旭创", "zh-CN"))).select("span.nh")  # no English rule in Chinese
    assert str(typeset("关系", "en")) == "关系" and not _soup(str(typeset("No names here.", "zh-CN"))).select("span")


def test_sidebar_words_are_escaped_and_kept_whole() -> None:
    html = str(keep_whole("5-year CAGR <b>, DeepSeek-R1 & co"))
    assert html == '<span class="nh">5-year</span> CAGR &lt;b&gt;, <span class="nh">DeepSeek-R1</span> &amp; co'


def test_one_date_style_and_one_number_format_per_language() -> None:
    day = dt.date(2025, 2, 5)
    assert format_date(day, "en") == "5 February 2025"
    assert format_date(day, "zh-CN") == "2025年2月5日"
    assert format_number(1814, "zh-CN") == "1814" and format_number(12345, "zh-CN") == "12,345"
    assert format_number(1814, "en") == "1,814"
    assert Edition("en").text({"en": "DeepSeek's \"busy\""}) == "DeepSeek’s “busy”"
    assert Edition("zh-CN").text({"zh-CN": '他说"忙"'}) == '他说"忙"'


def test_related_reports_to_keep_cover_what_spilled() -> None:
    assert related_count(5, spilled=30.0, heights=[20.0, 20.0, 20.0, 20.0, 20.0]) == 3
    assert related_count(5, spilled=500.0, heights=[20.0] * 5) == 1  # always the newest one
    assert related_count(2, spilled=0.0, heights=[20.0, 20.0]) == 2
    assert ".related li:nth-child(n+3)" in Fit(related=2).css()
    assert ".related { display: none" in Fit(related=0).css()
    assert "7.8pt" in Fit(size_pt=7.8).css()


@pytest.mark.pdf
def test_a_long_sidebar_is_fitted_to_page_one(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """Twelve related reports and a long key-data box: the newest reports that fit are printed on
    page 1, the oldest dropped, and nothing of the sidebar reaches page 2."""
    brief = project / "content" / "deepseek-efficiency-not-deflation" / "brief.yaml"
    reports = "".join(
        f"  - title: {{zh-CN: 第{n}篇相关报告的较长标题用于测试侧栏排版,"
        f" en: Related report number {n} with a long title to fill the sidebar}}\n"
        f"    date: 2024-{n:02d}-10\n"
        for n in range(1, 13)
    )
    edit(brief, "related_reports:\n", "related_reports:\n" + reports)
    result = run_cli(project, "build", "content/deepseek-efficiency-not-deflation", "--lang", "en",
                     "--format", "pdf,html")
    assert result.exit_code == 0, result.output
    out = project / "output" / "deepseek-efficiency-not-deflation"
    html = _soup((out / "deepseek-efficiency-not-deflation.en.html").read_text("utf-8"))
    dates = [t.get_text() for t in html.select(".related time")]
    assert dates[0] == "16 February 2025" and dates[-1] == "10 January 2024"  # newest first; all on screen
    pdf = out / "deepseek-efficiency-not-deflation.en.pdf"
    page = [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout for n in (1, 2)]
    assert "16 February 2025" in page[0]  # the newest related report
    assert "10 January 2024" not in page[0] + page[1]  # the oldest dropped
    for text in ("Related reports", "February 2025", "December 2024", "@research.example.com"):
        assert text not in page[1], text
    assert "he.yu@research.example.com" in page[0]


def test_cjk_latin_spacing_is_one_house_rule() -> None:
    from briefs.render.typography import space_cjk_latin

    page = "<head><title>用DeepSeek</title></head><body><p>用1814张H800卡</p><svg><text>用A卡</text></svg></body>"
    assert space_cjk_latin(page, "none") == page
    quarter = _soup(space_cjk_latin(page, "quarter"))
    assert quarter.p.get_text() == "用1814张H800卡" and len(quarter.p.select("span.cjk-gap")) == 4
    assert quarter.title.get_text() == "用DeepSeek" and not quarter.svg.select("span")


def test_the_house_spacing_option_applies_to_every_chinese_text(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    edit(project / "content" / "_shared" / "house.yaml", "cjk_latin_spacing: none", "cjk_latin_spacing: quarter")
    result = run_cli(project, "build", "content/deepseek-efficiency-not-deflation", "--format", "html")
    assert result.exit_code == 0, result.output
    out = project / "output" / "deepseek-efficiency-not-deflation"
    zh = _soup((out / "deepseek-efficiency-not-deflation.zh-CN.html").read_text("utf-8"))
    for part in (".key-data", ".key-points", "main", ".disclosures"):
        assert zh.select_one(part).select("span.cjk-gap"), part  # sidebar, key points, text, back matter
    assert "1814张" in zh.select_one(".key-data").get_text()  # the words themselves are unchanged
    en = (out / "deepseek-efficiency-not-deflation.en.html").read_text("utf-8")
    assert "cjk-gap" not in en.replace(".cjk-gap", "")


def test_an_unknown_spacing_option_is_located(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    line = edit(project / "content" / "_shared" / "house.yaml", "cjk_latin_spacing: none", "cjk_latin_spacing: wide")
    result = run_cli(project, "check")
    assert result.exit_code == 1
    assert f"house.yaml:{line}:" in result.output and "cjk_latin_spacing" in result.output
    assert "Traceback" not in result.output


def test_plain_strings_keep_ranges_and_short_brackets_whole() -> None:
    """The sidebar's and the disclosures' plain strings: a range of figures never breaks at its dash
    (6–/12 months), a short bracketed phrase of Chinese words stays on one line, also when the
    compression of punctuation halves its closing bracket, and a sidebar title in Chinese keeps two
    characters on its last line."""
    en = _soup(str(typeset("over the next 6–12 months, 5%-15% in 2024-2026", "en")))
    assert [s.get_text() for s in en.select("span.nh")] == ["6–12", "5%-15%", "2024-2026"]
    statement = "金山云（未覆盖）（KC.O）、小米（未覆盖）、美图公司（未覆盖）"
    zh = _soup(compress_punctuation(str(typeset(statement, "zh-CN"))))
    kept = [s.get_text() for s in zh.select("span.nw, span.nh")]
    assert kept == ["（未覆盖）（", "（未覆盖）", "（未覆盖）"] and zh.select_one("span.halt").get_text() == "）"
    assert zh.get_text() == statement
    assert not _soup(str(typeset("说明（见图1）。", "zh-CN"))).select("span.nh")  # not words: left alone
    title = _soup(str(typeset("行业应用在政策推动下进入加速期", "zh-HK", whole=True)))
    assert [s.get_text() for s in title.select("span.nw")] == ["速期"]
    assert str(typeset("6–12 months", "en", whole=True)) == '<span class="nh">6–12</span> months'


def test_signed_figures_and_dates_are_never_broken() -> None:
    """A figure with its sign or unit (40%+, +17.8%, −5%), a range (20%–25%) and a date (12 September
    2024, 2024年9月12日) stay on one line, in plain strings and in Markdown, in both languages; a
    Chinese paragraph's last characters take the whole date with them (not …9月1 / 2日）。)."""
    en = "lifting it to 40%+ would put the margin at 20%+, +17.8% or −5% (20%–25%) on 12 September 2024."
    kept = ["40%+", "20%+", "+17.8%", "−5%", "20%–25%", "12 September 2024"]
    assert [s.get_text() for s in _soup(str(typeset(en, "en"))).select("span.nh")] == kept
    assert [s.get_text() for s in _soup(str(render_block(en, lang="en"))).select("span.nh")] == kept
    zh = "若付费率提升至40%+，利润率有望达到20%+。联席账簿管理人（2024年9月12日）。"
    plain = _soup(str(typeset(zh, "zh-CN")))
    assert [s.get_text() for s in plain.select("span.nh, span.nw")] == ["40%+", "20%+", "（2024年9月12日）。"]
    assert plain.get_text() == zh
    markdown = _soup(str(render_block(zh, lang="zh-CN")))
    assert "2024年9月12日" in [s.get_text() for s in markdown.select("span.nh, span.nw")]
    assert "40%+" in [s.get_text() for s in markdown.select("span.nh")]
    assert markdown.get_text().strip() == zh
    assert not _soup(str(typeset("H800 and DeepSeek-V3 in 2025", "en"))).find(string="2025")  # plain years stay text
