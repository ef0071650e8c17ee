"""Characters no configured font can draw: a located warning of ``briefs check`` and ``briefs build``
(``U+XXXX NAME`` at ``path:line:col``), an error with ``--strict``. Expected places are computed
from where each test put the character; the fonts are the real ones fontconfig resolves.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import Result

from briefs.checks.glyphs import Face, coverage, describe, resolve

from .conftest import edit, line_of
from .forkcli import run_briefs
from .test_load_errors import RunCli, check


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about glyph checks, not about the
    examples."""
    return small_project


ETF = "content/compute-etf-note/brief.yaml"
ETF_MD = "content/compute-etf-note/etfs.en.md"
ETF_CSV = "content/compute-etf-note/etfs.csv"
KEY_POINT = "**Jensen Huang addresses the DeepSeek sell-off for the first time.**"
ZH_HEADING = "事件：黄仁勋谈DeepSeek与英伟达股价波动"

HOSTILE = [
    pytest.param("\U0001F600", "U+1F600 GRINNING FACE", id="emoji"),
    pytest.param("\uE000", "U+E000 <private use>", id="private-use"),
    pytest.param("\U00017000", "U+17000 TANGUT IDEOGRAPH-17000", id="tangut"),
]


def column_of(path: Path, needle: str) -> tuple[int, int]:
    """1-based line and column of ``needle`` in a file."""
    text = path.read_text("utf-8")
    before = text[: text.index(needle)]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def assert_warned(result: Result, where: str, *words: str) -> None:
    __tracebackhide__ = True
    assert "Traceback" not in result.output
    at = re.compile(rf"^{re.escape(where)}(:\d+)?: warning: ")   # ``path:line`` matches any column
    lines = [line for line in result.stderr.splitlines() if at.match(line)]
    assert any(all(w in line for w in words) for line in lines), (where, words, result.stderr)


def assert_strict_fails(result: Result, where: str, *words: str) -> None:
    __tracebackhide__ = True
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert re.search(r"^briefs: \d+ warning\(s\) with --strict$", result.stderr, re.MULTILINE)
    assert_warned(result, where, *words)


@pytest.mark.parametrize(("char", "name"), HOSTILE)
def test_a_key_point_with_a_character_no_font_has(project: Path, run_cli: RunCli, char: str, name: str) -> None:
    path = project / ETF
    edit(path, KEY_POINT, KEY_POINT.replace("Huang", f"Huang {char}"))
    line, column = column_of(path, char)
    plain = check(run_cli, project)
    assert plain.exit_code == 0, plain.output
    assert_warned(plain, f"{ETF}:{line}:{column}", name, "no font of the en edition can draw it",
                  "Noto Sans CJK SC")
    assert_strict_fails(check(run_cli, project, "--strict"), f"{ETF}:{line}:{column}", name)


def test_a_body_file_character_is_located_at_its_line_and_column(project: Path, run_cli: RunCli) -> None:
    path = project / ETF_MD
    path.write_text(path.read_text("utf-8") + "\n\nThe Tangut \U00017001 and \U00017001 again.\n", "utf-8")
    line, column = column_of(path, "\U00017001")
    assert_strict_fails(check(run_cli, project, "--strict"), f"{ETF_MD}:{line}:{column}",
                        "U+17001 TANGUT IDEOGRAPH-17001", "it occurs 2 times in this text")


def test_a_chinese_text_and_its_derived_edition(project: Path, run_cli: RunCli) -> None:
    path = project / ETF
    edit(path, ZH_HEADING, ZH_HEADING.replace("黄仁勋", "黄仁勋\U0001F600"))
    line, column = column_of(path, "\U0001F600")
    result = check(run_cli, project, "--lang", "zh-CN,zh-HK")
    assert_warned(result, f"{ETF}:{line}:{column}", "U+1F600 GRINNING FACE",
                  "no font of the zh-CN or zh-HK edition", "Noto Sans CJK HK")


def test_an_exhibit_cell(project: Path, run_cli: RunCli) -> None:
    path = project / ETF_CSV
    edit(path, "515050,5g-communication,csi-5g-communication,R4",
         "515050,5g-communication,csi-5g-communication,R4\uE000")
    line = line_of(path, "\uE000")
    assert_strict_fails(check(run_cli, project, "--strict"), f"{ETF_CSV}:{line}", "U+E000 <private use>",
                        "zh-CN or en edition")


def test_build_warns_and_strict_build_fails(project: Path, run_cli: RunCli) -> None:
    path = project / ETF
    edit(path, KEY_POINT, KEY_POINT.replace("Huang", "Huang \U0001F600"))
    line, column = column_of(path, "\U0001F600")
    where = f"{ETF}:{line}:{column}"
    built = run_cli(project, "build", "content/compute-etf-note", "--format", "html")
    assert built.exit_code == 0, built.output
    assert_warned(built, where, "U+1F600 GRINNING FACE")
    strict = run_cli(project, "build", "content/compute-etf-note", "--format", "html", "--strict", "--force")
    assert_strict_fails(strict, where, "U+1F600 GRINNING FACE")


def test_what_is_not_drawn_is_not_reported(project: Path, run_cli: RunCli) -> None:
    """Zero-width joiners, variation selectors and soft hyphens have no glyph of their own (bidi
    controls are refused before this check: tests/test_safety_paths.py)."""
    path = project / ETF
    edit(path, KEY_POINT, KEY_POINT.replace("Huang", "Hu\u00adang\u200d\u200b\ufe0f"))
    result = check(run_cli, project)
    assert result.exit_code == 0, result.output
    assert "U+" not in result.stderr, result.stderr


def test_fonts_resolve_to_files_and_their_character_maps() -> None:
    face = resolve("Noto Sans CJK SC")
    assert isinstance(face, Face) and face.path.is_file()
    assert resolve("No Such Family Anywhere") is None
    chars = coverage("en").chars
    assert {"A", "中", "。", "€", "—"} <= chars
    assert not {"\U0001F600", "\uE000", "\U00017000"} & chars


@pytest.mark.parametrize(("char", "expected"), [
    ("\U0001F600", "U+1F600 GRINNING FACE"), ("\uE000", "U+E000 <private use>"),
    ("\U00017000", "U+17000 TANGUT IDEOGRAPH-17000"), ("中", "U+4E2D CJK UNIFIED IDEOGRAPH-4E2D"),
    ("\U0001B170", "U+1B170 NUSHU CHARACTER-1B170"), ("\U000E0080", "U+E0080 <unassigned>"),
])
def test_code_points_are_named(char: str, expected: str) -> None:
    assert describe(char) == expected


def test_without_the_fonts_the_check_says_so(project: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    import briefs.checks.glyphs as glyphs

    monkeypatch.setattr(glyphs, "resolve", lambda family: None)
    glyphs.coverage.cache_clear()
    try:
        result = check(run_cli, project)
    finally:
        monkeypatch.undo()
        glyphs.coverage.cache_clear()
    assert result.exit_code == 0, result.output
    assert "fonts: warning: cannot check the characters of the en edition" in result.stderr
    assert "U+" not in result.stderr


def test_a_long_run_of_characters_no_font_has_is_checked_in_linear_time(project: Path) -> None:
    """30,000 distinct characters no font draws, pasted into one Markdown file: each used to be
    searched for and counted on its own (quadratic: about a minute for a 1 MB file), and printed
    as 30,000 warnings. Now one pass finds them all; the first 20 are listed, then how many more."""
    run = "".join(chr(0xF0000 + i) for i in range(30_000))  # Supplementary Private Use Area-A
    md = project / ETF_MD
    md.write_text(md.read_text("utf-8") + f"\n\nSymbols: {run}\n", "utf-8")
    line = line_of(md, "Symbols: ")
    result = run_briefs(project, "check", timeout=120)
    assert result.returncode == 0, result.stderr
    warnings = [w for w in result.stderr.splitlines() if w.startswith(f"{ETF_MD}:{line}:")]
    assert f"{ETF_MD}:{line}:10: warning: 29,980 more characters no font of the en edition" in result.stderr
    assert f"{ETF_MD}:{line}:10: warning: U+F0000 <private use>" in result.stderr
    assert f"{ETF_MD}:{line}:29: warning: U+F0013 <private use>" in result.stderr  # the 20th, at its column
    assert "U+F0014 " not in result.stderr
    assert len(warnings) == 21, warnings
