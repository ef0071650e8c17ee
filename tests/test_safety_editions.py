"""Issue 14 (8): a derived edition (zh-HK, OpenCC s2hk from zh-CN) converts text, never what names
something: image files, link targets, reference definitions, e-mail addresses, code, heading ids.

Before, the whole Markdown was converted: ``图表.png`` became ``圖表.png`` (not published, so the
zh-HK PDF failed while ``check --lang zh-HK`` passed, and ``distribute`` refused zh-HK recipients)
and ``https://example.com/中文/报告`` became ``…/中文/報告``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from pypdf import PdfReader

from briefs.localize.i18n import Edition


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about editions, not about the
    examples."""
    return small_project


BRIEF = Path("content") / "compute-etf-note"
HK = Edition("zh-HK", "zh-CN", "s2hk")


def _add(project: Path, markdown: str) -> None:
    body = project / BRIEF / "etfs.zh-CN.md"
    body.write_text(body.read_text("utf-8") + "\n\n" + markdown + "\n", "utf-8")


def _page(out: Path, lang: str) -> BeautifulSoup:
    return BeautifulSoup((out / "compute-etf-note" / f"compute-etf-note.{lang}.html").read_text("utf-8"),
                         "html.parser")


def _section(page: BeautifulSoup) -> BeautifulSoup:
    """The body section holding the added Markdown."""
    found = [s for s in page.select("section") if s.find("img") or s.find("code")]
    assert found, "the added Markdown is in no section"
    return found[-1]


@pytest.mark.pdf
def test_an_image_and_a_link_keep_their_names_in_the_derived_edition(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """The issue's case: an image 图表.png and a link https://example.com/中文/报告 in a zh-CN body."""
    Image.new("RGB", (40, 20), (30, 90, 160)).save(project / BRIEF / "图表.png")
    _add(project, "![图表：示意图](图表.png)\n\n详见[完整报告](https://example.com/中文/报告)。")

    check = run_cli(project, "check", str(BRIEF), "--lang", "zh-CN,zh-HK")
    assert check.exit_code == 0, check.output
    result = run_cli(project, "build", str(BRIEF), "--lang", "zh-CN,zh-HK", "--out", "out", "--jobs", "1")
    assert result.exit_code == 0, result.output  # the zh-HK PDF found its picture
    out = project / "out"

    cn, hk = _section(_page(out, "zh-CN")), _section(_page(out, "zh-HK"))
    assert hk.img["src"] == cn.img["src"] and unquote(hk.img["src"]) == "图表.png"
    assert (out / "compute-etf-note" / "图表.png").read_bytes() == (project / BRIEF / "图表.png").read_bytes()
    assert not list(out.rglob("圖表.png"))
    link = hk.find("a", href=lambda h: h and h.startswith("https://"))
    assert unquote(link["href"]) == "https://example.com/中文/报告"
    assert link["href"] == cn.find("a", href=lambda h: h and h.startswith("https://"))["href"]
    # The prose around them is converted.
    assert hk.img["alt"] == "圖表：示意圖"
    assert link.get_text() == "完整報告" and "詳見" in hk.get_text()

    pdf = PdfReader(out / "compute-etf-note" / "compute-etf-note.zh-HK.pdf")
    assert sum(len(page.images) for page in pdf.pages) >= 1, "the picture is in the zh-HK PDF"


def test_targets_code_and_marked_text_stay_as_written_in_every_syntax(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """Variants: e-mail, reference-style definition (its title is text), autolink, code span and
    block, a bare URL in prose, a span marked zh-CN, and heading ids (an #anchor keeps working)."""
    _add(project, "\n\n".join([
        "## 成本结构",
        "请[联络研究部](mailto:联络部@example.com)，或阅读[报告全文][参考]与<https://example.com/简体/页面>。",
        '[参考]: https://example.com/报告/全文 "报告标题"',
        "数据见 `数据/图表.csv`，网址 https://example.com/简体/数据 亦可。",
        "```\n配置/图表.yaml\n```",
        "港股代码见[中国移动]{lang=zh-CN}公告。",
    ]))
    result = run_cli(project, "build", str(BRIEF), "--lang", "zh-CN,zh-HK", "--format", "html", "--out", "out")
    assert result.exit_code == 0, result.output
    cn, hk = _section(_page(project / "out", "zh-CN")), _section(_page(project / "out", "zh-HK"))

    def hrefs(page: BeautifulSoup) -> list[str]:
        return [a["href"] for a in page.select("a[href^='mailto:'], a[href^='https://example.com']")]

    assert hrefs(hk) == hrefs(cn) and [unquote(h) for h in hrefs(hk)] == [
        "mailto:联络部@example.com", "https://example.com/报告/全文", "https://example.com/简体/页面"]
    reference = hk.find("a", href=lambda h: h and "%E5%85%A8%E6%96%87" in h)
    assert reference["title"] == "報告標題" and reference.get_text() == "報告全文"
    assert hk.find("a", string="https://example.com/简体/页面") is not None  # an autolink shows its address
    assert "聯絡研究部" in hk.get_text()
    assert [c.get_text() for c in hk.find_all("code")][-2:] == ["数据/图表.csv", "配置/图表.yaml\n"]
    assert "https://example.com/简体/数据" in hk.get_text() and "數據見" in hk.get_text()
    assert hk.find("span", lang="zh-CN").get_text() == "中国移动"
    heading = next(h for h in hk.find_all("h4") if h.get_text() == "成本結構")
    assert heading["id"] == next(h for h in cn.find_all("h4") if h.get_text() == "成本结构")["id"] == "md-成本结构"


def test_plain_texts_keep_their_addresses() -> None:
    """Texts that are not Markdown (titles, table cells): URLs and e-mail addresses kept."""
    assert HK.derive("联络：research@example.com，网址 https://example.com/简体/页") == \
        "聯絡：research@example.com，網址https://example.com/简体/页"
    assert HK.derive("图表") == "圖表"
    text, convert = HK.markdown({"zh-CN": "![图](图.png)"})
    assert text == "![图](图.png)" and convert is not None and convert("图") == "圖"
    assert Edition("zh-CN").markdown({"zh-CN": "图 A"}) == ("图A", None)


def test_catalog_strings_of_a_derived_edition_keep_their_addresses(tmp_path: Path) -> None:
    """The zh-HK catalog is zh-CN's converted: its prose, plural forms included, not its addresses."""
    from briefs.localize.i18n import translations

    po = tmp_path / "locales" / "zh_CN" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
                  '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
                  'msgid "Contact"\nmsgstr "联系 research@example.com 或见 https://example.com/简体/说明"\n\n'
                  'msgid "%(n)s report"\nmsgid_plural "%(n)s reports"\nmsgstr[0] "%(n)s份报告"\n', "utf-8")
    from briefs.render.theme import Theme

    hk = translations(Theme(project=None, package=tmp_path), HK)
    assert hk.gettext("Contact") == "聯繫 research@example.com 或見 https://example.com/简体/说明"
    assert hk.ngettext("%(n)s report", "%(n)s reports", 2) == "%(n)s份報告"
