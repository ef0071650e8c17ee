"""Messages a newcomer understands (issue 16, point 4): YAML mistakes in plain words at the line
to fix, "did you mean" for misspelt keys and ids in the wrong case, a brief saved under a near-miss
name, and ``watch`` printing a check's warnings as ``check`` prints them.

Each test writes the exact broken input into a copy of the example project (or a small YAML file)
and reads the real message: the line is computed from the edited file, never copied from output.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from briefs.errors import ContentError
from briefs.source.yamlsource import load_yaml

from .conftest import edit, line_of
from .test_load_errors import RunCli, assert_error, assert_failed_cleanly, diagnostics


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about messages, not about the
    examples."""
    return small_project


WECHAT = "content/wechat-r1-inference/brief.yaml"
ANALYSTS = "content/_shared/analysts.yaml"
RATINGS = "content/_shared/ratings.yaml"
JARGON = re.compile(r"<[a-z ]+>|block mapping|block collection|simple key|scalar|token")


def error_of(tmp_path: Path, text: str) -> tuple[int, int, str]:
    """Line, column and message of the one error ``text`` gives as a YAML file."""
    path = tmp_path / "brief.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(ContentError) as caught:
        load_yaml(path)
    (found,) = caught.value.diagnostics
    assert not JARGON.search(found.message), found.message
    return found.location.line, found.location.column, found.message


def lines_of(path: Path) -> list[str]:
    return path.read_text("utf-8").split("\n")


def indent_line(path: Path, number: int, by: int) -> str:
    """Indent line ``number`` (1-based) of ``path`` by ``by`` more spaces; returns its text."""
    lines = lines_of(path)
    lines[number - 1] = " " * by + lines[number - 1]
    path.write_text("\n".join(lines), "utf-8")
    return lines[number - 1]


# ============================================================================ YAML syntax


def test_the_issues_over_indented_line_is_reported_at_that_line(project: Path, run_cli: RunCli) -> None:
    """Over-indenting the first key under a key (PyYAML stops at the line after it, in jargon)."""
    path = project / WECHAT
    line = line_of(path, "  zh-CN: AI行情有望重回算力主线")  # first key under 'subtitle:'
    indent_line(path, line, 2)
    message = assert_error(run_cli(project, "check"), WECHAT, line, "indented more than the key 'en:' after it")
    assert f"{WECHAT}:{line}:5: " in run_cli(project, "check").stderr
    assert "belong under the key 'subtitle:'" in message and "indent it by 2 space(s)" in message
    assert not JARGON.search(message), message


def test_a_key_indented_more_than_the_key_before_it(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    line = line_of(path, "  en: WeChat trials DeepSeek-R1 search")  # the second key under 'title:'
    indent_line(path, line, 2)
    message = assert_error(run_cli(project, "check"), WECHAT, line, "indented more than the key 'zh-CN:' before it")
    assert "which already has its value" in message and "indent it by 2 space(s)" in message


def test_a_top_level_key_indented_under_a_finished_key(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    line = line_of(path, "kind: industry-comment")
    indent_line(path, line, 2)
    message = assert_error(run_cli(project, "check"), WECHAT, line, "indented more than the key 'id:' before it")
    assert "start it at the beginning of the line" in message


def test_a_key_indented_less_than_its_sibling(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    line = edit(path, "  en: WeChat trials", " en: WeChat trials")
    message = assert_error(run_cli(project, "check"), WECHAT, line, "indented less than the key 'zh-CN:' before it")
    assert "indent it by 2 space(s)" in message


def test_a_key_that_lines_up_with_nothing(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    line = edit(path, "subtitle:", " subtitle:")
    assert_error(run_cli(project, "check"), WECHAT, line, "indented 1 space(s), which lines it up with no key")


def test_a_key_without_its_colon(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "kind: industry-comment", "kind industry-comment")
    message = assert_error(run_cli(project, "check"), WECHAT, line, "has no colon")
    assert "'kind: industry-comment'" in message


def test_a_nested_key_without_its_colon(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "  en: WeChat trials", "  en WeChat trials")
    assert_error(run_cli(project, "check"), WECHAT, line, "has no colon", "'en: WeChat")


@pytest.mark.parametrize("quote", ['"', "'"])
def test_an_unclosed_quote_is_reported_where_it_opens(project: Path, run_cli: RunCli, quote: str) -> None:
    path = project / WECHAT
    line = edit(path, "kind: industry-comment", f"kind: {quote}industry-comment")
    result = run_cli(project, "check")
    message = assert_error(result, WECHAT, line, f"the quote {quote} that starts this value is not closed")
    assert f"{WECHAT}:{line}:7: " in result.stderr and f"add the closing {quote}" in message


@pytest.mark.parametrize(("text", "line", "column", "words"), [
    ('id: x\ntitle: "abc\n', 2, 8, 'the quote " that starts this value is not closed before the end of the file'),
    ("id: x\ntitle: 'abc\nkind: y\n", 2, 8, "the quote ' that starts this value is not closed before the end"),
    ('id: "x\nkind: y\ntitle: "z"\n', 1, 5, 'so the value runs on to the " on line 3'),
])
def test_an_unclosed_quote_variants(tmp_path: Path, text: str, line: int, column: int, words: str) -> None:
    found = error_of(tmp_path, text)
    assert found[:2] == (line, column) and words in found[2], found


@pytest.mark.parametrize(("old", "new", "bracket", "closing"), [
    ("analysts: [lin-qing]", "analysts: [lin-qing", "[", "]"),
    ("approval: {by: gu-wenjing, date: 2025-02-14}", "approval: {by: gu-wenjing, date: 2025-02-14", "{", "}"),
])
def test_an_unclosed_bracket_is_reported_where_it_opens(
    project: Path, run_cli: RunCli, old: str, new: str, bracket: str, closing: str
) -> None:
    line = edit(project / WECHAT, old, new)
    result = run_cli(project, "check")
    message = assert_error(result, WECHAT, line, f"the '{bracket}' that starts this")
    assert f"add '{closing}' after its last item" in message
    assert f"{WECHAT}:{line}:{new.index(bracket) + 1}: " in result.stderr


def test_a_tab_used_for_indentation(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "  en: WeChat trials", "\ten: WeChat trials")
    message = assert_error(run_cli(project, "check"), WECHAT, line, "a tab is used to indent this line")
    assert "replace the tab by spaces" in message


def test_a_duplicate_key_names_both_lines(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    first = line_of(path, "kind: industry-comment")
    line = edit(path, "date: 2025-02-16", "kind: company-comment")
    assert_error(run_cli(project, "check"), WECHAT, line, f"duplicate key 'kind' (first defined on line {first})")


@pytest.mark.parametrize(("text", "line", "column", "words"), [
    # a first key over-indented, as in the issue (reported on the line itself, not the next)
    ("a:\n  b: 1\nc: 3\nd: 4\ne: 5\nf: 6\ng: 7\ntitle:\n    zh-CN: x\n  en: y\n", 9, 5,
     "indented more than the key 'en:' after it"),
    ("a: 1\nb: 2\n  c: 3\n", 3, 3, "indented more than the key 'b:' before it"),
    ("a:\n  - id: 1\n     x: 2\n", 3, 6, "key 'id:' of the list item before it"),
    ("a:\n  - x\n - y\n", 3, 2, "indented less than the list item '- x' before it"),
    ("a: b\n  c\n  d: e\n", 2, 3, "'c' has no colon"),
    ("title: Ratio: 3\n", 1, 13, 'write title: "Ratio: 3"'),
    ('title: "a" b\n', 1, 12, "text after the closing quote"),
    ("a: {b: c d: e}\n", 1, 11, "items are separated by commas"),
    ('a: "x\\qy"\n', 1, 7, "write \\\\ for a backslash"),
    ("a: @b\n", 1, 4, "cannot start with '@' unless it is in quotes"),
    ("a: b\n- c\n", 2, 1, "a list item where a key was expected"),
    ("a:\n  - b\n  c: d\n", 3, 3, "a key among the items of a list"),
    ("a: 1\n...\nb\n", 3, 1, "a new document (---)"),  # PyYAML's own words, its jargon translated
])
def test_variants_are_worded_plainly_at_their_line(tmp_path: Path, text: str, line: int, column: int,
                                                   words: str) -> None:
    found = error_of(tmp_path, text)
    assert found[:2] == (line, column), found
    assert words in found[2] and found[2].startswith("YAML syntax error: "), found[2]


# ============================================================================ misspelt keys


def test_a_misspelt_key_gets_did_you_mean(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "sections:", "sectons:")
    result = run_cli(project, "check")
    assert_error(result, WECHAT, line, "unknown key 'sectons'; did you mean 'sections'?")
    assert_error(result, WECHAT, 1, "missing required key 'sections'", f"('sectons' on line {line} is not a key")


def test_a_misspelt_key_in_a_nested_record(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "    heading: {zh-CN: 事件", "    heding: {zh-CN: 事件")
    assert_error(run_cli(project, "check"), WECHAT, line, "unknown key 'heding'; did you mean 'heading'?")


def test_a_key_in_the_wrong_case(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "subtitle:", "Subtitle:")
    assert_error(run_cli(project, "check"), WECHAT, line,
                 "unknown key 'Subtitle'; did you mean 'subtitle'? (keys are case-sensitive)")


def test_a_misspelt_key_in_a_shared_file(project: Path, run_cli: RunCli) -> None:
    line = edit(project / ANALYSTS, "    email: lin.qing", "    emial: lin.qing")
    assert_error(run_cli(project, "check"), ANALYSTS, line, "unknown key 'emial'; did you mean 'email'?")


def test_a_key_close_to_none_gets_no_guess(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "subtitle:", "zzzzzz:")
    message = assert_error(run_cli(project, "check"), WECHAT, line, "unknown key 'zzzzzz'")
    assert "did you mean" not in message


# ============================================================================ ids in the wrong case


def test_an_analyst_id_in_the_wrong_case(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "analysts: [lin-qing]", "analysts: [Lin-Qing]")
    assert_error(run_cli(project, "check"), WECHAT, line, "invalid id 'Lin-Qing'", "did you mean 'lin-qing'?")


def test_a_benchmark_market_in_the_wrong_case(project: Path, run_cli: RunCli) -> None:
    line = edit(project / RATINGS, "  - market: a-share", "  - market: A-Share")
    assert_error(run_cli(project, "check"), RATINGS, line, "ids are written in lower case", "did you mean 'a-share'?")


def test_a_link_to_a_section_in_the_wrong_case(project: Path, run_cli: RunCli) -> None:
    md = project / "content/wechat-r1-inference/chain.en.md"
    edit(md, "(see [](#chain))", "(see [](#Chain))")
    result = run_cli(project, "check")
    assert_failed_cleanly(result)
    assert "'#Chain'; did you mean 'chain'? (names are case-sensitive)" in result.stderr, result.stderr


# ============================================================================ near-miss file names


@pytest.mark.parametrize("name", ["brief.yml", "Brief.yaml", "brief.yaml.txt", "breif.yaml", "brief.YAML"])
def test_a_brief_under_a_near_miss_name_is_reported(project: Path, run_cli: RunCli, name: str) -> None:
    folder = project / "content" / "wechat-r1-inference"
    (folder / "brief.yaml").rename(folder / name)
    shown = f"content/wechat-r1-inference/{name}"
    for args in ((), ("content/wechat-r1-inference",), (shown,)):
        result = run_cli(project, "check", *args)
        assert_failed_cleanly(result)
        assert result.stderr.startswith(
            f"{shown}: this brief is named '{name}', so it is not read: rename it to brief.yaml"
        ), (args, result.stderr)
        assert "no problems" not in result.stdout


def test_a_backup_beside_the_real_brief_is_left_alone(project: Path, run_cli: RunCli) -> None:
    folder = project / "content" / "wechat-r1-inference"
    (folder / "brief.yaml.bak").write_bytes((folder / "brief.yaml").read_bytes())
    result = run_cli(project, "check", "content/wechat-r1-inference")
    assert result.exit_code == 0, result.output
    assert "brief.yaml.bak" not in result.output


def test_unrelated_files_in_a_folder_are_not_mistaken_for_a_brief(project: Path, run_cli: RunCli) -> None:
    notes = project / "content" / "notes"
    notes.mkdir()
    (notes / "readme.md").write_text("notes\n", "utf-8")
    (notes / "data.yaml").write_text("a: 1\n", "utf-8")
    result = run_cli(project, "check")
    assert result.exit_code == 0, result.output
    assert not diagnostics(result) or all("warning:" in d[3] for d in diagnostics(result))


# ============================================================================ watch prints as check


def test_watch_prints_the_warnings_check_prints(project: Path, run_cli: RunCli) -> None:
    """Stale translations are warnings of ``check``; ``watch`` printed none of them."""
    brief = "content/wechat-r1-inference"
    edit(project / WECHAT, "微信近日开始灰度测试接入DeepSeek-R1模型。", "微信近日开始灰度测试接入DeepSeek-R1推理模型。")
    edit(project / brief / "thesis.zh-CN.md", "短期内，市场由此担心", "短期内，市场因此担心")
    checked = run_cli(project, "check", brief)
    assert checked.exit_code == 0, checked.output
    expected = [line for line in checked.stderr.splitlines() if ": warning: " in line]
    assert len(expected) == 2, checked.stderr

    process = subprocess.Popen(
        [sys.executable, "-m", "briefs", "watch", "--format", "html", brief], cwd=project, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "CI": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as a terminal's Ctrl-C
    assert process.stdout is not None
    printed: list[str] = []
    try:
        for line in process.stdout:
            printed.append(line.rstrip("\n"))
            if line.startswith("watching for changes"):
                break
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)
    assert [line for line in printed if ": warning: " in line] == expected, printed
    assert any(line.startswith("built 1 brief(s)") for line in printed), printed


def test_plain_words_for_pyyamls_own_message() -> None:
    from briefs.source.yamlhints import plain

    assert plain("expected <block end>, but found '<block mapping start>'") == (
        "expected the end of an indented block, but found a new indented key")
