"""Broken content through the real CLI: every problem is reported as ``path:line:col: message``.

Each test breaks a fresh copy of the example project (``project``), runs ``briefs check`` in it and
checks the exit status, that the diagnostic names the file (relative to the working directory) and
the line that was broken (computed from the edited file, never copied from output), a key word of
the message, and that no traceback escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from briefs.source.yamlsource import load_yaml

from .conftest import SMALL, copy_project, edit, line_of

RunCli = Callable[..., Result]

WECHAT = "content/wechat-r1-inference/brief.yaml"
COST = "content/deepseek-cost-performance/brief.yaml"
DEFLATION = "content/deepseek-efficiency-not-deflation/brief.yaml"
ETF = "content/compute-etf-note/brief.yaml"
ANALYSTS = "content/_shared/analysts.yaml"
KINDS = "content/_shared/kinds.yaml"
# The briefs of this module's ``project``: the small project's, and the brief the rating-scale
# tests break (an industry report).
BRIEFS = (*SMALL, "deepseek-cost-performance")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """In this module ``project`` holds BRIEFS (five of the example briefs) and every shared
    file: the tests break one file each and read the message, whatever the other briefs are."""
    return copy_project(tmp_path / "project", briefs=BRIEFS)


_DIAGNOSTIC = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<msg>.*)$", re.MULTILINE)


# ----------------------------------------------------------------------------- helpers


def diagnostics(result: Result) -> list[tuple[str, int, int, str]]:
    """Every ``path:line:col: message`` line the run printed on stderr."""
    return [(m["path"], int(m["line"]), int(m["col"]), m["msg"]) for m in _DIAGNOSTIC.finditer(result.stderr)]


def assert_failed_cleanly(result: Result) -> None:
    """Exit status 1 through sys.exit, a summary line, and no traceback anywhere."""
    __tracebackhide__ = True
    assert result.exit_code == 1, f"exit {result.exit_code}\n{result.output}"
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert re.search(r"^briefs: \d+ error\(s\)$", result.stderr, re.MULTILINE), result.stderr


def assert_error(result: Result, path: str, line: int, *words: str) -> str:
    """The run failed and reported ``path:line:`` with a message containing every word."""
    __tracebackhide__ = True
    assert_failed_cleanly(result)
    assert f"{path}:{line}:" in result.stderr, result.stderr
    here = [d[3] for d in diagnostics(result) if d[0] == path and d[1] == line]
    matching = [msg for msg in here if all(w in msg for w in words)]
    assert matching, f"no message with {words} at {path}:{line}:\n{result.stderr}"
    return matching[0]


def assert_ok(result: Result, count: int | None = None) -> None:
    """The check passed."""
    __tracebackhide__ = True
    assert result.exit_code == 0, result.output
    assert result.exception is None, repr(result.exception)
    assert "no problems" in result.stdout
    assert not diagnostics(result), result.stderr
    if count is not None:
        assert f"checked {count} brief(s)" in result.stdout


def assert_loads(result: Result) -> None:
    """The content is valid: exit 0 and no errors (bilingual-fidelity warnings are allowed)."""
    __tracebackhide__ = True
    assert result.exit_code == 0, result.output
    assert result.exception is None, repr(result.exception)
    assert re.search(r"^checked \d+ brief\(s\)", result.stdout, re.MULTILINE), result.stdout
    assert all(d[3].startswith("warning: ") for d in diagnostics(result)), result.stderr


def key_line(path: Path, key: str) -> int:
    """Line of a top-level key (``key:`` at the start of a line)."""
    text = path.read_text("utf-8")
    match = re.search(rf"^{re.escape(key)}:", text, re.MULTILINE)
    assert match, f"no top-level {key!r} in {path}"
    return text[: match.start()].count("\n") + 1


def replace_line(path: Path, needle: str, new: str) -> int:
    """Replace the whole line containing ``needle`` by ``new`` (several lines, or none if empty)."""
    lines = path.read_text("utf-8").splitlines(keepends=True)
    index = next(i for i, text in enumerate(lines) if needle in text)
    lines[index] = new
    path.write_text("".join(lines), "utf-8")
    return index + 1


def check(run_cli: RunCli, project: Path, *args: str) -> Result:
    return run_cli(project, "check", *args)


# ----------------------------------------------------------------------------- 18. the baseline


def test_untouched_example_project_passes(tmp_path: Path, run_cli: RunCli) -> None:
    project = copy_project(tmp_path / "project")  # every example brief
    briefs = sorted(p.parent.name for p in (project / "content").glob("*/brief.yaml")
                    if not p.parent.name.startswith("_"))
    result = check(run_cli, project)
    assert_ok(result, len(briefs))
    assert result.stderr == ""


# ----------------------------------------------------------------------------- 1. YAML syntax


def test_bad_indentation_is_a_located_syntax_error(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "  en: WeChat trials", "   en: WeChat trials")
    assert_error(check(run_cli, project), WECHAT, line, "YAML syntax error")


def test_tab_indentation_is_a_located_syntax_error(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "  en: WeChat trials", "\ten: WeChat trials")
    assert_error(check(run_cli, project), WECHAT, line, "YAML syntax error")


def test_unclosed_bracket_is_a_located_syntax_error(project: Path, run_cli: RunCli) -> None:
    opened = edit(project / WECHAT, "analysts: [lin-qing]", "analysts: [lin-qing")
    result = check(run_cli, project)
    assert_failed_cleanly(result)
    found = diagnostics(result)
    assert len(found) == 1, result.stderr
    path, line, _, message = found[0]
    assert path == WECHAT
    # PyYAML notices the missing ']' at the next token, on the following line.
    assert line in (opened, opened + 1)
    assert "YAML syntax error" in message and "']'" in message


def test_unclosed_bracket_names_the_line_it_was_opened_on(project: Path, run_cli: RunCli) -> None:
    opened = edit(project / WECHAT, "analysts: [lin-qing]", "analysts: [lin-qing")
    result = check(run_cli, project)
    assert_failed_cleanly(result)
    assert f"{WECHAT}:{opened}:" in result.stderr or f"line {opened}" in result.stderr, result.stderr


def test_second_yaml_document_is_refused(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    path.write_text(path.read_text("utf-8") + "---\nid: another\n", "utf-8")
    line = line_of(path, "---\nid: another")
    assert_error(check(run_cli, project), WECHAT, line, "document")


# ----------------------------------------------------------------------------- 2. truncated files


def _truncate(path: Path, needle: str, chars_after: int, extra_bytes: int = 0) -> bytes:
    """Keep the file up to ``chars_after`` characters past the start of ``needle`` (+ raw bytes)."""
    text = path.read_text("utf-8")
    cut = text.index(needle) + chars_after
    raw = text[:cut].encode("utf-8") + text[cut:].encode("utf-8")[:extra_bytes]
    path.write_bytes(raw)
    return raw


def _last_line(raw: bytes) -> int:
    return raw.count(b"\n") + 1


@pytest.mark.parametrize(
    ("needle", "chars_after"),
    [
        pytest.param('  - zh-CN: "**超级入口', 14, id="inside-a-quoted-key-point"),
        pytest.param("    heading: {zh-CN: 事件", 20, id="inside-a-flow-mapping"),
        pytest.param("    body_file:\n      zh-CN: thesis", 11, id="inside-a-key"),
    ],
)
def test_truncated_brief_is_reported_at_its_end(project: Path, run_cli: RunCli, needle: str,
                                                chars_after: int) -> None:
    raw = _truncate(project / WECHAT, needle, chars_after)
    assert not raw.endswith(b"\n")  # cut mid-line
    assert_error(check(run_cli, project), WECHAT, _last_line(raw), "YAML")


def test_truncated_inside_a_utf8_character_is_reported_on_that_line(project: Path, run_cli: RunCli) -> None:
    # Cutting bytes (not characters) can split a Chinese character: the file is no longer UTF-8.
    raw = _truncate(project / WECHAT, "  zh-CN: 微信灰测", len("  zh-CN: 微信"), extra_bytes=1)
    assert_error(check(run_cli, project), WECHAT, _last_line(raw), "UTF-8")


def test_truncated_at_a_valid_point_reports_the_missing_keys(project: Path, run_cli: RunCli) -> None:
    # Cut in the middle of a plain scalar: still valid YAML, but the rest of the brief is gone.
    path = project / WECHAT
    _truncate(path, "  en: WeChat trials", len("  en: WeChat tri"))
    root = key_line(path, "id")
    result = check(run_cli, project)
    for key in ("key_points", "sections", "risks"):
        assert_error(result, WECHAT, root, "missing required key", f"'{key}'")


# ----------------------------------------------------------------------------- 3. unknown keys


def test_misspelt_top_level_key(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    line = edit(path, "\ntitle:\n", "\ntitel:\n") + 1
    result = check(run_cli, project)
    assert_error(result, WECHAT, line, "unknown key 'titel'")
    assert_error(result, WECHAT, key_line(path, "id"), "missing required key 'title'")


def test_misspelt_key_in_nested_mapping(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "  stage: inference-compute", "  stgae: inference-compute")
    assert_error(check(run_cli, project), WECHAT, line, "unknown key 'stgae'")


def test_misspelt_key_in_a_list_item(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "    heading: {zh-CN: 投资建议", "    headng: {zh-CN: 投资建议")
    assert_error(check(run_cli, project), WECHAT, line, "unknown key 'headng'")


def test_misspelt_key_in_a_brief_own_risk(project: Path, run_cli: RunCli) -> None:
    # Own risks sit in a tagged union; the union tag must not leak into the message or hide the line.
    path = project / DEFLATION
    own = line_of(path, "  - title: {zh-CN: 付费率提升不及预期风险")
    line = edit(path, "    text:\n      zh-CN: MaaS", "    txet: x\n    text:\n      zh-CN: MaaS")
    assert line == own + 1
    message = assert_error(check(run_cli, project), DEFLATION, line, "unknown key 'txet'")
    assert "own-risk" not in message


def test_misspelt_key_in_shared_file(project: Path, run_cli: RunCli) -> None:
    line = edit(project / ANALYSTS, "    email: lin.qing@", "    emial: lin.qing@")
    assert_error(check(run_cli, project), ANALYSTS, line, "unknown key 'emial'")


# ----------------------------------------------------------------------------- 4. wrong types


def test_key_points_as_a_string(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    text = path.read_text("utf-8")
    block = re.search(r"^key_points:\n(?:  .*\n)+", text, re.MULTILINE)
    assert block
    path.write_text(text[: block.start()] + "key_points: just one point\n" + text[block.end():], "utf-8")
    line = key_line(path, "key_points")
    assert_error(check(run_cli, project), WECHAT, line, "'key_points' must be a list")


def test_analysts_as_a_string(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "analysts: [lin-qing]", "analysts: lin-qing")
    assert_error(check(run_cli, project), WECHAT, line, "'analysts' must be a list")


def test_text_given_as_plain_string(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "sector: {zh-CN: 通信, en: Communications}", "sector: Communications")
    assert_error(check(run_cli, project), WECHAT, line, "'sector' must be a mapping")


@pytest.mark.parametrize("value", ["16/02/2025", "2025-02-30"])
def test_date_not_written_yyyy_mm_dd(project: Path, run_cli: RunCli, value: str) -> None:
    line = edit(project / WECHAT, "date: 2025-02-16", f"date: {value}")
    assert_error(check(run_cli, project), WECHAT, line, "YYYY-MM-DD")


@pytest.mark.parametrize("value", ["1739664000", "2025-02-16T00:00:00"])
def test_date_as_timestamp_or_datetime_is_refused(project: Path, run_cli: RunCli, value: str) -> None:
    line = edit(project / WECHAT, "date: 2025-02-16", f"date: {value}")
    assert_error(check(run_cli, project), WECHAT, line, "YYYY-MM-DD")


def test_true_is_not_text(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "en: Communications}", "en: true}")
    assert_error(check(run_cli, project), WECHAT, line, "'en' must be text")


def test_top_level_list_instead_of_mapping(project: Path, run_cli: RunCli) -> None:
    (project / WECHAT).write_text("- id: wechat-r1-inference\n- kind: industry-comment\n", "utf-8")
    assert_error(check(run_cli, project), WECHAT, 1, "must be a mapping", "a list")


def test_invalid_id_format(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "id: wechat-r1-inference", "id: WeChat_R1")
    assert_error(check(run_cli, project), WECHAT, line, "invalid id 'WeChat_R1'")


# ----------------------------------------------------------------------------- 5. missing fields


def test_missing_title_block(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    text = path.read_text("utf-8")
    block = re.search(r"^title:\n(?:  .*\n)+", text, re.MULTILINE)
    assert block
    path.write_text(text[: block.start()] + text[block.end():], "utf-8")
    assert_error(check(run_cli, project), WECHAT, key_line(path, "id"), "missing required key 'title'")


def test_missing_heading_is_reported_at_its_section(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    replace_line(path, "    heading: {zh-CN: 投资建议", "")
    section = line_of(path, "  - id: recommendations")
    assert_error(check(run_cli, project), WECHAT, section, "missing required key 'heading'")


def test_section_with_both_body_and_body_file(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    edit(path, "    body_file:\n      zh-CN: thesis.zh-CN.md",
         "    body: {zh-CN: 正文, en: Body}\n    body_file:\n      zh-CN: thesis.zh-CN.md")
    section = line_of(path, "  - id: thesis")
    assert_error(check(run_cli, project), WECHAT, section, "exactly one of 'body' or 'body_file'")


# ----------------------------------------------------------------------------- 6. languages


def test_missing_english_title(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    replace_line(path, "  en: WeChat trials", "")
    assert_error(check(run_cli, project), WECHAT, key_line(path, "title"), "missing the 'en' text")


@pytest.mark.parametrize("blank", ['""', '"   "'])
def test_blank_english_title(project: Path, run_cli: RunCli, blank: str) -> None:
    line = replace_line(project / WECHAT, "  en: WeChat trials", f"  en: {blank}\n")
    assert_error(check(run_cli, project), WECHAT, line, "the 'en' text is blank")


def test_empty_english_title(project: Path, run_cli: RunCli) -> None:
    line = replace_line(project / WECHAT, "  en: WeChat trials", "  en:\n")
    assert_error(check(run_cli, project), WECHAT, line, "'en' is empty")


def test_blank_english_in_flow_mapping(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "en: Communications}", 'en: ""}')
    assert_error(check(run_cli, project), WECHAT, line, "the 'en' text is blank")


def test_blank_markdown_block(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    text = path.read_text("utf-8")
    # The English body of the 'event' section: a '|' block scalar; keep the key, drop its text.
    match = re.search(r"^      en: \|\n(?:(?:        .*)?\n)+", text, re.MULTILINE)
    assert match
    path.write_text(text[: match.start()] + "      en: |\n" + text[match.end():], "utf-8")
    line = text[: match.start()].count("\n") + 1
    assert_error(check(run_cli, project), WECHAT, line, "the 'en' text is blank")


def test_unknown_language(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "  en: WeChat trials", "  fr: Essai\n  en: WeChat trials")
    assert_error(check(run_cli, project), WECHAT, line, "unknown language 'fr'")


def test_missing_english_in_shared_file(project: Path, run_cli: RunCli) -> None:
    path = project / ANALYSTS
    line = edit(path, "name: {zh-CN: 林清, en: Lin Qing}", "name: {zh-CN: 林清}")
    assert_error(check(run_cli, project), ANALYSTS, line, "missing the 'en' text")


# ----------------------------------------------------------------------------- 7. references


def test_unknown_analyst(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "analysts: [lin-qing]", "analysts: [lin-qnig]")
    message = assert_error(check(run_cli, project), WECHAT, line, "unknown analyst 'lin-qnig'")
    assert "did you mean 'lin-qing'" in message


def test_contact_listed_as_signing_analyst(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "analysts: [lin-qing]", "analysts: [he-yu]")
    assert_error(check(run_cli, project), WECHAT, line, "'he-yu' has role 'contact'")


def test_unknown_risk(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "  - ai-monetisation\n", "  - ai-monetization\n")
    assert_error(check(run_cli, project), WECHAT, line, "unknown risk 'ai-monetization'")


def test_unknown_disclaimer_in_kinds(project: Path, run_cli: RunCli) -> None:
    line = edit(project / KINDS, "[fund-risk-warning, marketing-notice]", "[fund-risk-warnings, marketing-notice]")
    assert_error(check(run_cli, project), KINDS, line, "unknown disclaimer 'fund-risk-warnings'")


def test_unknown_kind(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "kind: industry-comment", "kind: industry-comments")
    assert_error(check(run_cli, project), WECHAT, line, "unknown kind 'industry-comments'")


def test_unknown_chain(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "  id: ai-compute", "  id: ai-computing")
    assert_error(check(run_cli, project), WECHAT, line, "unknown chain 'ai-computing'")


def test_unknown_chain_stage(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "  stage: inference-compute", "  stage: inference")
    assert_error(check(run_cli, project), WECHAT, line, "unknown stage 'inference'")


def test_unknown_segment(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "  - segment: aidc\n", "  - segment: aidcc\n")
    assert_error(check(run_cli, project), WECHAT, line, "unknown segment 'aidcc'")


# ----------------------------------------------------------------------------- 8. ratings


def test_rating_value_not_on_scale(project: Path, run_cli: RunCli) -> None:
    line = edit(project / COST, "  value: overweight", "  value: buy")
    assert_error(check(run_cli, project), COST, line, "rating 'buy' is not on the 'industry' scale")


def test_rating_on_wrong_scale_for_kind(project: Path, run_cli: RunCli) -> None:
    line = edit(project / COST, "  scale: industry", "  scale: company")
    assert_error(check(run_cli, project), COST, line, "'industry' scale")


def test_unknown_rating_scale(project: Path, run_cli: RunCli) -> None:
    line = edit(project / COST, "  scale: industry", "  scale: sector")
    assert_error(check(run_cli, project), COST, line, "unknown rating scale 'sector'")


def test_rating_on_a_kind_that_forbids_it(project: Path, run_cli: RunCli) -> None:
    path = project / ETF
    line = edit(path, "analysts: []", "rating:\n  scale: industry\n  value: overweight\nanalysts: []")
    assert line == key_line(path, "rating")
    assert_error(check(run_cli, project), ETF, line, "fund-marketing", "cannot carry a rating")


def test_missing_rating_on_a_kind_that_requires_it(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    edit(path, "kind: industry-comment", "kind: industry-report")
    assert_error(check(run_cli, project), WECHAT, key_line(path, "id"), "needs a 'rating'")


# ----------------------------------------------------------------------------- 9. licences


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("S099052301000", id="S-and-12-digits"),
        pytest.param("S09905230100011", id="S-and-14-digits"),
        pytest.param("s0990523010001", id="lowercase-s"),
        pytest.param("S09905230100AB", id="letters"),
        pytest.param('"S 0990523010001"', id="space"),
    ],
)
def test_malformed_licence(project: Path, run_cli: RunCli, bad: str) -> None:
    line = edit(project / ANALYSTS, "licence: S0990523010001", f"licence: {bad}")
    assert_error(check(run_cli, project), ANALYSTS, line, "malformed licence number")


def test_signing_analyst_without_licence(project: Path, run_cli: RunCli) -> None:
    path = project / ANALYSTS
    replace_line(path, "licence: S0990523010001", "")
    item = line_of(path, "- id: lin-qing")
    assert_error(check(run_cli, project), ANALYSTS, item, "'lin-qing' needs a licence number")


# ----------------------------------------------------------------------------- 10. duplicate keys


def test_duplicate_top_level_key_names_both_lines(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    first = key_line(path, "id")
    line = edit(path, "kind: industry-comment\n", "kind: industry-comment\nid: again\n") + 1
    message = assert_error(check(run_cli, project), WECHAT, line, "duplicate key 'id'")
    assert f"first defined on line {first}" in message


def test_duplicate_nested_key_names_both_lines(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    first = edit(path, "  en: WeChat trials", "  en: first English title\n  en: WeChat trials")
    message = assert_error(check(run_cli, project), WECHAT, first + 1, "duplicate key 'en'")
    assert f"first defined on line {first}" in message


def test_duplicate_key_in_shared_file(project: Path, run_cli: RunCli) -> None:
    path = project / KINDS
    first = line_of(path, "    rating: forbidden")
    line = edit(path, "    rating: forbidden\n", "    rating: forbidden\n    rating: optional\n") + 1
    message = assert_error(check(run_cli, project), KINDS, line, "duplicate key 'rating'")
    assert f"first defined on line {first}" in message


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        pytest.param(WECHAT, "  - id: thesis\n", "  - id: event\n", id="section"),
        pytest.param(ANALYSTS, "  - id: zhou-yian\n", "  - id: lin-qing\n", id="analyst"),
    ],
)
def test_duplicate_id_is_reported_on_the_duplicate(project: Path, run_cli: RunCli, file: str, old: str,
                                                   new: str) -> None:
    first = line_of(project / file, new)
    line = edit(project / file, old, new)
    assert first < line
    message = assert_error(check(run_cli, project), file, line, "duplicate", repr(new.split(": ")[1].strip()))
    assert f"line {first}" in message  # both places are named


# ----------------------------------------------------------------------------- 11. tags, anchors


def test_python_tag_is_refused_and_not_executed(project: Path, run_cli: RunCli, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    line = edit(project / WECHAT, "sector: {zh-CN: 通信, en: Communications}",
                f'sector: !!python/object/apply:os.system ["touch {marker}"]')
    message = assert_error(check(run_cli, project), WECHAT, line, "YAML tags are not allowed")
    assert "python/object/apply" in message
    assert not marker.exists()


@pytest.mark.parametrize("tagged", ["!!binary aGVsbG8=", "!local Communications"])  # more in test_yamlsource.py
def test_other_tags_are_refused(project: Path, run_cli: RunCli, tagged: str) -> None:
    line = edit(project / WECHAT, "en: Communications}", f"en: {tagged}}}")
    assert_error(check(run_cli, project), WECHAT, line, "YAML tags are not allowed")


def test_anchor_is_refused(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "sector: {zh-CN", "sector: &sector {zh-CN")
    assert_error(check(run_cli, project), WECHAT, line, "anchors (&sector) are not allowed")


def test_alias_is_refused(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "subtitle:\n", "subtitle: *sector\nold_subtitle:\n")
    assert_error(check(run_cli, project), WECHAT, line, "aliases (*sector) are not allowed")


def test_merge_key_with_alias_is_refused(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "  id: ai-compute\n", "  <<: *base\n  id: ai-compute\n")
    assert_error(check(run_cli, project), WECHAT, line, "aliases (*base) are not allowed")


# ----------------------------------------------------------------------------- 12. strict scalars


def test_unquoted_ticker_stays_text(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    edit(path, 'ticker: "000063.SZ"', "ticker: 000063.SZ")
    assert_ok(check(run_cli, project, "content/wechat-r1-inference"), 1)
    groups = load_yaml(path).data["companies"]
    tickers = [c.get("ticker") for g in groups for c in g["companies"]]
    assert "000063.SZ" in tickers


@pytest.mark.parametrize("value", ["no", "000063", "2025-02-16"])  # more in test_yamlsource.py
def test_yaml_11_lookalikes_stay_strings_in_a_text(project: Path, run_cli: RunCli, value: str) -> None:
    # PyYAML's own loader would turn these into False, 51, 1000.0, a date: pydantic refuses
    # non-strings in a Text, so the check passing proves they stayed strings. (A figure only in
    # the English may draw a bilingual-fidelity warning; that is not what is tested here.)
    path = project / WECHAT
    edit(path, "en: Communications}", f"en: {value}}}")
    assert_loads(check(run_cli, project, "content/wechat-r1-inference"))
    assert load_yaml(path).data["sector"] == {"zh-CN": "通信", "en": value}


# ----------------------------------------------------------------------------- 13. body_file


def test_body_file_missing(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "en: thesis.en.md", "en: missing.en.md")
    assert_error(check(run_cli, project), WECHAT, line, "'missing.en.md' not found")


@pytest.mark.parametrize("target", ["../../pyproject.toml", "../other/x.md",
                                    "/etc/hostname", "sub/../../x.md"])
def test_body_file_outside_the_brief_folder(project: Path, run_cli: RunCli, target: str) -> None:
    line = edit(project / WECHAT, "en: thesis.en.md", f"en: {target}")
    assert_error(check(run_cli, project), WECHAT, line, "outside the brief's folder")


def test_body_file_symlink_leaving_the_folder(project: Path, run_cli: RunCli) -> None:
    folder = project / "content/wechat-r1-inference"
    (folder / "leak.md").symlink_to(project / "content/deepseek-cost-performance/innovations.en.md")
    line = edit(project / WECHAT, "en: thesis.en.md", "en: leak.md")
    assert_error(check(run_cli, project), WECHAT, line, "outside the brief's folder")


def test_body_file_not_markdown(project: Path, run_cli: RunCli) -> None:
    folder = project / "content/wechat-r1-inference"
    (folder / "thesis.en.txt").write_text((folder / "thesis.en.md").read_text("utf-8"), "utf-8")
    line = edit(project / WECHAT, "en: thesis.en.md", "en: thesis.en.txt")
    assert_error(check(run_cli, project), WECHAT, line, "must be a Markdown (.md) file")


def test_body_file_empty(project: Path, run_cli: RunCli) -> None:
    (project / "content/wechat-r1-inference/thesis.en.md").write_text("  \n\n", "utf-8")
    assert_error(check(run_cli, project), "content/wechat-r1-inference/thesis.en.md", 1, "empty")


def test_body_file_not_utf8(project: Path, run_cli: RunCli) -> None:
    md = project / "content/wechat-r1-inference/thesis.en.md"
    lines = md.read_text("utf-8").splitlines(keepends=True)
    assert len(lines) >= 3
    lines[2] = "Café crème\n"
    md.write_bytes("".join(lines).encode("latin-1", "replace"))
    assert_error(check(run_cli, project), "content/wechat-r1-inference/thesis.en.md", 3, "not valid UTF-8")


# ----------------------------------------------------------------------------- 14. encodings


def test_latin1_bytes_in_brief(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    line = line_of(path, "en: Communications}")
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b"en: Communications}", "en: Télécom}".encode("latin-1")))
    assert_error(check(run_cli, project), WECHAT, line, "not valid UTF-8")


def test_utf8_bom_is_accepted(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert_ok(check(run_cli, project, "content/wechat-r1-inference"), 1)


def test_bom_does_not_shift_locations(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    line = edit(path, "kind: industry-comment", "kind: industry-comments")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = check(run_cli, project)
    assert_error(result, WECHAT, line, "unknown kind")
    assert (WECHAT, line, 1) in [d[:3] for d in diagnostics(result)]


def test_control_character_is_reported_on_its_line(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "  en: The AI trade", "  en: The \x01AI trade")
    assert_error(check(run_cli, project), WECHAT, line, "character")


def test_control_character_is_a_clean_error(project: Path, run_cli: RunCli) -> None:
    edit(project / WECHAT, "  en: The AI trade", "  en: The \x01AI trade")
    result = check(run_cli, project)
    assert_failed_cleanly(result)
    assert any(d[0] == WECHAT and "U+0001" in d[3] for d in diagnostics(result)), result.stderr


def test_unicode_line_separator_is_refused_on_its_own_line(project: Path, run_cli: RunCli) -> None:
    """PyYAML would count U+2028 as a line break and shift every later line; we refuse it in place."""
    path = project / WECHAT
    line = edit(path, "en: Communications}", "en: Communi\u2028cations}")
    assert_error(check(run_cli, project), WECHAT, line, "U+2028")


def test_lone_surrogate_escape_is_refused(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "en: Communications}", 'en: "Comm\\ud800"}')
    assert_error(check(run_cli, project), WECHAT, line)


def test_deeply_nested_value_is_a_located_error(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "contacts: [he-yu]", "contacts: " + "[" * 1000 + "]" * 1000)
    assert_error(check(run_cli, project), WECHAT, line, "nested deeper")


def test_oversized_file_is_refused(project: Path, run_cli: RunCli) -> None:
    path = project / WECHAT
    path.write_text(path.read_text("utf-8") + "# " + "x" * 1_000_000 + "\n", "utf-8")
    assert_error(check(run_cli, project), WECHAT, 1, "limit")


def test_empty_brief(project: Path, run_cli: RunCli) -> None:
    (project / WECHAT).write_text("# nothing here yet\n", "utf-8")
    assert_error(check(run_cli, project), WECHAT, 1, "file is empty")


# ----------------------------------------------------------------------------- 15. all at once


def test_all_problems_of_a_run_are_reported(project: Path, run_cli: RunCli) -> None:
    wechat, cost = project / WECHAT, project / COST
    unknown_key = edit(wechat, "analysts: [lin-qing]", "analysts: [lin-qing]\nreviewer: lin-qing") + 1
    blank = replace_line(wechat, "  en: The AI trade looks set", '  en: ""\n')
    unknown_risk = edit(cost, "  - macro\n", "  - macr\n")
    result = check(run_cli, project)
    assert_error(result, WECHAT, unknown_key, "unknown key 'reviewer'")
    assert_error(result, WECHAT, blank, "the 'en' text is blank")
    assert_error(result, COST, unknown_risk, "unknown risk 'macr'")
    found = diagnostics(result)
    assert len(found) == 3, result.stderr
    assert "briefs: 3 error(s)" in result.stderr


def test_all_problems_in_shared_files_are_reported(project: Path, run_cli: RunCli) -> None:
    licence = edit(project / ANALYSTS, "licence: S0990521080003", "licence: S09905210800")
    email = edit(project / ANALYSTS, "email: he.yu@research.example.com", "email: he.yu-at-example")
    kinds = edit(project / KINDS, "    rating: forbidden", "    rating: never")
    result = check(run_cli, project)
    assert_error(result, ANALYSTS, licence, "malformed licence number")
    assert_error(result, ANALYSTS, email, "malformed e-mail address")
    assert_error(result, KINDS, kinds, "'rating' must be")
    assert len(diagnostics(result)) == 3, result.stderr


# ----------------------------------------------------------------------------- 16. brief id


def test_brief_id_not_matching_folder(project: Path, run_cli: RunCli) -> None:
    line = edit(project / WECHAT, "id: wechat-r1-inference", "id: wechat-r1-inferense")
    assert_error(check(run_cli, project), WECHAT, line, "must match its folder name 'wechat-r1-inference'")


# ----------------------------------------------------------------------------- 17. check PATH


def test_check_single_brief_folder(project: Path, run_cli: RunCli) -> None:
    edit(project / COST, "  - macro\n", "  - macr\n")  # another brief is broken: not in scope
    assert_ok(check(run_cli, project, "content/wechat-r1-inference"), 1)


def test_check_single_brief_file(project: Path, run_cli: RunCli) -> None:
    assert_ok(check(run_cli, project, WECHAT), 1)


def test_check_single_broken_brief(project: Path, run_cli: RunCli) -> None:
    line = edit(project / COST, "  - macro\n", "  - macr\n")
    assert_error(check(run_cli, project, "content/deepseek-cost-performance"), COST, line, "unknown risk")


def test_check_nonexistent_path(project: Path, run_cli: RunCli) -> None:
    result = check(run_cli, project, "content/no-such-brief")
    assert_failed_cleanly(result)
    assert "content/no-such-brief" in result.stderr
    assert "no such brief" in result.stderr


@pytest.mark.parametrize("args", [("build", "--out", "out"), ("build", "--format", "html", "--out", "out"),
                                  ("build", "--force", "--out", "out"), ("check",)])
def test_unknown_language_is_a_clean_error(project: Path, run_cli: RunCli, args: tuple[str, ...]) -> None:
    """--lang names a language the project has no edition for: a located error, nothing written."""
    result = run_cli(project, *args, "--lang", "en,xx")
    assert_failed_cleanly(result)
    assert "pyproject.toml: language 'xx' is not one of the project's editions" in result.stderr
    assert not (project / "out").exists() or not any((project / "out").rglob("*.pdf"))


def test_a_folder_that_is_not_a_project_is_one_clear_error(tmp_path: Path, run_cli: RunCli) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for args in (("check",), ("build",)):
        result = run_cli(empty, *args)
        assert_failed_cleanly(result)
        assert result.stderr.startswith("content: no content folder: run briefs inside a project"), result.stderr
        assert "file not found" not in result.stderr
    result = run_cli(tmp_path, "--project", str(tmp_path / "missing"), "build")
    assert_failed_cleanly(result)
    assert "missing: no such project folder" in result.stderr, result.stderr


def test_broken_pyproject_is_located_at_its_line(project: Path, run_cli: RunCli) -> None:
    pyproject = project / "pyproject.toml"
    lines = pyproject.read_text("utf-8").count("\n")
    pyproject.write_text(pyproject.read_text("utf-8") + 'broken = "no end\n', "utf-8")
    result = run_cli(project, "check")
    assert_failed_cleanly(result)
    assert re.search(rf"^pyproject\.toml:{lines + 1}:\d+: not valid TOML: ", result.stderr, re.MULTILINE), result.stderr


@pytest.mark.parametrize("out", ["content/_out", ".", "templates/out"])
def test_output_folder_must_not_mix_with_the_inputs(project: Path, run_cli: RunCli, out: str) -> None:
    """Outputs inside content/ would count as inputs (no build would ever be up to date); an
    output folder holding content/ would hide every edit from briefs watch."""
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    result = run_cli(project, "build", "--format", "html", "--out", out)
    assert_failed_cleanly(result)
    assert "--out: the output folder" in result.stderr and "must be outside" in result.stderr
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before, "nothing written"


def test_configured_output_folder_inside_content_is_refused(project: Path, run_cli: RunCli) -> None:
    pyproject = project / "pyproject.toml"
    edit(pyproject, 'output = "output"', 'output = "content/built"')
    result = run_cli(project, "build", "--format", "html")
    assert_failed_cleanly(result)
    assert result.stderr.startswith("pyproject.toml: the output folder"), result.stderr


@pytest.mark.parametrize("bound, words", [("1e300", "less than or equal to 1000"),
                                          ("-150", "greater than or equal to -100")])
def test_rating_band_beyond_any_return_is_located(project: Path, run_cli: RunCli, bound: str, words: str) -> None:
    """A band bound is a relative return in percent; an absurd one crashed the rating sentence."""
    ratings = project / "content" / "_shared" / "ratings.yaml"
    line = replace_line(ratings, "min: 5", f"        min: {bound}\n")
    assert_error(run_cli(project, "check"), "content/_shared/ratings.yaml", line, "'min'", words)
    result = run_cli(project, "build", "content/wechat-r1-inference", "--format", "html", "--out", "out")
    assert_failed_cleanly(result)
