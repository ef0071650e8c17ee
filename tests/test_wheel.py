"""Install level: the wheel, installed (not editable) into a fresh venv outside the repository,
builds a project that holds only a pyproject.toml and content/ with the shipped theme.

The wheel is built from a copy of the package's sources (so no ``build/`` folder of an earlier
run can slip stale files in) with ``pip wheel --no-deps``, and installed with ``--no-deps``: the
venv gets the third-party libraries through a ``.pth`` line naming the test interpreter's
site-packages. A plain path line does not run the ``.pth`` files of that folder, so the editable
finder installed there is not activated: ``briefs`` comes from the wheel alone (checked below).
Installing the dependencies from the index took 68 s here, against seconds for this.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from .conftest import EXAMPLES, LANGS, ROOT

pytestmark = [pytest.mark.install, pytest.mark.pdf]

OVERRIDE = '<!--house-->{% include "theme/partials/disclosures.html" %}<!--/house-->\n'


def _run(args: list[str | Path], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh venv with the wheel installed in it; the environment to run it in."""
    tmp = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "briefs", source / "briefs", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp / "dist", "."], source, env)
    (wheel,) = (tmp / "dist").glob("briefs-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("briefs/commands/build.py", "briefs/render/pdf.py", "briefs/themes/default/brief.html",
                   "briefs/themes/default/partials/disclosures.html", "briefs/themes/default/css/brief.css",
                   "briefs/themes/default/css/screen.css", "briefs/themes/default/locales/messages.pot",
                   "briefs/themes/default/locales/zh_CN/LC_MESSAGES/messages.po",
                   # the files of `briefs new project`
                   "briefs/scaffold/pyproject.toml", "briefs/scaffold/gitignore", "briefs/scaffold/templates/README.md",
                   *(f"briefs/scaffold/content/_shared/{name}.yaml" for name in
                     ("house", "analysts", "ratings", "disclaimers", "kinds", "risks", "chains", "glossary"))):
        assert needed in names, f"{needed} is not in the wheel"
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", venv], tmp, env)
    python = venv / "bin" / "python"
    _run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel], tmp, env)
    purelib = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        tmp, env).stdout.strip())
    (purelib / "_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", "utf-8")
    where = _run([python, "-c", "import briefs; print(briefs.__file__)"], tmp, env).stdout.strip()
    assert Path(where).is_relative_to(purelib), f"briefs imported from {where}, not from the wheel"
    return venv, env


def _html(out: Path) -> dict[str, str]:
    return {f"{b}.{lang}": (out / b / f"{b}.{lang}.html").read_text("utf-8") for b in EXAMPLES for lang in LANGS}


def test_the_wheel_builds_a_project_with_the_shipped_theme_and_an_override(
        installed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """The issue's "done when": pyproject.toml and content/ only; every brief's HTML and PDF with
    the shipped theme; then one partial overridden: that part changes, nothing else."""
    venv, env = installed
    project = tmp_path / "house"
    shutil.copytree(ROOT / "content", project / "content")
    (project / "pyproject.toml").write_text('[tool.briefs]\nlanguages = ["zh-CN", "en"]\n', "utf-8")
    briefs = venv / "bin" / "briefs"
    _run([briefs, "build"], project, env)
    out = project / "output"
    css_line = (ROOT / "briefs" / "themes" / "default" / "css" / "brief.css").read_text("utf-8").splitlines()[3]
    before = _html(out)
    for name, html in before.items():
        brief = name.split(".")[0]
        assert (out / brief / f"{name}.pdf").read_bytes().startswith(b"%PDF-"), name
        assert css_line in html and 'id="disclosures"' in html, name
    assert "重要声明" in before[f"{EXAMPLES[0]}.zh-CN"]  # the shipped zh-CN catalog

    override = project / "templates" / "partials" / "disclosures.html"
    override.parent.mkdir(parents=True)
    override.write_text(OVERRIDE, "utf-8")
    _run([briefs, "build", "--format", "html"], project, env)
    after = _html(out)
    for name, html in after.items():
        assert html != before[name], name
        region = html[html.index("<!--house-->") + len("<!--house-->"):html.index("<!--/house-->")]
        assert 'id="disclosures"' in region, name
        assert html.replace("<!--house-->", "", 1).replace("<!--/house-->", "", 1) == before[name], name


def test_the_installed_wheel_starts_a_new_project(installed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """`briefs new project` from the wheel's scaffold, then `briefs new brief`: both check and build."""
    venv, env = installed
    briefs = venv / "bin" / "briefs"
    made = _run([briefs, "new", "project", "house"], tmp_path, env)
    assert "created the project house" in made.stdout
    project = tmp_path / "house"
    assert (project / ".gitignore").is_file() and (project / "content" / "_shared" / "house.yaml").is_file()
    _run([briefs, "new", "brief", "second-look", "--kind", "industry-report"], project, env)
    checked = _run([briefs, "check"], project, env)
    assert "checked 2 brief(s)" in checked.stdout
    _run([briefs, "build", "--format", "html"], project, env)
    for brief in ("example-brief", "second-look"):
        for lang in LANGS:
            page = (project / "output" / brief / f"{brief}.{lang}.html").read_text("utf-8")
            assert "〖FILL IN: " in page, (brief, lang)
    final = subprocess.run([str(briefs), "build", "--format", "html", "--final"], cwd=project, env=env,
                           capture_output=True, text=True, timeout=300)
    assert final.returncode == 1 and "placeholder left to fill in" in final.stderr
