"""Issue 14 (10): every environment and configuration value is checked, with a located message.

``SOURCE_DATE_EPOCH`` and ``pyproject.toml`` of the wrong shape gave tracebacks (or, for ``-1``,
were silently ignored); ``briefs catalog`` on a read-only project died in Babel. Each is now one
line naming the variable, or ``pyproject.toml:line:column``, the file that could not be written,
and exit status 1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result

from .conftest import edit, line_of
from .forkcli import run_briefs


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about configuration, not about the
    examples."""
    return small_project


ETF = "content/compute-etf-note"
RANGE = ("must be a whole number of seconds since 1970 between 0 and 253402300799 "
         "(the end of year 9999)")


def failed_cleanly(result: Result) -> str:
    __tracebackhide__ = True
    assert result.exit_code == 1, f"exit {result.exit_code}\n{result.output}"
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return str(result.stderr)


# ------------------------------------------------------------------------- the environment


@pytest.mark.parametrize("value", [
    "abc",                # the case (WeasyPrint's int() raised in the PDF step)
    "-1",                 # the case: was silently ignored
    "253402300800",       # the case: year 10000 (datetime raised)
    "1e9", "12.5", "0x10", "+5",
    "１７００００００００",   # full-width digits: Python's int() takes them, WeasyPrint's too
    "99999999999999999999999",
])
def test_a_source_date_epoch_that_is_no_date_stops_the_build(project: Path, run_cli, monkeypatch,  # type: ignore[no-untyped-def]
                                                             value: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    stderr = failed_cleanly(run_cli(project, "build", ETF, "--lang", "en", "--out", "out"))
    assert stderr.splitlines()[0] == f"SOURCE_DATE_EPOCH={value}: {RANGE}, such as the commit's " \
                                     "time from git log -1 --format=%ct", stderr
    assert not (project / "out").exists(), "nothing is built with a date that is no date"
    assert f"SOURCE_DATE_EPOCH={value}: " in failed_cleanly(run_cli(project, "check", ETF))


def test_a_source_date_epoch_that_cannot_be_printed_is_shown_escaped(project: Path, run_cli,  # type: ignore[no-untyped-def]
                                                                     monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "17\x1b[2J00")
    stderr = failed_cleanly(run_cli(project, "check", ETF))
    assert stderr.startswith("SOURCE_DATE_EPOCH=17\\x1b[2J00: must be"), stderr


@pytest.mark.parametrize("value, year", [("0", "1970"), ("253402300799", "2025"), (" 1738713600 ", "2025")])
def test_a_source_date_epoch_in_range_is_used(project: Path, run_cli, monkeypatch,  # type: ignore[no-untyped-def]
                                              value: str, year: str) -> None:
    """The bounds themselves are dates (0 clamps every date to 1970-01-01)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    result = run_cli(project, "build", ETF, "--lang", "en", "--format", "html", "--out", "out")
    assert result.exit_code == 0, result.output
    page = (project / "out" / "compute-etf-note" / "compute-etf-note.en.html").read_text("utf-8")
    assert f'<meta name="dcterms.created" content="{year}-' in page


# ------------------------------------------------------------------------- pyproject.toml


def test_tool_that_is_not_a_table_is_located(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """The issue's ``tool = 5`` (AttributeError before)."""
    (project / "pyproject.toml").write_text('# the project\n\ntool = 5\n\n[project]\nname = "x"\n', "utf-8")
    stderr = failed_cleanly(run_cli(project, "check"))
    assert stderr.splitlines()[0] == "pyproject.toml:3:1: 'tool' must be a table ([tool.briefs] …), not 5"


def test_an_array_of_tables_tool_briefs_is_located(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """The issue's ``[[tool.briefs]]`` (TypeError before)."""
    line = edit(project / "pyproject.toml", "[tool.briefs]\n", "[[tool.briefs]]\n")
    stderr = failed_cleanly(run_cli(project, "build", ETF, "--format", "html", "--out", "out"))
    assert stderr.splitlines()[0] == (f"pyproject.toml:{line}:1: tool.briefs must be one table, written "
                                      "[tool.briefs], not an array of tables [[tool.briefs]]"), stderr


def test_tool_briefs_as_a_value_under_tool_is_located(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """A variant: ``briefs = …`` written as a key of ``[tool]``."""
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n\n[tool]\n  briefs = ["zh-CN", "en"]\n', "utf-8")
    stderr = failed_cleanly(run_cli(project, "check"))
    assert stderr.startswith("pyproject.toml:5:3: tool.briefs must be one table, written [tool.briefs], "
                             "not ['zh-CN', 'en']"), stderr


@pytest.mark.parametrize("old, new, column, words", [
    ('languages = ["zh-CN", "en"]', 'langauges = ["zh-CN", "en"]', 1,
     "unknown key tool.briefs.langauges; did you mean 'languages'?"),
    ('output = "output"', 'outptu_dir = "output"', 1,
     "unknown key tool.briefs.outptu_dir; did you mean 'output'?"),
    ('output = "output"', 'colour = "red"', 1,
     "unknown key tool.briefs.colour (known: languages, source, content, templates, output, derived, toc_min_pages)"),
    ('languages = ["zh-CN", "en"]', 'languages = ["zh-CN", 5]', 1,
     "tool.briefs.languages: unsupported 5 (known: zh-CN, en, zh-HK)"),
    ('languages = ["zh-CN", "en"]', 'languages = ["zh-CN", "en", "zh-CN"]', 1,
     "tool.briefs.languages: 'zh-CN' is listed twice"),
    ('languages = ["zh-CN", "en"]', 'languages = ["zh-CN", "zh-cn"]', 1,
     "tool.briefs.languages: unsupported 'zh-cn'; did you mean 'zh-CN'?"),
    ('output = "output"', "output = 5", 1, 'tool.briefs.output: expected a folder name, e.g. "output", not 5'),
    ('templates = "templates"', 'templates = ""', 1, "tool.briefs.templates: expected a folder name"),
    ('output = "output"', 'output = "out\\u0000put"', 1,
     "tool.briefs.output: a folder name without control characters, not 'out\\x00put'"),
    ('output = "output"', "output = { path = 'x' }", 1, "tool.briefs.output: expected a folder name, e.g. "
     '"output", not a table'),
    ('zh-HK = { from = "zh-CN", convert = "s2hkp" }', 'zh-HK = "s2hk"', 1,
     "tool.briefs.derived.zh-HK: expected { from = \"<one of languages>\", convert = \"<OpenCC conversion>\" }"),
    ('zh-HK = { from = "zh-CN", convert = "s2hkp" }', 'zh-HK = { from = "zh-TW", convert = "s2hk" }', 11,
     "tool.briefs.derived.zh-HK.from: expected one of the project's languages (zh-CN, en), not 'zh-TW'"),
    ('zh-HK = { from = "zh-CN", convert = "s2hkp" }', 'zh-HK = { from = "zh-CN", convert = 5 }', 27,
     "tool.briefs.derived.zh-HK: unknown OpenCC conversion 5; choose from"),
    ('zh-HK = { from = "zh-CN", convert = "s2hkp" }', 'zh-HK = { from = "zh-CN", convert = "../s2hk" }', 27,
     "tool.briefs.derived.zh-HK: unknown OpenCC conversion '../s2hk'; choose from hk2s"),
    ('zh-HK = { from = "zh-CN", convert = "s2hkp" }',
     'zh-HK = { from = "zh-CN", convert = "s2hk", covnert = "s2t" }', 45,
     "tool.briefs.derived.zh-HK: unknown key 'covnert'; did you mean 'convert'?"),
    ('zh-HK = { from = "zh-CN", convert = "s2hkp" }', 'en = { from = "zh-CN", convert = "s2hk" }', 1,
     "tool.briefs.derived.en: 'en' is one of 'languages'"),
    ('zh-HK = { from = "zh-CN", convert = "s2hkp" }', 'zh-TW = { from = "zh-CN", convert = "s2tw" }', 1,
     "tool.briefs.derived.zh-TW: 'zh-TW' is not a language we know"),
])
def test_configuration_values_are_checked_at_their_key(project: Path, run_cli, old: str, new: str,  # type: ignore[no-untyped-def]
                                                       column: int, words: str) -> None:
    line = edit(project / "pyproject.toml", old, new)
    stderr = failed_cleanly(run_cli(project, "check", ETF))
    assert stderr.startswith(f"pyproject.toml:{line}:{column}: {words}"), stderr


def test_every_configuration_problem_is_reported_at_once(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    pyproject = project / "pyproject.toml"
    edit(pyproject, 'content = "content"', "content = 5")
    edit(pyproject, "[tool.briefs.derived]\n", "[tool.briefs.derived]\nzh-TW = 1\n")
    edit(pyproject, "[tool.briefs]\n", "[tool.briefs]\ntoc_min_pages = -1\n")
    stderr = failed_cleanly(run_cli(project, "check"))
    lines = [line_of(pyproject, "toc_min_pages"), line_of(pyproject, "content = 5"), line_of(pyproject, "zh-TW")]
    assert [line.split(":")[1] for line in stderr.splitlines()[:3]] == [str(n) for n in sorted(lines)], stderr
    assert stderr.splitlines()[3] == "briefs: 3 error(s)"


def test_a_pyproject_that_is_a_fifo_is_refused_not_waited_for(project: Path) -> None:
    """A variant of the file-shape class: a FIFO in place of pyproject.toml was silently taken for
    "no configuration"; it is refused without being waited on."""
    (project / "pyproject.toml").unlink()
    os.mkfifo(project / "pyproject.toml")
    result = run_briefs(project, "--project", ".", "check", timeout=120)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("pyproject.toml: is a FIFO, not a regular file"), result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------------- briefs catalog


def _read_only(project: Path, folder: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """Run briefs in ``project`` with ``folder`` mounted read-only (a private mount namespace,
    so nothing outlives the command); skipped where no mount namespace can be made."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare (util-linux) for a read-only mount")
    script = ('mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" "$1" || exit 97; '
              'cd "$2" && shift 2 && exec "$@"')
    result = subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", str(folder), str(project),
                             sys.executable, "-m", "briefs", *command],
                            capture_output=True, text=True, timeout=300)
    if result.returncode == 97 or "unshare: " in result.stderr:
        pytest.skip(f"no read-only mount here: {result.stderr.strip()}")
    return result


def _catalog_files(project: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted((project / "templates" / "locales").rglob("*"))
            if p.is_file()}


def _new_string(project: Path) -> None:
    """A template gains a string, so the catalogs must change."""
    edit(project / "templates" / "brief.html", "<title>", '<title>{{ _("Read-only probe") }} ')


def test_catalog_on_a_read_only_project_names_the_file_it_cannot_write(project: Path) -> None:
    """The issue's case: ``briefs catalog`` on a read-only project (OSError from Babel before)."""
    _new_string(project)
    before = _catalog_files(project)
    result = _read_only(project, project, "catalog")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == ("templates/locales/messages.pot: cannot write the catalog: "
                                             "Read-only file system (nothing was changed)"), result.stderr
    assert _catalog_files(project) == before


def test_catalog_writes_none_when_one_catalog_cannot_be_written(project: Path) -> None:
    """A variant: only zh-CN's catalog folder is read-only. messages.pot could be written, but a
    new messages.pot beside a stale zh-CN catalog would be half an update: nothing is written."""
    _new_string(project)
    before = _catalog_files(project)
    result = _read_only(project, project / "templates" / "locales" / "zh_CN", "catalog")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith(
        "templates/locales/zh_CN/LC_MESSAGES/messages.po: cannot write the catalog: Read-only file system")
    assert _catalog_files(project) == before
    # Writable again: the same command updates both.
    done = run_briefs(project, "catalog", timeout=300)
    assert done.returncode == 0, done.stderr
    assert "1 entry to translate" in done.stdout
    assert b'msgid "Read-only probe"' in (project / "templates" / "locales" / "messages.pot").read_bytes()


def test_catalog_outside_a_project_is_a_located_error(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """A variant: no templates folder at all (Babel's usage text and exit status 2 before)."""
    stderr = failed_cleanly(run_cli(tmp_path, "catalog"))
    assert stderr.splitlines()[0] == ("templates: no templates folder: run briefs catalog inside a "
                                      "project, or give --project"), stderr
    assert list(tmp_path.iterdir()) == []
