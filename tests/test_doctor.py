"""``briefs doctor`` (issue 16, point 5): the real checks on this machine, and the problems it
must name with their fix (a read-only output folder, an output path under a file, a font family
that is not installed)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefs.project.doctor import check_fonts, examine
from briefs.project.languages import LANGUAGES, FontSet
from briefs.render.fonts import INSTALL_HINT

from .test_load_errors import RunCli


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about doctor, not about the
    examples."""
    return small_project


LINE = ("ok      ", "problem ", "warning ")


def test_doctor_passes_on_this_machine(project: Path, run_cli: RunCli) -> None:
    result = run_cli(project, "doctor")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(line.startswith(LINE) for line in lines[:-1]), result.stdout
    for name in ("fonts zh-CN", "fonts en", "fonts zh-HK", "WeasyPrint", "Pango", "HarfBuzz subsetter",
                 "output folder output"):
        assert any(line.startswith(f"ok      {name}: ") for line in lines), (name, result.stdout)
    assert lines[-1].startswith("briefs doctor: ")
    assert not (project / "output").exists()  # the folder is made by a build, not by the doctor


def test_doctor_json_lists_every_check(project: Path, run_cli: RunCli) -> None:
    result = run_cli(project, "doctor", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert {f["name"] for f in found} >= {"fonts zh-CN", "Pango", "HarfBuzz subsetter", "Java"}
    assert all(f["status"] in ("ok", "problem", "warning") for f in found)


def test_a_read_only_output_folder_is_reported_with_the_fix(project: Path) -> None:
    """The output folder mounted read-only (a private mount namespace, gone with the command)."""
    out = project / "output"
    out.mkdir()
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare (util-linux) for a read-only mount")
    script = ('mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" "$1" || exit 97; '
              'cd "$2" && shift 2 && exec "$@"')
    result = subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", str(out), str(project),
                             sys.executable, "-m", "briefs", "doctor"], capture_output=True, text=True, timeout=300)
    if result.returncode == 97 or "unshare: " in result.stderr:
        pytest.skip(f"no read-only mount here: {result.stderr.strip()}")
    assert result.returncode == 1, result.stdout + result.stderr
    assert ("problem output folder output: cannot write in output: Read-only file system; fix: output is on a "
            "read-only file system: build into a writable folder (--out DIR)") in result.stdout.splitlines()
    assert "Traceback" not in result.stderr
    assert list(out.iterdir()) == []


def test_an_output_folder_under_a_file_is_reported(project: Path, run_cli: RunCli) -> None:
    result = run_cli(project, "doctor", "--out", "pyproject.toml/output")
    assert result.exit_code == 1, result.output
    assert ("problem output folder pyproject.toml/output: pyproject.toml is a file, not a folder; fix: move "
            "pyproject.toml away, or build into a folder (--out DIR)") in result.stdout.splitlines()


def test_an_output_folder_yet_to_be_made_is_fine(project: Path, run_cli: RunCli) -> None:
    result = run_cli(project, "doctor", "--out", "new/output")
    assert result.exit_code == 0, result.output
    assert "ok      output folder new/output: does not exist yet; a build makes it in ." in result.stdout
    assert not (project / "new").exists()
    assert not list(project.glob(".briefs-doctor-*"))  # the probe file was removed


def test_a_font_family_that_is_not_installed_is_reported(tmp_path: Path) -> None:
    """Through the language table's seam: zh-CN set in a family no machine has."""
    table = {tag: lang.fonts for tag, lang in LANGUAGES.items()}
    table["zh-CN"] = FontSet("No Such Sans CJK SC", "No Such Sans CJK SC", "No Such Mono")
    findings = examine(("zh-CN", "en"), tmp_path, fonts=table, browser=False)
    by_name = {f.name: f for f in findings}
    missing = by_name["fonts zh-CN"]
    assert (missing.status, missing.found, missing.fix) == ("problem", "'No Such Sans CJK SC' not installed",
                                                          INSTALL_HINT)
    assert str(missing) == f"problem fonts zh-CN: 'No Such Sans CJK SC' not installed; fix: {INSTALL_HINT}"
    assert by_name["code font zh-CN"].status == "warning"
    assert by_name["fonts en"].status == "ok"


def test_every_edition_of_the_language_table_has_its_fonts_here() -> None:
    findings = check_fonts({tag: lang.fonts for tag, lang in LANGUAGES.items()})
    assert [f.name for f in findings if not f.ok] == [], [str(f) for f in findings]
