"""Hostile and broken input found by probing the command line: each is a located error (or a
refusal), exit status 1 (2 for a bad option), and never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import edit, line_of

WECHAT = Path("content") / "wechat-r1-inference"
ETF = Path("content") / "compute-etf-note"


def failed_cleanly(result, status: int = 1) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == status, result.output
    assert "Traceback" not in result.output
    return str(result.stderr)


@pytest.mark.parametrize("old, new", [
    ("      en: etfs.en.md", '      en: "a\\0b.md"'),
    ("      en: etfs.en.md", "      en: " + "a" * 300 + ".md"),
    ("data: compute-share.csv", 'data: "a\\0.csv"'),
    ("data: compute-share.csv", "data: " + "a" * 300 + ".csv"),
])
def test_a_file_name_no_file_can_have_is_located(project: Path, run_cli, old: str, new: str) -> None:  # type: ignore[no-untyped-def]
    brief = project / ETF / "brief.yaml"
    line = edit(brief, old, new)
    stderr = failed_cleanly(run_cli(project, "check", str(ETF)))
    assert f"{ETF}/brief.yaml:{line}:" in stderr and "is not a usable file name" in stderr, stderr


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
