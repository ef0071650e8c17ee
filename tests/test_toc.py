"""Contents for long briefs: shown from toc_min_pages pages, with page numbers that are right."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from .conftest import edit


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about the table of contents, not about the
    examples."""
    return small_project


pytestmark = pytest.mark.pdf
BRIEF = "wechat-r1-inference"


def _set_threshold(project: Path, value: str) -> int:
    return edit(project / "pyproject.toml", "[tool.briefs]\n", f"[tool.briefs]\ntoc_min_pages = {value}\n") + 1


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return [re.sub(r"\s+", "", p) for p in text.split("\f")]


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_contents_page_numbers_point_at_the_headings(project: Path, run_cli, lang: str) -> None:  # type: ignore[no-untyped-def]
    _set_threshold(project, "1")
    result = run_cli(project, "build", "--lang", lang, f"content/{BRIEF}")
    assert result.exit_code == 0, result.output
    out = project / "output" / BRIEF
    soup = BeautifulSoup((out / f"{BRIEF}.{lang}.html").read_text("utf-8"), "html.parser")
    entries = soup.select("nav.toc .toc-sections a")
    assert len(entries) >= 5
    pages = _pages(out / f"{BRIEF}.{lang}.pdf")
    contents = pages[1]  # page 2
    for a in entries:
        title = re.sub(r"\s+", "", a.get_text())
        target = soup.find(id=a["href"][1:])
        assert target is not None, a["href"]
        # the contents line: the title, leader dots, the page number
        match = re.search(re.escape(title[-12:]) + r"\.{3,}(\d+)", contents)
        assert match, (title, contents[:400])
        page = int(match[1])
        # on page 2 the contents themselves also carry the title
        assert pages[page - 1].count(title[:12]) >= (2 if page == 2 else 1), (title, page)


def test_short_briefs_and_threshold_zero_have_no_contents(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    _set_threshold(project, "0")
    result = run_cli(project, "build", "--lang", "en", "--format", "pdf", f"content/{BRIEF}")
    assert result.exit_code == 0, result.output
    pages = _pages(project / "output" / BRIEF / f"{BRIEF}.en.pdf")
    assert not any(re.search(r"\.{10,}\d+", p) for p in pages), "no leader lines: no contents"


@pytest.mark.parametrize("value", ['"seven"', "-1", "true", "2.5"])
def test_a_bad_threshold_is_a_located_config_error(project: Path, run_cli, value: str) -> None:  # type: ignore[no-untyped-def]
    line = _set_threshold(project, value)
    result = run_cli(project, "check")
    assert result.exit_code == 1
    assert f"pyproject.toml:{line}:" in result.output and "toc_min_pages" in result.output
    assert "Traceback" not in result.output
