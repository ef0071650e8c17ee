"""The public Python API (issue 15 item 6): ``briefs.build`` and ``briefs.check`` return typed
results, project-level problems raise ``briefs.BriefsError``, ``import briefs`` stays cheap, and
the example in docs/api.md runs as written."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

import briefs
from briefs.project.config import load_config

from .conftest import EXAMPLES, ROOT, copy_project, edit

OTHER = "wechat-r1-inference"
TIMEOUT = 300


def test_the_public_names() -> None:
    assert set(briefs.__all__) >= {"build", "check", "BriefsError", "Diagnostic", "BuildResult",
                                   "CheckResult"}
    for name in briefs.__all__:
        assert hasattr(briefs, name), name


def test_build_returns_what_it_wrote_then_what_is_up_to_date(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project", theme=False)
    out = tmp_path / "out"
    first = briefs.build(project, paths=[project / "content" / OTHER], formats=["html"], out=out)
    assert isinstance(first, briefs.BuildResult) and first.ok and not first.unchanged
    assert [p.relative_to(out).as_posix() for p in first.written] == [
        f"{OTHER}/{OTHER}.zh-CN.html", f"{OTHER}/{OTHER}.en.html"]
    assert all(p.is_file() for p in first.written) and first.briefs == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.written = ()  # type: ignore[misc]

    # the same build again: nothing changed, nothing written, every file reported current
    second = briefs.build(load_config(project), paths=[project / "content" / OTHER],
                          formats=("html",), out=out)
    assert second.unchanged and second.written == () and set(second.up_to_date) == set(first.written)

    # one brief's text changed: only its files are written, the others' are up to date
    edit(project / "content" / OTHER / "brief.yaml", "WeChat trials", "WeChat tests")
    third = briefs.build(project, formats=["html"], out=out)
    assert {p.parent.name for p in third.written} == {p.parent.name for p in
                                                     (out).glob("*/*.html")}  # every brief's
    fourth = briefs.build(project, formats=["html"], out=out, force=True)
    assert len(fourth.written) >= 10 and not fourth.up_to_date


def test_project_level_problems_raise(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(briefs.BriefsError) as raised:
        briefs.build(empty, formats=["html"], out=tmp_path / "out")
    assert "no content folder" in str(raised.value.diagnostics[0])

    project = copy_project(tmp_path / "project", theme=False)
    with pytest.raises(briefs.BriefsError) as raised:
        briefs.build(project, formats=["html", "epub"], out=tmp_path / "out")
    assert raised.value.diagnostics[0].message == "unknown format 'epub'; choose from html, pdf, rixml"

    line = edit(project / "content" / OTHER / "brief.yaml", "kind: ", "kind: no-such-")
    with pytest.raises(briefs.BriefsError) as raised:  # a build needs every brief to load
        briefs.build(project, formats=["html"], out=tmp_path / "out")
    where = raised.value.diagnostics[0].location
    assert (where.path.name, where.line) == ("brief.yaml", line)
    assert not (tmp_path / "out" / OTHER).exists()


def test_check_returns_located_diagnostics(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project", theme=False)
    clean = briefs.check(project)
    assert isinstance(clean, briefs.CheckResult) and clean.ok and clean.briefs == len(EXAMPLES)
    assert clean.diagnostics == ()

    brief = project / "content" / OTHER / "brief.yaml"
    line = edit(brief, "approval: {by: ", "approval: {by: nobody-")
    found = briefs.check(project, paths=[project / "content" / OTHER])
    assert not found.ok and found.briefs == 0
    assert [(d.location.path, d.location.line, d.severity) for d in found.errors] == [
        (brief, line, "error")]
    assert found.errors[0].message.startswith("unknown reviewer 'nobody-")


def test_import_briefs_is_cheap() -> None:
    heavy = ("weasyprint", "pandas", "matplotlib", "numpy", "jinja2", "pydantic", "click")
    done = subprocess.run(
        [sys.executable, "-c", ("import sys, briefs\n"
                                f"print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r}))")],
        capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr


def test_the_library_never_exits() -> None:
    """Only the command line (cli.py, commands/, and preview/, the server behind ``briefs serve``
    that prints to its terminal) exits or speaks click (a PDF worker may still end itself when
    its build is gone: os._exit in workers.py)."""
    package = ROOT / "briefs"
    offenders = [path.relative_to(ROOT).as_posix()
                 for path in package.rglob("*.py")
                 if path.name != "cli.py" and not {"commands", "preview"} & set(path.relative_to(package).parts)
                 and re.search(r"sys\.exit|SystemExit|click\.exceptions|^import click",
                               path.read_text("utf-8"), re.MULTILINE)]
    assert offenders == []


def test_the_example_in_docs_api_md_runs(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "api.md").read_text("utf-8")
    code = re.findall(r"```python\n(.*?)```", text, re.DOTALL)[0]
    assert 'if __name__ == "__main__":' in code
    script = tmp_path / "example.py"
    script.write_text(code, "utf-8")
    project = copy_project(tmp_path / "project", theme=False)
    done = subprocess.run([sys.executable, str(script), str(project)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        f"wrote {OTHER}/{OTHER}.en.html",
        f"wrote {OTHER}/{OTHER}.en.pdf",
        f"checked {len(EXAMPLES)} brief(s): 0 error(s), 0 warning(s)",
    ]
    assert not (project / "output").exists()  # it built into its temporary folder only
