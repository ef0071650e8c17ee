"""A source language per brief (issue 18, items 1 and 2): every fidelity check runs from the brief's
source to each translation, review records are keyed by content, and a translated edition says so.

The English-original example (content/deepseek-win-win-summary, ``source: en``) is edited in a copy
of the project and checked through the real CLI; expected places are computed from the edited files.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from briefs.checks.fidelity import untranslated_runs
from briefs.checks.glossary import english_uses, load_glossary
from briefs.errors import Diagnostics
from briefs.project.config import load_config

from .conftest import ROOT, copy_project, edit, line_of

SUMMARY = "content/deepseek-win-win-summary"
BRIEF = f"{SUMMARY}/brief.yaml"
ALGO_ZH = f"{SUMMARY}/algorithm.zh-CN.md"
HINT = f"(run `briefs translations --reviewed {SUMMARY}`)"
ETF = "content/compute-etf-note"
WECHAT = "content/wechat-r1-inference"
POSITION_KEYED = "f1407d2397f66fbc0ca1d23061ed14cad74d8727"  # locks keyed by position (before issue 18)
NOTICE = "本报告中文版译自英文原文，仅供参考；中英文版本如有歧义，以英文原文为准。"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """In this module ``project`` holds the three example briefs these tests use (the English
    original, a Chinese-original brief and the fund note) and every shared file."""
    return copy_project(tmp_path / "project", briefs=tuple(p.removeprefix("content/") for p in (SUMMARY, ETF, WECHAT)))


def block_start(path: Path, first_words: str) -> tuple[int, int]:
    """(line, column) where a YAML block text or Markdown paragraph beginning ``first_words`` starts."""
    line = line_of(path, first_words)
    text = path.read_text("utf-8").split("\n")[line - 1]
    return line, len(text) - len(text.lstrip(" ")) + 1


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": warning: " in line]


# ============================================================================ the example


def test_english_original_passes_strict_and_builds_three_editions(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    assert "source: en" in (ROOT / BRIEF).read_text("utf-8")
    result = run_cli(ROOT, "check", "--strict", SUMMARY)
    assert result.exit_code == 0 and "no problems" in result.stdout, result.output
    out = project / "out"
    langs = ("--lang", "en,zh-CN,zh-HK")
    built = run_cli(project, "build", SUMMARY, WECHAT, "--format", "html", *langs, "--out", str(out))
    assert built.exit_code == 0, built.output

    def notice(brief: str, lang: str) -> str | None:
        page = BeautifulSoup((out / brief / f"{brief}.{lang}.html").read_text("utf-8"), "html.parser")
        found = page.select(".title-block .translation-notice")
        return found[0].get_text() if found else None

    summary = SUMMARY.split("/")[1]
    assert notice(summary, "en") is None  # the original
    assert notice(summary, "zh-CN") == NOTICE  # its translation, from content/_shared/house.yaml
    assert notice(summary, "zh-HK") == "本報告中文版譯自英文原文，僅供參考；中英文版本如有歧義，以英文原文為準。"
    wechat = WECHAT.split("/")[1]
    # A zh-CN original: its English edition is the translation and says so; the original and its
    # converted zh-HK edition (not a translation) print nothing.
    assert (notice(wechat, "en") or "").startswith("This English edition is a translation of the Chinese original")
    assert all(notice(wechat, lang) is None for lang in ("zh-CN", "zh-HK"))


# ============================================================================ review follows the source


def test_reversed_english_sentence_flags_the_chinese_as_stale(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = project / BRIEF
    edit(path, "optical modules remain worth owning:", "optical modules are no longer worth owning:")
    zh_line, zh_col = block_start(path, "运营商与光模块仍然值得配置")
    result = run_cli(project, "check", "--strict", SUMMARY)
    assert result.exit_code == 1, result.output
    assert warnings(result.stderr) == [
        f"{BRIEF}:{zh_line}:{zh_col}: warning: zh-CN text may be stale: its en source changed since review {HINT}"
    ], result.stderr
    assert run_cli(project, "translations", "--reviewed", SUMMARY).exit_code == 0
    assert run_cli(project, "check", "--strict", SUMMARY).exit_code == 0


def test_edited_chinese_is_unreviewed_and_the_english_is_not_flagged(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = project / BRIEF
    edit(path, "二者正处于这一轮建设的核心位置", "两者正处于这一轮建设的核心位置")  # one character
    zh_line, zh_col = block_start(path, "运营商与光模块仍然值得配置")
    edit(project / ALGO_ZH, "专注于大语言模型", "专注于大型语言模型")  # and one in a body file
    result = run_cli(project, "check", "--strict", SUMMARY)
    assert result.exit_code == 1, result.output
    changed = f"zh-CN text changed since review: not yet marked as reviewed against its en source {HINT}"
    assert warnings(result.stderr) == [
        f"{ALGO_ZH}:1:1: warning: {changed}",
        f"{BRIEF}:{zh_line}:{zh_col}: warning: {changed}",
    ], result.stderr
    assert ".en.md" not in result.stderr and "en text" not in result.stderr.replace("zh-CN text", "")


def test_edited_translation_of_a_chinese_original_flags_only_the_english(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = project / f"{WECHAT}/brief.yaml"
    line = edit(path, "en: Communications}", "en: Telecoms}")
    result = run_cli(project, "check", "--strict", WECHAT)
    assert result.exit_code == 1
    assert [w.split(": warning: ")[1] for w in warnings(result.stderr)] == [
        "en text changed since review: not yet marked as reviewed against its zh-CN source "
        f"(run `briefs translations --reviewed {WECHAT}`)"
    ]
    assert f"{WECHAT}/brief.yaml:{line}:" in result.stderr


# ============================================================================ the other checks, from English


def test_glossary_term_of_the_english_needs_its_chinese_form(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = project / BRIEF
    edit(path, "运营商与光模块仍然值得配置", "运营商与光器件仍然值得配置")
    zh_line, zh_col = block_start(path, "运营商与光器件仍然值得配置")
    result = run_cli(project, "check", SUMMARY)
    assert result.exit_code == 0, result.output  # a warning
    assert (
        f"{BRIEF}:{zh_line}:{zh_col}: warning: glossary: the en text uses 'optical modules' but the zh-CN text "
        "has no '光模块'"
    ) in result.stderr, result.stderr
    assert run_cli(project, "check", "--strict", SUMMARY).exit_code == 1


def test_english_glossary_forms_are_words() -> None:
    diags = Diagnostics()
    glossary = load_glossary(load_config(ROOT), diags)
    assert glossary is not None and not diags.items
    used = {term.zh: words for term, _, words in english_uses(glossary, "Inference compute, not computers; MLA.")}
    assert used == {"推理算力": "Inference compute", "多头潜在注意力": "MLA"}  # the longest form wins


def test_untranslated_english_sentence_in_the_chinese_is_flagged(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = project / BRIEF
    left = "The open-source ecosystem keeps speeding up the industry."
    edit(path, "各行各业涌现出形形色色的应用。", f"各行各业涌现出形形色色的应用。{left}")
    line = line_of(path, left)
    col = path.read_text("utf-8").split("\n")[line - 1].index(left) + 1
    result = run_cli(project, "check", SUMMARY)
    assert (
        f"{BRIEF}:{line}:{col}: warning: untranslated en words in the zh-CN text: '{left}' (translate them, "
        "or mark words meant to stay in en as [words]{lang=en})"
    ) in result.stderr, result.stderr
    assert run_cli(project, "check", "--strict", SUMMARY).exit_code == 1


@pytest.mark.parametrize(
    "text",
    [
        "中际旭创（Zhongji Innolight）与恒生科技指数（Hang Seng Tech Index）",  # names are capitalised
        "详见 Attention Is All You Need 一文",  # so are titles
        "见[the model is cheap to run now]{lang=en}一句",  # marked as English
        "见`run the model on a phone today`与https://example.com/a-b-c-d-e",  # code and links
        "采用 mixture of experts and multi-head latent attention 架构",  # glossary terms
        "DeepSeek-R1在AIME 2024和MATH-500上领先OpenAI o1",  # names and figures
    ],
)
def test_names_titles_and_marked_spans_are_not_untranslated_sentences(text: str) -> None:
    diags = Diagnostics()
    glossary = load_glossary(load_config(ROOT), diags)
    assert untranslated_runs(text, "zh-CN", markdown=True, glossary=glossary) == []


def test_untranslated_runs_find_a_sentence() -> None:
    text = "开源生态。the market has already priced this in。"
    assert untranslated_runs(text, "zh-CN", markdown=True) == [(5, "the market has already priced this in")]


# ============================================================================ review keys by content


def _key_data_row(path: Path, first_label: str, row: str) -> None:
    text = path.read_text("utf-8")
    at = text.index(f"  - label: {{zh-CN: {first_label}")
    path.write_text(text[:at] + row + text[at:], "utf-8")


NEW_ROW = "  - label: {zh-CN: 相关ETF跟踪指数数量, en: Indices tracked by the ETFs}\n    value: {zh-CN: 4个, en: '4'}\n"


def test_inserting_a_key_data_row_marks_only_that_row(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = project / f"{ETF}/brief.yaml"
    _key_data_row(path, "未来推理算力占比", NEW_ROW)
    label, value = line_of(path, "en: Indices tracked"), line_of(path, "en: '4'")
    result = run_cli(project, "check", "--strict", ETF)
    assert result.exit_code == 1
    unreviewed = (
        f"warning: en text not yet marked as reviewed against its zh-CN source "
        f"(run `briefs translations --reviewed {ETF}`)"
    )
    assert warnings(result.stderr) == [
        f"{ETF}/brief.yaml:{label}:{column(path, label, 'Indices')}: {unreviewed}",
        f"{ETF}/brief.yaml:{value}:{column(path, value, '4')}: {unreviewed}",
    ], result.stderr


def column(path: Path, line: int, needle: str) -> int:
    return path.read_text("utf-8").split("\n")[line - 1].rindex(needle) + 1


def test_the_same_insertion_under_position_keys_flagged_every_row_after_it(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """The old lock (keys by position) read as before: what issue 18 reported, and why keys changed."""
    old = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{POSITION_KEYED}:{ETF}/translations.lock"], capture_output=True, text=True
    )
    if old.returncode != 0:
        pytest.skip("no git history here to take the old lock from")
    assert "key_data/0/label" in old.stdout
    (project / f"{ETF}/translations.lock").write_text(old.stdout, "utf-8")
    path = project / f"{ETF}/brief.yaml"
    before = run_cli(project, "check", "--strict", ETF)
    assert [w for w in warnings(before.stderr) if "old form" not in w] == [], before.stderr  # read as it was
    lock_line = line_of(project / f"{ETF}/translations.lock", "brief.yaml:")
    assert f"{ETF}/translations.lock:{lock_line}:1: warning: the review records of brief.yaml are in the old form" in (
        before.stderr
    )
    _key_data_row(path, "未来推理算力占比", NEW_ROW)
    after = warnings(run_cli(project, "check", "--strict", ETF).stderr)
    assert sum("may be stale" in w for w in after) == 6 and sum("not yet marked" in w for w in after) == 2
    # rewritten once, the same file keyed by content flags nothing until the next change
    assert run_cli(project, "translations", "--reviewed", ETF).exit_code == 0
    assert "key_data/label#" in (project / f"{ETF}/translations.lock").read_text("utf-8")
    assert run_cli(project, "check", "--strict", ETF).exit_code == 0


def test_reordering_rows_and_points_flags_nothing(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = project / f"{ETF}/brief.yaml"
    text = path.read_text("utf-8")
    start, end = text.index("key_data:\n") + len("key_data:\n"), text.index("key_points:\n")
    rows = text[start:end].splitlines(keepends=True)
    pairs = ["".join(rows[i : i + 2]) for i in range(0, len(rows), 2)]
    assert len(pairs) == 3
    path.write_text(text[:start] + "".join(reversed(pairs)) + text[end:], "utf-8")
    summary = project / BRIEF
    text = summary.read_text("utf-8")
    start, end = text.index("key_points:\n") + len("key_points:\n"), text.index("sections:\n")
    points = text[start:end].splitlines(keepends=True)
    pairs = ["".join(points[i : i + 2]) for i in range(0, len(points), 2)]
    summary.write_text(text[:start] + "".join(reversed(pairs)) + text[end:], "utf-8")
    result = run_cli(project, "check", "--strict", ETF, SUMMARY)
    assert result.exit_code == 0, result.output


def test_an_edited_key_point_is_stale_and_only_it(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = project / BRIEF
    line = edit(path, "**A short-term wobble, long-term growth.**", "**A short-term dip, long-term growth.**")
    result = run_cli(project, "check", "--strict", SUMMARY)
    assert [w.split(": warning: ")[1] for w in warnings(result.stderr)] == [
        f"zh-CN text may be stale: its en source changed since review {HINT}"
    ]
    assert f"{BRIEF}:{line + 1}:" in result.stderr  # at the zh-CN text, on the line after the English


# ============================================================================ hostile notices


@pytest.mark.parametrize(
    ("notice", "message"),
    [
        ("  fr:\n    zh-CN: 译文", "translation_notice: unknown language 'fr' (languages are zh-CN, en, zh-HK)"),
        ("  en:\n    zh-CN: 译文\n    en: Original", "translation_notice.en: an original is not a translation of"),
        ("  en:\n    zh-HK: 譯文", "translation_notice.en: missing the 'zh-CN' text"),
        ("  en:\n    zh-CN: '  '", "translation_notice.en: missing the 'zh-CN' text"),
        ("  en: 译文", "must be a mapping"),
    ],
)
def test_a_broken_translation_notice_is_located(project: Path, run_cli, notice: str, message: str) -> None:  # type: ignore[no-untyped-def]
    path = project / "content/_shared/house.yaml"
    text = path.read_text("utf-8")
    start = text.index("translation_notice:\n")
    path.write_text(text[:start] + "translation_notice:\n" + notice + "\n", "utf-8")
    line = line_of(path, "translation_notice:")
    result = run_cli(project, "check", SUMMARY)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "content/_shared/house.yaml:" in result.stderr and message in result.stderr, result.stderr
    assert any(f"house.yaml:{n}:" in result.stderr for n in (line, line + 1, line + 2)), result.stderr
