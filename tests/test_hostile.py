"""Hostile and broken input found by probing the command line: each is a located error (or a
refusal), exit status 1 (2 for a bad option), and never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import edit, line_of


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about hostile input, not about the
    examples."""
    return small_project


WECHAT = Path("content") / "wechat-r1-inference"
ETF = Path("content") / "compute-etf-note"


def failed_cleanly(result, status: int = 1) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == status, result.output
    assert "Traceback" not in result.output
    return str(result.stderr)


@pytest.mark.parametrize("old, new, words", [
    ("      en: etfs.en.md", '      en: "a\\0b.md"', "control character U+0000"),
    ("      en: etfs.en.md", "      en: " + "a" * 300 + ".md", "is not a usable file name"),
    ("data: compute-share.csv", 'data: "a\\0.csv"', "control character U+0000"),
    ("data: compute-share.csv", "data: " + "a" * 300 + ".csv", "is not a usable file name"),
])
def test_a_file_name_no_file_can_have_is_located(project: Path, run_cli, old: str, new: str,  # type: ignore[no-untyped-def]
                                                 words: str) -> None:
    brief = project / ETF / "brief.yaml"
    line = edit(brief, old, new)
    stderr = failed_cleanly(run_cli(project, "check", str(ETF)))
    assert f"{ETF}/brief.yaml:{line}:" in stderr and words in stderr, stderr


@pytest.mark.parametrize("command", ["check", "build", "translations"])
def test_a_path_argument_no_file_can_have_is_located(project: Path, run_cli, command: str) -> None:  # type: ignore[no-untyped-def]
    stderr = failed_cleanly(run_cli(project, command, "content/" + "a" * 300))
    assert "not a usable path: File name too long" in stderr, stderr


@pytest.mark.parametrize("only", [",,,", ""])
def test_distribute_only_with_no_ids_never_means_every_client(project: Path, run_cli, only: str) -> None:  # type: ignore[no-untyped-def]
    stderr = failed_cleanly(run_cli(project, "distribute", str(ETF), "--only", only), status=2)
    assert "give at least one recipient id" in stderr
    assert not (project / "output" / "distribution.jsonl").exists()


@pytest.mark.parametrize("field, old, new", [
    ("licence", "licence: S0990523010001", "licence: S０９９０５２３０１０００１"),
    ("licence", "licence: S0990523010001", 'licence: "S0990523010001\\n"'),
    ("id", "  - id: lin-qing", '  - id: "lin-qing\\n"'),
])
def test_patterns_match_the_whole_value_in_ascii_digits(project: Path, run_cli, field: str, old: str,
                                                        new: str) -> None:  # type: ignore[no-untyped-def]
    """A licence number in full-width digits, or a value with a trailing newline, is not valid."""
    analysts = project / "content" / "_shared" / "analysts.yaml"
    line = edit(analysts, old, new)
    stderr = failed_cleanly(run_cli(project, "check"))
    assert f"content/_shared/analysts.yaml:{line}:" in stderr, stderr


@pytest.mark.parametrize("old, new", [
    ("  en: WeChat trials", '  en: "WeChat \\x01 trials'),
    ("  en: WeChat trials", '  en: "WeChat \\0 trials'),
])
def test_a_control_character_from_a_yaml_escape_is_located(project: Path, run_cli, old: str, new: str) -> None:  # type: ignore[no-untyped-def]
    brief = project / WECHAT / "brief.yaml"
    text = brief.read_text("utf-8")
    line = text[:text.index(old)].count("\n") + 1
    original = text.splitlines()[line - 1]
    brief.write_text(text.replace(original, new + original.removeprefix(old) + '"'), "utf-8")
    stderr = failed_cleanly(run_cli(project, "check", str(WECHAT)))
    assert f"{WECHAT}/brief.yaml:{line}:" in stderr and "control character U+00" in stderr, stderr


@pytest.mark.parametrize("name, char", [("thesis.en.md", "\x1b"), ("compute-share.csv", "\x00")])
def test_a_control_character_in_a_file_is_located(project: Path, run_cli, name: str, char: str) -> None:  # type: ignore[no-untyped-def]
    path = project / WECHAT / name
    lines = path.read_text("utf-8").splitlines()
    row = next(i for i, line in enumerate(lines) if i and len(line) > 5)
    lines[row] = lines[row][:3] + char + lines[row][3:]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    result = run_cli(project, "build", str(WECHAT), "--format", "html", "--out", "out")
    stderr = failed_cleanly(result)
    assert f"{WECHAT}/{name}:{row + 1}:4: control character U+{ord(char):04X}" in stderr, stderr
    assert not (project / "out" / WECHAT.name).exists()


@pytest.mark.parametrize("old, new, words", [
    ('msgstr "%(unit)s整理"', 'msgstr "%(units)s整理"', "uses %(units)s, which the message does not have"),
    ('msgstr "%(unit)s整理"', 'msgstr "整理"', "drops %(unit)s"),
    ('msgstr "分析师"', 'msgstr "分析师 100%"', "has a '%' that is not a placeholder"),
    ("charset=utf-8", "charset=bogus", "unreadable catalog: unknown encoding: bogus"),
    ('msgstr "分析师"', 'msgstr "分析师', 'not closed by a "'),  # Babel would print 分析
])
def test_a_catalog_that_would_break_formatting_is_located(project: Path, run_cli, old: str, new: str,  # type: ignore[no-untyped-def]
                                                          words: str) -> None:
    po = project / "templates" / "locales" / "zh_CN" / "LC_MESSAGES" / "messages.po"
    edit(po, old, new)
    for args in (("check",), ("build", str(ETF), "--format", "html", "--out", "out")):
        stderr = failed_cleanly(run_cli(project, *args))
        assert "templates/locales/zh_CN/LC_MESSAGES/messages.po" in stderr and words in stderr, stderr


@pytest.mark.parametrize("edit_template, words", [
    # a deleted override falls back to the theme's file; a name no theme folder has is an error
    (lambda t: t.write_text('{% include "partials/tocs.html" %}\n', "utf-8"), "template not found: partials/tocs.html"),
    (lambda t: t.write_bytes(t.read_bytes() + b"\xff\xfe"), "not valid UTF-8"),
    (lambda t: t.write_text(t.read_text("utf-8") + "{{ 1/0 }}\n", "utf-8"), "ZeroDivisionError"),
    (lambda t: t.write_text(t.read_text("utf-8") + '{% include "partials/toc.html" %}\n', "utf-8"),
     "RecursionError"),
])
def test_template_mistakes_are_located_errors(project: Path, run_cli, edit_template, words: str) -> None:  # type: ignore[no-untyped-def]
    edit_template(project / "templates" / "partials" / "toc.html")
    stderr = failed_cleanly(run_cli(project, "build", str(ETF), "--format", "html", "--out", "out"))
    assert "templates" in stderr and words in stderr, stderr


@pytest.mark.parametrize("old, new, words", [
    ('languages = ["zh-CN", "en"]', "languages = 5", "tool.briefs.languages: expected a list"),
    ('languages = ["zh-CN", "en"]', 'languages = "en"', "tool.briefs.languages: expected a list"),
    ('content = "content"', "content = 5", "tool.briefs.content: expected a folder name"),
    ('convert = "s2hkp"', 'convert = "bogus"', "unknown OpenCC conversion 'bogus'"),
])
def test_configuration_of_the_wrong_shape_is_located(project: Path, run_cli, old: str, new: str,  # type: ignore[no-untyped-def]
                                                     words: str) -> None:
    line = edit(project / "pyproject.toml", old, new)
    stderr = failed_cleanly(run_cli(project, "check"))
    assert f"pyproject.toml:{line}:" in stderr and words in stderr, stderr


def test_a_run_of_thousands_of_digits_is_not_a_crash(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    md = project / WECHAT / "thesis.zh-CN.md"
    md.write_text(md.read_text("utf-8") + "\n\n数字" + "9" * 4400 + "。\n", "utf-8")
    result = run_cli(project, "check", str(WECHAT))
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert "figure '99999" in result.stderr and "…'" in result.stderr  # quoted briefly


def test_a_label_key_in_other_digits_can_be_marked_reviewed(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    data = project / WECHAT / "compute-share.csv"
    edit(data, "inference", "①")
    edit(project / WECHAT / "brief.yaml", "        inference:", "        ①:")
    result = run_cli(project, "translations", "--reviewed", str(WECHAT))
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output


def test_trace_reports_a_log_line_nested_too_deep(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    out = project / "output"
    out.mkdir()
    (out / "distribution.jsonl").write_text("[" * 100_000 + "\n", "utf-8")
    (project / "copy.pdf").write_bytes(b"%PDF-1.7")
    stderr = failed_cleanly(run_cli(project, "trace", "copy.pdf"))
    assert "output/distribution.jsonl:1:1: not a log entry" in stderr


@pytest.mark.parametrize("old, new", [
    ("analysts: [lin-qing]", "analysts: [lin-qing, lin-qing]"),
    ("contacts: [he-yu]", "contacts: [he-yu, he-yu]"),
    ("  - ai-monetisation\n", "  - ai-monetisation\n  - export-controls\n"),
])
def test_an_id_listed_twice_in_a_brief_is_located(project: Path, run_cli, old: str, new: str) -> None:  # type: ignore[no-untyped-def]
    """An analyst listed twice would sign twice; a risk twice gives two elements with one id."""
    brief = project / WECHAT / "brief.yaml"
    key = new.split(":")[0] if ":" in new else "risks"
    edit(brief, old, new)
    stderr = failed_cleanly(run_cli(project, "check", str(WECHAT)))
    assert f"{WECHAT}/brief.yaml:{line_of(brief, key + ':')}:" in stderr and "twice" in stderr, stderr


def test_a_csv_with_cr_only_line_endings_says_so(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    data = project / WECHAT / "compute-share.csv"
    data.write_bytes(data.read_bytes().replace(b"\n", b"\r"))
    stderr = failed_cleanly(run_cli(project, "check", str(WECHAT)))
    assert f"{WECHAT}/compute-share.csv:1:1: lines end in CR only" in stderr, stderr


def test_chinese_text_in_a_mixed_column_is_caught_as_in_a_text_column(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    data = project / "content" / "deepseek-efficiency-not-deflation" / "deployment.yaml"
    line = edit(data, "value: 1814, format: integer", "value: 中文, format: text")
    stderr = failed_cleanly(run_cli(project, "check", "content/deepseek-efficiency-not-deflation"))
    assert f"deployment.yaml:{line}:" in stderr and "Chinese text '中文'" in stderr, stderr


@pytest.mark.parametrize("old, new, words", [
    ("  - id: event\n", "  - id: chain\n", "section id 'chain' is reserved"),
    ("  - id: compute-share\n", "  - id: event\n", "exhibit id 'event' is also a section's id"),
])
def test_one_id_names_one_thing_a_link_can_reach(project: Path, run_cli, old: str, new: str, words: str) -> None:  # type: ignore[no-untyped-def]
    brief = project / WECHAT / "brief.yaml"
    line = edit(brief, old, new)
    stderr = failed_cleanly(run_cli(project, "check", str(WECHAT)))
    assert f"{WECHAT}/brief.yaml:{line}:" in stderr and words in stderr, stderr
