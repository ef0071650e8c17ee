"""Issue 18 (4, 5): editions as jurisdictions, and Hong Kong Chinese that reads as such.

Each edition is published in a jurisdiction (zh-CN and en: mainland China; zh-HK: Hong Kong),
whose rule pack every rendered page must pass and whose disclaimers it carries
(content/_shared/jurisdictions.yaml). zh-HK is converted with OpenCC's s2hkp, the house's phrase
table and 「」 quotes (content/_shared/phrases.yaml); a zh-HK text written by hand wins.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import Result

from briefs.localize.i18n import Edition
from briefs.localize.phrases import PhraseTable

from .conftest import EXAMPLES, ROOT, SMALL, Built, copy_project, edit, line_of

Run = Callable[..., Result]
THEME = ROOT / "briefs" / "themes" / "default"
PLUGIN = ROOT / "tests" / "plugins" / "briefs-example-plugin"
RESEARCH = tuple(b for b in EXAMPLES if b != "compute-etf-note")  # briefs signed by analysts


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs): these tests break a jurisdiction or a template, whatever the briefs are."""
    return small_project


SFC = ("示例證券（香港）有限公司", "證券及期貨事務監察委員會", "持牌法團", "中央編號：EXA000", "分發限制")
PARA_16 = ("本集團持有的財務權益", "莊家活動", "投資銀行業務關係", "分析員及其有聯繫者的權益", "高級人員職位")


def pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    return "".join(done.stdout.split())  # CJK lines wrap anywhere: compare without white space


def html_text(path: Path) -> str:
    return "".join(BeautifulSoup(path.read_text("utf-8"), "html.parser").body.get_text().split())


def assert_hong_kong(text: str, brief: str) -> None:
    for needle in SFC + (PARA_16 if brief in RESEARCH else ()):
        assert needle in text, (brief, needle)
    assert "不含香港" not in text  # the mainland's "excluding Hong Kong", in either script
    assert "“" not in text and "”" not in text  # every example writes “…” in its zh-CN text
    assert "「" in text and "」" in text


@pytest.mark.pdf
@pytest.mark.parametrize("brief", EXAMPLES)
def test_zh_hk_pdfs_carry_hong_kong_disclaimers_and_quotes(built: Built, brief: str) -> None:
    assert_hong_kong(pdf_text(built.file(brief, "zh-HK", "pdf")), brief)
    mainland = pdf_text(built.file(brief, "zh-CN", "pdf"))
    assert "证券及期货事务监察委员会" not in mainland and "EXA000" not in mainland
    if brief in RESEARCH:
        assert "不含香港特别行政区" in mainland  # the mainland edition keeps the mainland's text


@pytest.mark.pdf
def test_zh_hk_pdf_applies_the_phrase_table(built: Built) -> None:
    text = pdf_text(built.file("wechat-r1-inference", "zh-HK", "pdf"))
    assert "伺服器" in text and "服務器" not in text and "服务器" not in text
    assert "晶片" in text and "芯片" not in text
    assert "資訊" in text and "浪潮信息" in text  # a company's name holding 信息 is kept
    assert "「AI搜尋」" in text  # OpenCC's Hong Kong phrase (搜索 → 搜尋) and the house's quotes


@pytest.mark.parametrize("brief", EXAMPLES)
def test_zh_hk_html_carries_hong_kong_disclaimers(built_html: Built, brief: str) -> None:
    text = html_text(built_html.file(brief, "zh-HK", "html"))
    assert_hong_kong(text, brief)
    assert "服务器" not in text and "服務器" not in text


def test_zh_hk_html_keeps_names_figures_and_tickers(built_html: Built) -> None:
    etf = html_text(built_html.file("compute-etf-note", "zh-HK", "html"))
    assert "芯片ETF" in etf and "雲計算50ETF" in etf  # fund names: a phrase glued to Latin is kept
    assert "中證雲計算指數" in etf  # an index's name, kept by its own entry
    assert "國證半導體芯片指數" in etf and "國產晶片" in etf  # an index's name kept; prose converted
    wechat = html_text(built_html.file("wechat-r1-inference", "zh-HK", "html"))
    assert "000977.SZ" in wechat and "https://research.example.com" in wechat


def test_the_converter_swaps_phrases_first_and_quotes_last() -> None:
    table = PhraseTable(
        (("服务器", "伺服器"), ("芯片", "晶片"), ("视频号", "視頻號"), ("视频", "影片")),
        (("“", "「"), ("”", "」"), ("‘", "『"), ("’", "』")),
    )
    hk = Edition("zh-HK", "zh-CN", "s2hkp", table)
    assert hk.derive("“服务器”与‘芯片’，视频号的视频") == "「伺服器」與『晶片』，視頻號的影片"
    assert hk.derive("DeepSeek’s芯片ETF") == "DeepSeek’s芯片ETF"  # an apostrophe; a fund's name
    assert hk.derive("见https://example.com/芯片 的“芯片”") == "見https://example.com/芯片 的「晶片」"  # URLs kept
    assert Edition("zh-HK", "zh-CN", "s2hkp").derive("芯片") == "芯片"  # OpenCC alone keeps it


def test_a_hand_written_zh_hk_text_wins(project: Path, run_cli: Run) -> None:
    brief = project / "content" / "wechat-r1-inference" / "brief.yaml"
    edit(brief, "title:\n", "title:\n  zh-HK: 港版：“服务器”與芯片，信息照寫\n")
    result = run_cli(
        project, "build", "content/wechat-r1-inference", "--lang", "zh-HK", "--format", "html", "--out", "out"
    )
    assert result.exit_code == 0, result.output
    page = BeautifulSoup(
        (project / "out" / "wechat-r1-inference" / "wechat-r1-inference.zh-HK.html").read_text("utf-8"), "html.parser"
    )
    assert page.title is not None and "港版：“服务器”與芯片，信息照寫" in page.title.get_text()
    assert "伺服器" in page.body.get_text()  # the converted texts around it still use the table


# ----------------------------------------------------------------------------- each pack fails a build


def _override(project: Path, name: str, old: str, new: str) -> None:
    target = project / "templates" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    text = (THEME / name).read_text("utf-8")
    assert old in text
    target.write_text(text.replace(old, new), "utf-8")


def test_mainland_pack_fails_a_template_that_drops_the_sources(tmp_path: Path, run_cli: Run) -> None:
    project = copy_project(tmp_path / "project", theme=False, briefs=SMALL)
    _override(project, "brief.html", "{% else %}{{ s.text }}{% endif %}", "{% endif %}")
    result = run_cli(project, "build", "content/wechat-r1-inference", "--format", "html", "--out", "out")
    assert result.exit_code == 1
    assert (
        "content/wechat-r1-inference/brief.yaml:1:1: zh-CN output lacks the sources (rule mainland-china/sources, "
        "jurisdiction mainland): missing '微信官方发布信息'; 'TIRIAS Research推理与训练算力占比预测'"
    ) in result.output
    assert "the template templates/brief.html must print it" in result.output
    english = run_cli(
        project, "build", "content/wechat-r1-inference", "--lang", "en", "--format", "html", "--out", "out"
    )
    assert english.exit_code == 1
    assert "en output lacks the sources (rule mainland-china/sources, jurisdiction mainland)" in english.output
    assert "Traceback" not in result.output
    assert not (project / "out" / "wechat-r1-inference").exists()


def test_hong_kong_pack_fails_a_template_that_prints_disclaimer_titles_only(tmp_path: Path, run_cli: Run) -> None:
    """The disclaimer blocks are all there (mandatory-blocks passes); their words are not, nor the
    para 16 disclosures (printed from conflicts.yaml under the jurisdiction's headings)."""
    project = copy_project(tmp_path / "project", theme=False, briefs=(*SMALL, "deepseek-cost-performance"))
    _override(project, "partials/disclosures.html", "    {{ d.html }}\n", "")
    dropped = "<h4>{{ e.title }}</h4>\n    {% for s in e.statements %}"
    _override(project, "partials/conflicts.html", dropped, "{% for s in [] %}")
    brief = "content/deepseek-cost-performance"
    mainland = run_cli(project, "build", brief, "--format", "html", "--out", "out")
    assert mainland.exit_code == 0, mainland.output  # the mainland's elements are elsewhere on the page
    result = run_cli(project, "build", brief, "--lang", "zh-HK", "--format", "html", "--out", "out")
    assert result.exit_code == 1
    where = f"{brief}/brief.yaml:1:1: zh-HK output lacks"
    template = (
        "the template brief.html of the theme (project overrides: templates/partials/conflicts.html, "
        "templates/partials/disclosures.html) must print it"
    )
    assert (
        f"{where} the SFC-licensed entity statement with its CE number (rule hong-kong/sfc-licensed-entity, "
        f"jurisdiction hong-kong): missing '示例證券（香港）有限公司'; 'EXA000'; {template}"
    ) in result.output
    for rule, words in zip(
        ("firm-holding", "market-making", "investment-banking", "analyst-interests", "officer-roles"),
        PARA_16,
        strict=True,
    ):
        assert f"the para 16 disclosure '{words}' (rule hong-kong/{rule}" in result.output
    assert "(rule hong-kong/distribution-restriction" not in result.output  # the title is still printed
    assert "mandatory block" not in result.output


# ----------------------------------------------------------------------------- hostile data


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        (
            "    服务器: 伺服器\n",
            "    服务器: 伺服器\n    伺服器: 服务器\n",
            "    伺服器: 服务器",
            "phrase table has a cycle: 伺服器 → 服务器 → 伺服器",
        ),
        ("    芯片: 晶片\n", '    芯片: 晶片\n    "": 空\n', '    "": 空', "an empty phrase"),
        (
            "    芯片: 晶片\n",
            "    芯片: 晶片\n    ETF: 基金\n",
            "    ETF: 基金",
            "phrase 'ETF' is not Chinese text: a key is Han characters only",
        ),
        ("    芯片: 晶片\n", "    芯片: 晶片\n    芯片组: \n", "    芯片组:", "'芯片组': expected the text it becomes"),
        ('quotes: {"“": "「"', 'quotes: {"““": "「"', "quotes:", "quotation mark '““': expected one punctuation"),
        ("zh-HK:\n", "en:\n  phrases: {信息: 资讯}\nzh-HK:\n", "en:", "'en' is not a derived edition"),
    ],
)
def test_a_broken_phrase_table_is_a_located_error(
    project: Path, run_cli: Run, old: str, new: str, needle: str, message: str
) -> None:
    table = project / "content" / "_shared" / "phrases.yaml"
    edit(table, old, new)
    result = run_cli(project, "check")
    assert result.exit_code == 1
    assert f"content/_shared/phrases.yaml:{line_of(table, needle)}:" in result.output
    assert message in result.output, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        (
            "pack: hong-kong\n",
            "pack: hong-kongg\n",
            "pack: hong-kongg",
            "unknown rule pack 'hong-kongg'; did you mean 'hong-kong'?",
        ),
        (
            "      distribution: [hk-distribution]\n",
            "      distribution: [hk-distributon]\n",
            "hk-distributon",
            "unknown disclaimer 'hk-distributon'; did you mean 'hk-distribution'?",
        ),
        (
            "      market-making:",
            "      market-makng:",
            "market-makng",
            "rule pack 'hong-kong' has no worded element 'market-makng'; did you mean 'market-making'?",
        ),
        (
            "  - id: hong-kong\n",
            "  - id: hongkong\n",
            "jurisdictions:",
            "no jurisdiction 'hong-kong', where the zh-HK edition is published",
        ),
    ],
)
def test_a_broken_jurisdiction_is_a_located_error(
    project: Path, run_cli: Run, old: str, new: str, needle: str, message: str
) -> None:
    places = project / "content" / "_shared" / "jurisdictions.yaml"
    edit(places, old, new)
    result = run_cli(project, "check")
    assert result.exit_code == 1
    assert f"content/_shared/jurisdictions.yaml:{line_of(places, needle)}:" in result.output
    assert message in result.output, result.output
    assert "Traceback" not in result.output


def test_a_pack_missing_a_worded_element_is_located_at_its_jurisdiction(project: Path, run_cli: Run) -> None:
    places = project / "content" / "_shared" / "jurisdictions.yaml"
    text = places.read_text("utf-8")
    start = text.index("      officer-roles:")
    places.write_text(text[:start] + text[text.index("\n", start) + 1 :], "utf-8")
    result = run_cli(project, "check")
    assert result.exit_code == 1
    assert (
        f"content/_shared/jurisdictions.yaml:{line_of(places, '  - id: hong-kong')}:5: jurisdiction 'hong-kong' "
        "needs 'headings: {officer-roles: …}'"
    ) in result.output


# ----------------------------------------------------------------------------- a house's own pack


def test_a_house_pack_from_a_plugin_takes_effect(tmp_path: Path) -> None:
    """The example plugin's pack ``house-hong-kong`` (briefs' Hong Kong pack plus a complaints
    channel), chosen by the project's jurisdictions.yaml, fails a page without its words; without
    the plugin the pack is unknown, at its line."""
    site = tmp_path / "site"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(shutil.copytree(PLUGIN, tmp_path / "src")),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    project = copy_project(tmp_path / "project", theme=False, briefs=SMALL)
    places = project / "content" / "_shared" / "jurisdictions.yaml"
    edit(places, "pack: hong-kong\n", "pack: house-hong-kong\n")
    edit(
        places,
        "    headings:\n",
        "    headings:\n      complaints: {zh-CN: 投诉渠道, en: Complaints, zh-HK: 投訴渠道}\n",
    )

    def briefs(*args: str, plugin: bool) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["PYTHONPATH"] = os.pathsep.join([*([str(site)] if plugin else []), str(ROOT)])
        return subprocess.run(
            [sys.executable, "-m", "briefs", *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    brief = "content/wechat-r1-inference"
    built = briefs("build", brief, "--lang", "zh-CN,zh-HK", "--format", "html", "--out", "out", plugin=True)
    assert built.returncode == 1, built.stderr
    assert (
        f"{brief}/brief.yaml:1:1: zh-HK output lacks the complaints channel '投訴渠道' "
        "(rule house-hong-kong/complaints, jurisdiction hong-kong): missing '投訴渠道'"
    ) in built.stderr
    assert "zh-CN output lacks" not in built.stderr and "Traceback" not in built.stderr

    without = briefs("check", brief, plugin=False)
    assert without.returncode == 1
    assert (
        f"content/_shared/jurisdictions.yaml:{line_of(places, 'pack: house-hong-kong')}:5: "
        "unknown rule pack 'house-hong-kong'"
    ) in without.stderr


def test_a_jurisdiction_without_its_licensed_entity_fails_its_editions(project: Path, run_cli: Run) -> None:
    places = project / "content" / "_shared" / "jurisdictions.yaml"
    edit(places, "    licence: EXA000\n", "")
    brief = "content/compute-etf-note"
    assert run_cli(project, "build", brief, "--format", "html", "--out", "out").exit_code == 0  # mainland
    result = run_cli(project, "build", brief, "--lang", "zh-HK", "--format", "html", "--out", "out")
    assert result.exit_code == 1
    assert (
        f"{brief}/brief.yaml:1:1: zh-HK output lacks the SFC-licensed entity statement with its CE number "
        "(rule hong-kong/sfc-licensed-entity, jurisdiction hong-kong): the brief and the shared records give "
        "nothing to print it from"
    ) in result.output
    assert "Traceback" not in result.output
