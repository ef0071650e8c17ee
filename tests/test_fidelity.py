"""Bilingual fidelity: figure parity, translation drift, glossary and no Han in English (issue 3, item 5).

The figure extraction is tested as pure functions; the checks themselves through the real CLI on
a copy of the example project, with expected lines computed from the edited files.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefs.checks.fidelity import unmarked_han
from briefs.checks.figure_matching import aligned, figure_pool, missing_figures
from briefs.checks.figures import describe_number, extract_figures
from briefs.checks.glossary import glossary_uses, load_glossary
from briefs.checks.translations_lock import LockFile, format_lock, text_hash
from briefs.errors import Diagnostics
from briefs.model.validation import validate
from briefs.project.config import load_config
from briefs.render.markdown import render_block, render_inline
from briefs.source.texts import content_hash, position_key, stable_key
from briefs.source.yamlsource import load_yaml

from .conftest import EXAMPLES, ROOT, copy_project, edit, line_of

WECHAT = "content/wechat-r1-inference/brief.yaml"
THESIS_EN = "content/wechat-r1-inference/thesis.en.md"
THESIS_ZH = "content/wechat-r1-inference/thesis.zh-CN.md"
ETF = "content/compute-etf-note/brief.yaml"
EFFICIENCY = "content/deepseek-efficiency-not-deflation/brief.yaml"
RISKS = "content/_shared/risks.yaml"
GLOSSARY = "content/_shared/glossary.yaml"


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs): these tests edit one text and read what the fidelity checks make of it."""
    return small_project


def numbers(text: str) -> list[Decimal]:
    return [f.value for f in extract_figures(text) if f.kind == "number"]


def column_of(path: Path, line: int, needle: str) -> int:
    return path.read_text("utf-8").split("\n")[line - 1].index(needle) + 1


# ============================================================================ extraction (pure)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("月活约13亿", Decimal("1.3e9")),
        ("about 1.3 billion users", Decimal("1.3e9")),
        ("1,300 million", Decimal("1.3e9")),
        ("2500万DAU", Decimal("2.5e7")),
        ("25 million DAU", Decimal("2.5e7")),
        ("25M DAU", Decimal("2.5e7")),
        ("6000亿美元", Decimal("6e11")),
        ("US$600 billion", Decimal("6e11")),
        ("US$600bn", Decimal("6e11")),
        ("1.4万", Decimal(14000)),
        ("14,000", Decimal(14000)),
        ("1,814张", Decimal(1814)),
        ("79.8%", Decimal("79.8")),
        ("79.8 per cent", Decimal("79.8")),
        ("79.8 percent", Decimal("79.8")),
        ("７９．８％", Decimal("79.8")),
        ("下降5%", Decimal(5)),
        ("-5%", Decimal(5)),
        ("40%+", Decimal(40)),
        ("6.45倍", Decimal("6.45")),
        ("2019年加入", Decimal(2019)),
        ("3萬億", Decimal("3e12")),
    ],
)
def test_a_number_is_read_with_its_unit(text: str, value: Decimal) -> None:
    assert numbers(text) == [value]


def test_figure_records_where_it_was_found() -> None:
    [figure] = extract_figures("作为月活约13亿的超级入口")
    assert (figure.kind, figure.text, figure.start, figure.end) == ("number", "13亿", 5, 8)
    assert figure.describe() == "1.3 billion"


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("2月23日", "date", (2, 23)),
        ("2 月 23 日", "date", (2, 23)),
        ("23 February", "date", (2, 23)),
        ("February 23", "date", (2, 23)),
        ("Feb. 23rd", "date", (2, 23)),
        ("the 23rd of February", "date", (2, 23)),
        ("1月底", "month", 1),
        ("end of January", "month", 1),
        ("3月份", "month", 3),
        ("May 2025", "month", 5),
    ],
)
def test_dates_and_months_are_not_bare_numbers(text: str, kind: str, value: object) -> None:
    figures = [f for f in extract_figures(text) if f.value != Decimal(2025)]
    assert [(f.kind, f.value) for f in figures] == [(kind, value)]


def test_a_full_date_gives_its_year_as_a_number() -> None:
    zh = extract_figures("2025年2月16日")
    en = extract_figures("February 16, 2025")
    iso = extract_figures("2025-02-16")
    for figures in (zh, en, iso):
        assert sorted((f.kind, str(f.value)) for f in figures) == [("date", "(2, 16)"), ("number", "2025")]


def test_may_the_verb_is_not_a_month() -> None:
    assert extract_figures("Cheaper inference may dampen demand. May it return?") == []
    months = extract_figures("It may return in May, or by mid-May 2026.")
    assert [(f.kind, f.value) for f in months if f.kind == "month"] == [("month", 5), ("month", 5)]


def test_durations_are_numbers_not_months() -> None:
    assert [(f.kind, f.value) for f in extract_figures("6-12个月")] == [("number", 6), ("number", 12)]
    assert [(f.kind, f.value) for f in extract_figures("未来5年")] == [("number", 5)]


@pytest.mark.parametrize("text", ["6-12", "6–12", "6—12", "6至12", "6到12", "6~12", "6 to 12"])
def test_ranges_give_both_ends(text: str) -> None:
    assert numbers(text) == [6, 12]


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("6-12亿", [Decimal("6e8"), Decimal("1.2e9")]),
        ("6 to 12 billion", [Decimal("6e9"), Decimal("1.2e10")]),
        ("5%-15%", [5, 15]),
    ],
)
def test_a_range_shares_its_unit(text: str, values: list[Decimal]) -> None:
    assert numbers(text) == values


@pytest.mark.parametrize(
    "text",
    [
        "1) 采购GPU；2) 升级架构；3) 适配调优",
        "(1) 采购 (2) 升级",
        "（1）采购（2）升级",
        "①采购②升级③调优",
        "1. 大模型\n2. 训练算力\n10. 推理算力",
        "中国移动（600941.SH）、中兴通讯（000063.SZ）与腾讯控股（0700.HK）",
        "DeepSeek-R1、DeepSeek-V3、Qwen2.5-Max、o3-mini、H800、FP8、MATH-500、5G、R4、GPT-4o",
        "云计算50ETF",
        "see [3][4]",
        "<https://example.com/2024/02/report-5>",
        "[report](https://example.com/2024/5)",
    ],
)
def test_markers_tickers_identifiers_and_urls_are_not_figures(text: str) -> None:
    assert extract_figures(text) == []


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        ("月活约13亿", "about 1.3 billion monthly users"),
        ("月活约13亿", "about 1,300 million monthly users"),
        ("约2500万DAU", "about 25 million DAU"),
        ("近6000亿美元", "nearly US$600 billion"),
        ("得分率79.8%", "scores 79.8 per cent"),
        ("仅用1814张H800", "on only 1,814 H800 GPUs"),
        ("单卡服务约1.4万DAU", "roughly 14,000 DAU per GPU"),
        ("美国当地时间2月23日", "On 23 February (US time)"),
        ("美国当地时间2月23日", "On February 23 (US time)"),
        ("1月底登上榜首", "topped the charts at the end of January"),
        ("2023年以来", "since 2023"),
        ("未来6-12个月", "over the next 6–12 months"),
        ("未来6至12个月", "over the next 6 to 12 months"),
        ("2025年2月16日", "February 16, 2025"),
        ("2025年2月16日", "16 February 2025"),
        ("国内推理算力在未来5年", "over the next five years"),
        ("二十分之一的算力成本", "one-twentieth of the compute cost"),
        ("1) 采购GPU；2) 升级架构", "deploy GPUs; upgrade the architecture"),
        ("中国移动（600941.SH）", "China Mobile (600941.SH)"),
        ("5G通信ETF（515050）", "5G Communication ETF (515050)"),
        ("云计算50ETF", "Cloud Computing 50 ETF"),
        ("收入利润率为84.5%（5.45÷6.45）", "a revenue margin of 84.5% (5.45 ÷ 6.45)"),
    ],
)
def test_equal_figures_match_in_both_directions(zh: str, en: str) -> None:
    assert missing_figures(zh, en) == []
    assert missing_figures(en, zh) == []


@pytest.mark.parametrize(
    ("zh", "en", "missing"),
    [
        ("月活约13亿", "about 1.3 million users", "13亿"),
        ("月活约13亿", "about 13 users", "13亿"),
        ("得分率79.8%", "scores 79.2%", "79.8%"),
        ("约2500万DAU", "about 250 million DAU", "2500万"),
        ("2月23日", "on 23 March", "2月23日"),
        ("2月23日", "on February 24", "2月23日"),
        ("1月底", "at the end of February", "1月"),
        ("2023年以来", "since 2024", "2023"),
    ],
)
def test_a_changed_figure_is_missing(zh: str, en: str, missing: str) -> None:
    assert [f.text for f in missing_figures(zh, en)] == [missing]
    assert missing_figures(en, zh), "the reverse direction sees the English figure too"


def test_each_missing_figure_is_reported_once() -> None:
    assert [f.text for f in missing_figures("13亿，又是13亿，还有5%", "nothing")] == ["13亿", "5%"]


def test_pool_is_lenient_about_wording_and_identifiers() -> None:
    pool = figure_pool("四条线索，两年，五项设计；云计算50ETF；Qwen2.5-Max")
    assert {Decimal(4), Decimal(2), Decimal(5), Decimal(50), Decimal("2.5")} <= pool.numbers
    assert {Decimal(5), Decimal(12)} <= figure_pool("five choices over twelve months").numbers


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=99_999))
def test_wan_matches_the_same_amount_written_out(n: int) -> None:
    assert missing_figures(f"约{n}万", f"about {n * 10_000:,}") == []
    assert missing_figures(f"约{n}亿", f"about {Decimal(n) / 10} billion") == []


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1.3e9"), "1.3 billion"),
        (Decimal(1814), "1,814"),
        (Decimal("2.5e7"), "25 million"),
        (Decimal("79.8"), "79.8"),
        (Decimal("6e11"), "600 billion"),
        (Decimal("3e12"), "3 trillion"),
    ],
)
def test_describe_number(value: Decimal, shown: str) -> None:
    assert describe_number(value) == shown


# ============================================================================ other pure parts


def test_text_hash_ignores_line_endings_and_trailing_blanks_only() -> None:
    assert text_hash("第一行\n第二行\n") == text_hash("第一行  \r\n第二行")
    assert text_hash("第一行\n第二行") != text_hash("第一行\n第二行。")
    assert len(text_hash("x")) == 12


def test_stable_key_uses_ids_where_items_have_them() -> None:
    data = {
        "sections": [{"id": "event", "body": {}}, {"id": "thesis", "body": {}}],
        "key_points": [{}, {}],
        "risks": ["macro", {"title": {}}],
    }
    assert stable_key(data, ("sections", 1, "body"), "正文") == "sections/thesis/body"
    # items without an id are keyed by the content of the text, not by position
    assert stable_key(data, ("key_points", 1), "要点") == f"key_points#{content_hash('要点')}"
    assert stable_key(data, ("key_points", 0), "要点") == stable_key(data, ("key_points", 1), "要点")
    assert stable_key(data, ("risks", 1, "title"), "风险") == f"risks/title#{content_hash('风险')}"
    assert len(content_hash("x")) == 8 and content_hash("要点 \r\n") == content_hash("要点")
    # the keys of locks written before, still read until they are rewritten
    assert position_key(data, ("key_points", 1)) == "key_points/1"
    assert position_key(data, ("risks", 1, "title")) == "risks/1/title"


def test_aligned_maps_a_line_to_the_same_line_of_the_translation() -> None:
    zh = "第一段。\n\n- 甲13亿\n- 乙5%\n"
    en = "First.\n\n- A 1.3 billion\n- B 5%\n"
    assert aligned(zh, zh.index("5%"), en) == en.index("- B")
    assert aligned("一段", 1, "one paragraph\n\nand two") == 0


def test_unmarked_han() -> None:
    assert unmarked_han("We highlight 中国移动.", "en", markdown=True) == [(13, "中国移动")]
    assert unmarked_han("We highlight [中国移动]{lang=zh-CN}.", "en", markdown=True) == []
    assert unmarked_han('[中国移动]{lang="zh-CN"} and [中國移動]{lang=zh-HK}', "en", markdown=True) == []
    assert unmarked_han("[中国移动]{lang=zh-CN}", "en", markdown=False) == [(1, "中国移动")]
    assert unmarked_han("[中国移动]{lang=en}", "en", markdown=True) == [(1, "中国移动")]
    assert unmarked_han("[中国移动]{lang=xx}", "en", markdown=True) == [(1, "中国移动")]


def test_lock_format_is_sorted_and_reads_back(tmp_path: Path) -> None:
    groups = {
        "brief.yaml": {
            "key_points/10": {"en": "0123456789ab"},
            "key_points/2": {"en": "ba9876543210"},
            "title": {"zh-HK": "aaaaaaaaaaaa", "en": "bbbbbbbbbbbb"},
        }
    }
    text = format_lock(groups)
    assert text.index("key_points/2:") < text.index("key_points/10:") < text.index("title:")
    assert text.index('en: "bbbbbbbbbbbb"') < text.index('zh-HK: "aaaaaaaaaaaa"')
    path = tmp_path / "translations.lock"
    path.write_text(text, "utf-8")
    diags = Diagnostics()
    lock = validate(load_yaml(path), LockFile, ("zh-CN", "en"), diags)
    assert lock is not None and not diags.items
    assert lock.root == groups


def test_glossary_longest_term_wins() -> None:
    diags = Diagnostics()
    glossary = load_glossary(load_config(ROOT), diags)
    assert glossary is not None and not diags.items
    used = [term.zh for term, _ in glossary_uses(glossary, "推理算力缺口显现，训练算力")]
    assert used == ["推理算力", "训练算力"]
    used = [term.zh for term, _ in glossary_uses(glossary, "推理算力与算力中心和算力")]
    assert used == ["推理算力", "算力中心", "算力"]


# ============================================================================ attrs spans (markdown.py)


def test_marked_span_renders_with_its_language() -> None:
    assert render_inline("[中国移动]{lang=zh-CN}") == '<span lang="zh-CN">中国移动</span>'
    assert '<span lang="zh-CN">中国移动</span>' in render_block("We highlight [中国移动]{lang=zh-CN} (600941.SH).")


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("[x]{onclick=x}", "<span>x</span>"),
        ("[中国移动]{lang=zh-CN onclick=x}", '<span lang="zh-CN">中国移动</span>'),
        ("[x]{.cls #id style=color:red}", "<span>x</span>"),
        ("[x]{lang=fr}", "<span>x</span>"),
        ('[x]{lang="en" title="t"}', '<span lang="en">x</span>'),
    ],
)
def test_span_keeps_only_a_known_language(source: str, html: str) -> None:
    assert render_inline(source) == html


def test_attributes_after_links_and_code_are_not_parsed() -> None:
    assert render_inline("[a](https://example.com){onclick=x}") == '<a href="https://example.com">a</a>{onclick=x}'
    assert render_inline("`code`{lang=zh-CN}") == "<code>code</code>{lang=zh-CN}"


# ============================================================================ briefs check --strict


def test_shipped_examples_pass_strict(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(ROOT, "check", "--strict")
    assert result.exit_code == 0, result.output
    assert "no problems" in result.stdout
    assert "warning" not in result.stderr


def test_blanked_english_text_fails_at_its_line(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    line = edit(project / WECHAT, "en: Communications}", 'en: " "}')
    result = run_cli(project, "check", "--strict")
    assert result.exit_code == 1
    assert f"{WECHAT}:{line}:" in result.stderr
    assert "the 'en' text is blank" in result.stderr


def test_changed_english_number_fails_strict_at_its_line(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = project / WECHAT
    line = edit(
        path,
        "With about 1.3 billion monthly active users, WeChat can take",
        "With about 1.4 billion monthly active users, WeChat can take",
    )
    result = run_cli(project, "check", "--strict", "content/wechat-r1-inference")
    assert result.exit_code == 1, result.output
    assert (
        f"{WECHAT}:{line}:{column_of(path, line, '1.4 billion')}: warning: figure '1.4 billion' of the en "
        "text is not in the zh-CN text" in result.stderr
    )
    assert (
        f"{WECHAT}:{line}:" in result.stderr
        and "figure '13亿' (1.3 billion) of the zh-CN text is missing from the en text" in result.stderr
    )
    assert "with --strict" in result.stderr
    lenient = run_cli(project, "check", "content/wechat-r1-inference")
    assert lenient.exit_code == 0, lenient.output
    assert "warning(s)" in lenient.stdout


def test_changed_number_in_a_block_body_points_at_its_line(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    line = edit(
        project / WECHAT,
        "With about 1.3 billion monthly active users, WeChat can bring",
        "With about 1.2 billion monthly active users, WeChat can bring",
    )
    result = run_cli(project, "check", "--strict", "content/wechat-r1-inference")
    assert result.exit_code == 1
    assert f"{WECHAT}:{line}:" in result.stderr
    assert "'13亿'" in result.stderr and "'1.2 billion'" in result.stderr


def test_changed_number_in_a_body_file_points_at_the_markdown_line(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    line = edit(project / THESIS_EN, "make up 95% of all compute", "make up 85% of all compute")
    result = run_cli(project, "check", "--strict", "content/wechat-r1-inference")
    assert result.exit_code == 1
    assert f"{THESIS_EN}:{line}:" in result.stderr
    assert "figure '95%'" in result.stderr and "figure '85%'" in result.stderr


def test_changed_date_is_a_parity_finding(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    line = edit(project / ETF, "On 23 February (US time)", "On 24 February (US time)")
    result = run_cli(project, "check", "--strict", "content/compute-etf-note")
    assert result.exit_code == 1
    assert f"{ETF}:{line}:" in result.stderr
    assert "figure '2月23日' (23 February) of the zh-CN text is missing" in result.stderr


def test_dropped_figure_is_found(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    line = edit(
        project / EFFICIENCY, "lifting it to 40%+ would put the margin at 20%+", "lifting it would raise the margin"
    )
    result = run_cli(project, "check", "--strict", "content/deepseek-efficiency-not-deflation")
    assert result.exit_code == 1
    assert f"{EFFICIENCY}:{line}:" in result.stderr
    assert "'40%'" in result.stderr and "'20%'" in result.stderr


# ---------------------------------------------------------------------------- drift


def test_edited_chinese_flags_the_english_as_stale_until_reviewed(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = project / WECHAT
    edit(path, "微信近日开始灰度测试接入DeepSeek-R1模型。", "微信近日开始灰度测试接入DeepSeek-R1推理模型。")
    en_line = line_of(path, "WeChat has begun a grey test of DeepSeek-R1.")
    result = run_cli(project, "check", "--strict", "content/wechat-r1-inference")
    assert result.exit_code == 1
    assert (
        f"{WECHAT}:{en_line}:9: warning: en text may be stale: its zh-CN source changed since review "
        "(run `briefs translations --reviewed content/wechat-r1-inference`)"
    ) in result.stderr

    status = run_cli(project, "translations", "content/wechat-r1-inference")
    assert status.exit_code == 0
    assert f"{WECHAT}:{en_line}:" in status.stdout

    reviewed = run_cli(project, "translations", "--reviewed", "content/wechat-r1-inference")
    assert reviewed.exit_code == 0, reviewed.output
    assert "wrote content/wechat-r1-inference/translations.lock" in reviewed.stdout
    again = run_cli(project, "check", "--strict", "content/wechat-r1-inference")
    assert again.exit_code == 0, again.output


def test_edited_chinese_body_file_flags_the_english_file(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    edit(project / THESIS_ZH, "短期内，市场由此担心", "短期内，市场因此担心")
    result = run_cli(project, "check", "--strict", "content/wechat-r1-inference")
    assert result.exit_code == 1
    assert f"{THESIS_EN}:1:1: warning: en text may be stale" in result.stderr


def test_edited_shared_chinese_is_stale_until_that_file_is_reviewed(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = project / RISKS
    edit(path, "宏观经济增长放缓或波动加剧", "宏观经济增速放缓或波动加剧")
    en_line = line_of(path, "en: Slower or more volatile economic growth")
    result = run_cli(project, "check", "--strict", "content/wechat-r1-inference")
    assert result.exit_code == 1
    assert f"{RISKS}:{en_line}:11: warning: en text may be stale" in result.stderr
    assert "--reviewed content/_shared/risks.yaml" in result.stderr
    assert run_cli(project, "translations", "--reviewed", RISKS).exit_code == 0
    assert run_cli(project, "check", "--strict", "content/wechat-r1-inference").exit_code == 0


def test_new_text_is_not_yet_reviewed(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = project / WECHAT
    edit(
        path,
        "  - {id: wechat, text: {zh-CN: 微信官方发布信息, en: WeChat official announcements}}\n",
        "  - {id: wechat, text: {zh-CN: 微信官方发布信息, en: WeChat official announcements}}\n"
        "  - {id: tencent-reports, text: {zh-CN: 腾讯财报, en: Tencent financial reports}}\n",
    )
    line = line_of(path, "en: Tencent financial reports")
    result = run_cli(project, "check", "content/wechat-r1-inference")
    assert result.exit_code == 0, result.output
    assert f"{WECHAT}:{line}:" in result.stderr and "en text not yet marked as reviewed" in result.stderr
    assert run_cli(project, "check", "--strict", "content/wechat-r1-inference").exit_code == 1


def test_missing_lock_file_is_one_warning_per_yaml_file(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (project / "content/wechat-r1-inference/translations.lock").unlink()
    result = run_cli(project, "check", "--strict", "content/wechat-r1-inference")
    assert result.exit_code == 1
    assert f"{WECHAT}:1:1: warning: no translations.lock beside this file" in result.stderr
    assert result.stderr.count("warning:") == 1


def test_review_is_deterministic(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    project = copy_project(tmp_path / "project")  # every example brief's lock
    shipped = {p: p.read_bytes() for p in (project / "content").rglob("translations.lock")}
    assert len(shipped) == len(EXAMPLES) + 1  # each brief's and content/_shared's
    result = run_cli(project, "translations", "--reviewed")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("unchanged ") == len(shipped)
    assert {p: p.read_bytes() for p in shipped} == shipped


def test_malformed_lock_is_a_located_error(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    lock = project / "content/wechat-r1-inference/translations.lock"
    text = lock.read_text("utf-8")
    start = text.index('  title: {en: "') + len('  title: {en: "')
    line = edit(lock, text[start : start + 25], "not-a-hash")  # "<source>/<translation>"
    result = run_cli(project, "check", "content/wechat-r1-inference")
    assert result.exit_code == 1
    assert f"content/wechat-r1-inference/translations.lock:{line}:" in result.stderr
    assert "malformed hash 'not-a-hash'" in result.stderr


def test_review_of_an_unknown_shared_file_is_refused(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(project, "translations", "--reviewed", GLOSSARY)
    assert result.exit_code == 1
    assert "no translations to review in glossary.yaml" in result.stderr


# ---------------------------------------------------------------------------- glossary


def test_glossary_miss_warns_at_the_english_line(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = project / WECHAT
    line = edit(path, "bringing the inference-compute gap forward", "bringing the capacity gap forward")
    result = run_cli(project, "check", "content/wechat-r1-inference")
    assert result.exit_code == 0, result.output
    assert (
        f"{WECHAT}:{line}:{column_of(path, line, 'WeChat trials')}: warning: glossary: the zh-CN text "
        "uses '推理算力' but the en text has no 'inference compute'"
    ) in result.stderr
    assert "'算力'" not in result.stderr, "the longer term covers its shorter part"
    assert run_cli(project, "check", "--strict", "content/wechat-r1-inference").exit_code == 1


def test_glossary_accepts_any_listed_form(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    edit(project / WECHAT, "from foundation models to inference compute", "from large models to inference compute")
    result = run_cli(project, "check", "content/wechat-r1-inference")
    assert "glossary" not in result.stderr and result.stderr.count("warning:") == 1, result.output
    assert "en text changed since review" in result.stderr  # an edited translation is reviewed again
    assert run_cli(project, "translations", "--reviewed", "content/wechat-r1-inference").exit_code == 0
    assert run_cli(project, "check", "--strict", "content/wechat-r1-inference").exit_code == 0


def test_malformed_glossary_is_a_located_error(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = project / GLOSSARY
    edit(path, "  - zh-CN: 液冷\n    en: liquid cooling", "  - zh-CN: 液冷\n    english: liquid cooling")
    line = line_of(path, "english: liquid cooling")
    result = run_cli(project, "check", "content/wechat-r1-inference")
    assert result.exit_code == 1
    assert f"{GLOSSARY}:{line}:5: unknown key 'english'" in result.stderr
    assert "missing required key 'en'" in result.stderr


def test_duplicate_glossary_term_is_a_located_error(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = project / GLOSSARY
    first = line_of(path, "  - zh-CN: 液冷")
    text = path.read_text("utf-8") + "  - zh-CN: 液冷\n    en: immersion cooling\n"
    path.write_text(text, "utf-8")
    line = len(text.split("\n")) - 2
    result = run_cli(project, "check", "content/wechat-r1-inference")
    assert result.exit_code == 1
    assert f"{GLOSSARY}:{line}:5: duplicate glossary term '液冷' (first defined on line {first})" in result.stderr


# ---------------------------------------------------------------------------- Han in English


def test_han_in_english_markdown_is_an_error_without_strict(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = project / EFFICIENCY
    line = edit(
        path, "We highlight China Mobile (600941.SH), China Unicom", "We highlight 中国移动 (600941.SH), China Unicom"
    )
    result = run_cli(project, "check", "content/deepseek-efficiency-not-deflation")
    assert result.exit_code == 1
    assert (
        f"{EFFICIENCY}:{line}:{column_of(path, line, '中国移动')}: Han characters '中国移动' in the en "
        "text (mark an original-language name as [中国移动]{lang=zh-CN})"
    ) in result.stderr


def test_marked_original_language_name_passes(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    edit(
        project / EFFICIENCY,
        "We highlight China Mobile (600941.SH), China Unicom",
        "We highlight China Mobile [中国移动]{lang=zh-CN} (600941.SH), China Unicom",
    )
    assert run_cli(project, "translations", "--reviewed", "content/deepseek-efficiency-not-deflation").exit_code == 0
    result = run_cli(project, "check", "--strict", "content/deepseek-efficiency-not-deflation")
    assert result.exit_code == 0, result.output


def test_han_in_a_plain_english_field_is_an_error_even_when_marked(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = project / WECHAT
    line = edit(path, "en: Communications}", 'en: "Communications [通信]{lang=zh-CN}"}')
    result = run_cli(project, "check", "content/wechat-r1-inference")
    assert result.exit_code == 1
    assert (
        f"{WECHAT}:{line}:{column_of(path, line, '通信]')}: Han characters '通信' in the en text "
        "(plain-text fields allow none)"
    ) in result.stderr


def test_han_in_an_english_body_file_is_located(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = project / THESIS_EN
    line = edit(path, "set off a remarkable positive feedback loop", "set off a remarkable 正反馈 loop")
    result = run_cli(project, "check", "content/wechat-r1-inference")
    assert result.exit_code == 1
    assert f"{THESIS_EN}:{line}:{column_of(path, line, '正反馈')}: Han characters '正反馈'" in result.stderr
