"""Failures on the rendering side: missing fonts, template mistakes, dropped compliance blocks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from briefs.pipeline.outputs import is_portal
from briefs.render import fonts

from .conftest import SMALL, copy_project, edit, line_of


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """In this module ``project`` holds the small project's briefs (tests/conftest.py SMALL) and
    the industry report one test breaks, with every shared file: these tests are about rendering
    failures, not about the examples."""
    return copy_project(tmp_path / "project", briefs=(*SMALL, "deepseek-cost-performance"))


@pytest.mark.pdf
def test_missing_cjk_font_stops_the_build_with_an_install_hint(project: Path, run_cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # fontconfig is asked for its families; pretend it knows only a Latin font.
    monkeypatch.setattr(fonts, "installed_families", lambda: frozenset({"DejaVu Sans"}))
    result = run_cli(project, "build", "--format", "pdf", "--out", str(project / "out"))
    assert result.exit_code == 1
    assert "fonts-noto-cjk" in result.stderr
    assert "Noto Sans CJK SC" in result.stderr
    assert not list((project / "out").rglob("*.pdf")), "no PDF may be written without the font"


def test_html_only_build_needs_no_cjk_font(project: Path, run_cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(fonts, "installed_families", lambda: frozenset())
    result = run_cli(project, "build", "--format", "html", "--out", str(project / "out"))
    assert result.exit_code == 0, result.output
    assert len(list((project / "out").rglob("*.html"))) >= 6


def test_undefined_template_variable_is_located(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    template = project / "templates" / "partials" / "companies.html"
    line = edit(template, "{{ g.label }}", "{{ g.lable }}")
    result = run_cli(project, "check")
    assert result.exit_code == 1
    assert f"templates/partials/companies.html:{line}" in result.stderr
    assert "lable" in result.stderr


def test_template_syntax_error_is_located(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    template = project / "templates" / "brief.html"
    line = edit(template, "{% endfor %}\n    </ul>", "{% endfro %}\n    </ul>")
    result = run_cli(project, "check")
    assert result.exit_code == 1
    assert f"brief.html:{line}" in result.stderr


def test_template_that_drops_a_disclaimer_fails_compliance(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    partial = project / "templates" / "partials" / "disclosures.html"
    edit(partial, '<section class="disclaimer" id="disclaimer-{{ d.id }}"',
         '{% if d.id != "analyst-certification" %}<section class="disclaimer" id="disclaimer-{{ d.id }}"')
    edit(partial, "  </section>\n  {% endfor %}", "  </section>{% endif %}\n  {% endfor %}")
    result = run_cli(project, "check")
    assert result.exit_code == 1
    assert "disclaimer-analyst-certification" in result.stderr
    assert "brief.yaml:1" in result.stderr


def test_untranslated_catalog_entry_fails_check_at_its_line(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    po = project / "templates" / "locales" / "zh_CN" / "LC_MESSAGES" / "messages.po"
    line = line_of(po, 'msgid "Key points"')
    edit(po, 'msgstr "主要观点"', 'msgstr ""')
    result = run_cli(project, "check")
    assert result.exit_code == 1
    assert f"messages.po:{line}: empty zh-CN translation for 'Key points'" in result.stderr


def test_fuzzy_catalog_entry_fails_check(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    po = project / "templates" / "locales" / "zh_CN" / "LC_MESSAGES" / "messages.po"
    edit(po, 'msgid "Key points"', '#, fuzzy\nmsgid "Key points"')
    result = run_cli(project, "check")
    assert result.exit_code == 1
    assert "fuzzy zh-CN translation for 'Key points'" in result.stderr


def test_broken_catalog_is_located(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    po = project / "templates" / "locales" / "zh_CN" / "LC_MESSAGES" / "messages.po"
    edit(po, 'msgid "Key points"', 'msgid "Key points')
    result = run_cli(project, "check")
    assert result.exit_code == 1
    assert "messages.po" in result.stderr
    assert "'Key points'" in result.stderr
    assert "Traceback" not in result.output


def test_cli_end_to_end_in_a_subprocess(project: Path) -> None:
    """The installed entry point: real exit status, one line per problem, no traceback."""
    brief = project / "content" / "deepseek-cost-performance" / "brief.yaml"
    line = edit(brief, "key_points:", "key_pionts:")
    proc = subprocess.run([sys.executable, "-m", "briefs", "check"], cwd=project,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert f"content/deepseek-cost-performance/brief.yaml:{line}:1: unknown key 'key_pionts'" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.pdf
def test_build_of_one_brief_writes_exactly_its_four_files(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    out = project / "out"
    result = run_cli(project, "build", "content/compute-etf-note", "--out", str(out))
    assert result.exit_code == 0, result.output
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                   if p.is_file() and ".briefs" not in p.parts  # .briefs/: the build manifest
                   and not is_portal(p.relative_to(out).as_posix()))  # the portal: tests/test_portal.py
    assert files == [f"compute-etf-note/compute-etf-note.{lang}.{ext}"
                     for lang in ("en", "zh-CN") for ext in ("html", "pdf")]
    assert (out / ".briefs" / "manifest.json").is_file()
