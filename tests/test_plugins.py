"""Plugins (issue 15 item 5): a real plugin distribution adds a compliance rule and an output
format through the ``briefs.plugins`` entry points, without editing briefs.

The example plugin (tests/plugins/briefs-example-plugin) is built into a wheel and installed by
pip into a temporary folder, never into the project's venv; briefs then runs in a subprocess
with that folder on PYTHONPATH, so its entry points are seen as any installed plugin's are.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, copy_project, line_of

PLUGIN = ROOT / "tests" / "plugins" / "briefs-example-plugin"
BRIEF = "compute-etf-note"
OTHER = "wechat-r1-inference"
TIMEOUT = 300


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plugin, pip-installed (a wheel built from its pyproject) into a folder."""
    work = tmp_path_factory.mktemp("plugin")
    source = shutil.copytree(PLUGIN, work / "src")  # the build leaves build/ and *.egg-info there
    target = work / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q",
                           "--target", str(target), str(source)],
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr
    assert (target / "briefs_example_plugin-1.0.0.dist-info" / "entry_points.txt").is_file()
    return target


def briefs(project: Path, *args: str, path: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m briefs ARGS`` in ``project``, with ``path`` (an install folder) on PYTHONPATH,
    and the briefs of this checkout (not whichever one the venv's editable install points at)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = os.pathsep.join([*([str(path)] if path is not None else []), str(ROOT)])
    return subprocess.run([sys.executable, "-m", "briefs", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)


@pytest.fixture
def guaranteed(tmp_path: Path) -> tuple[Path, Path, int]:
    """The example project with one brief's English title promising a result."""
    project = copy_project(tmp_path / "project", theme=False)
    brief = project / "content" / BRIEF / "brief.yaml"
    text = brief.read_text("utf-8")
    old = 'en: "Jensen Huang on the DeepSeek shock'
    assert old in text
    brief.write_text(text.replace(old, 'en: "Guaranteed gains? Jensen Huang on the DeepSeek shock'), "utf-8")
    return project, brief, line_of(brief, "Guaranteed gains")


def test_the_plugins_rule_fires_at_the_title(installed: Path, guaranteed: tuple[Path, Path, int]) -> None:
    project, _, line = guaranteed
    checked = briefs(project, "check", f"content/{BRIEF}", path=installed)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert (f"content/{BRIEF}/brief.yaml:{line}:3: title promises a result ('guaranteed'): "
            "research never guarantees") in checked.stderr
    assert "Traceback" not in checked.stderr
    built = briefs(project, "build", "--format", "html", f"content/{BRIEF}", "--out", "out",
                   path=installed)  # the rule runs on every load: the build refuses it too
    assert built.returncode == 1 and f"brief.yaml:{line}:3: title promises" in built.stderr
    assert not (project / "out" / BRIEF).exists()


def test_the_rule_reads_every_language(installed: Path, tmp_path: Path) -> None:
    """A variant: the Chinese title promising a result (保证) is refused at its own line."""
    project = copy_project(tmp_path / "project", theme=False)
    brief = project / "content" / BRIEF / "brief.yaml"
    text = brief.read_text("utf-8")
    brief.write_text(text.replace("zh-CN: 黄仁勋回应DeepSeek冲击", "zh-CN: 保证收益？黄仁勋回应DeepSeek冲击"), "utf-8")
    checked = briefs(project, "check", f"content/{BRIEF}", path=installed)
    assert checked.returncode == 1
    assert f"brief.yaml:{line_of(brief, '保证收益')}:3: title promises a result ('保证')" in checked.stderr


def test_without_the_plugin_neither_exists(guaranteed: tuple[Path, Path, int]) -> None:
    project, _, _ = guaranteed
    checked = briefs(project, "check", f"content/{BRIEF}")
    assert checked.returncode == 0 and "title promises" not in checked.stderr, checked.stderr
    built = briefs(project, "build", "--format", "html,txt", "--out", "out")
    assert built.returncode == 2  # a usage error, before anything is read
    assert "unknown format 'txt'; choose from html, pdf, rixml" in built.stderr
    assert not (project / "out").exists()


def test_the_plugins_format_is_written_kept_and_removed(installed: Path, tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project", theme=False)
    out = project / "out" / OTHER
    first = briefs(project, "build", "--format", "html,txt", f"content/{OTHER}", "--out", "out",
                   path=installed)
    assert first.returncode == 0, first.stderr
    text = (out / f"{OTHER}.en.txt").read_text("utf-8")
    assert text.startswith("WeChat trials DeepSeek-R1 search")  # the brief's English title
    assert (out / f"{OTHER}.zh-CN.txt").read_text("utf-8").startswith("微信")
    assert (out / f"{OTHER}.en.html").is_file() and not (out / f"{OTHER}.en.pdf").exists()
    manifest = (project / "out" / ".briefs" / "manifest.json").read_text("utf-8")
    assert f'"{OTHER}/{OTHER}.en.txt"' in manifest

    # Incremental: an output whose inputs did not change is not written again.
    stamp = (out / f"{OTHER}.en.txt").stat().st_mtime_ns
    third = briefs(project, "build", "--format", "html,txt", "--out", "out", path=installed)
    assert third.returncode == 0, third.stderr
    assert (out / f"{OTHER}.en.txt").stat().st_mtime_ns == stamp  # up to date: not rewritten
    assert (project / "out" / BRIEF / f"{BRIEF}.en.txt").is_file()

    # The plugin uninstalled: its outputs on record are stale and removed, as a dropped
    # language's would be; the HTML stays.
    plain = briefs(project, "build", "--format", "html", "--out", "out")
    assert plain.returncode == 0, plain.stderr
    assert f"removed out/{OTHER}/{OTHER}.en.txt" in plain.stdout
    assert not list((project / "out").glob("*/*.txt"))
    assert (out / f"{OTHER}.en.html").is_file()


def _fake_plugin(folder: Path, name: str, module: str, code: str) -> Path:
    """An installed distribution as pip leaves one: a module and its dist-info with an entry point."""
    (folder / f"{module}.py").write_text(code, "utf-8")
    info = folder / f"{module}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n", "utf-8")
    (info / "entry_points.txt").write_text(f"[briefs.plugins]\n{name} = {module}:register\n", "utf-8")
    return folder


@pytest.mark.parametrize(("code", "problem"), [
    ("import no_such_module_anywhere\n", ("cannot be imported: ModuleNotFoundError: No module "
                                          "named 'no_such_module_anywhere'")),
    ("def register(registry):\n    raise RuntimeError('the house server is down')\n",
     "register() failed: RuntimeError: the house server is down"),
    (("class Html:\n    name = 'html'\n    suffix = 'htm'\n    def render(self, document):\n"
      "        return b''\n\ndef register(registry):\n    registry.add_format(Html())\n"),
     "register() failed: ValueError: output format 'html' is already registered"),
    ("def register(registry):\n    registry.add_rule('approval', check=lambda review: [])\n",
     "register() failed: ValueError: compliance rule 'approval' is already registered"),
])
def test_a_broken_plugin_is_one_line_naming_it(tmp_path: Path, code: str, problem: str) -> None:
    (tmp_path / "site").mkdir()
    site = _fake_plugin(tmp_path / "site", "broken", "broken_plugin", code)
    project = copy_project(tmp_path / "project", theme=False)
    for args in (("check",), ("build", "--format", "html", "--out", "out")):
        done = briefs(project, *args, path=site)
        assert done.returncode == 1, done.stderr
        assert done.stderr.splitlines()[0] == (
            f"briefs.plugins: plugin 'broken' (broken_plugin:register): {problem}")
        assert "Traceback" not in done.stderr
    assert not (project / "out").exists()


def test_the_built_ins_come_in_through_the_entry_point() -> None:
    """briefs' own distribution declares them; nothing is registered any other way."""
    entries = [e for e in importlib.metadata.entry_points(group="briefs.plugins") if e.name == "builtin"]
    assert [e.value for e in entries] == ["briefs.builtins:register"]
    from briefs.plugins import load_registry

    empty = load_registry([])
    assert not empty.formats and not empty.rules and not empty.checks
    own = load_registry(entries)
    assert list(own.formats) == ["html", "pdf", "rixml"]
    assert list(own.rules) == ["rating", "signing-analysts", "approval", "company-note", "conflicts-entry",
                               "mandatory-blocks", "placeholders"]
    assert own.rules["placeholders"].release is not None and own.rules["placeholders"].check is None
    assert list(own.checks) == [
        "glyphs", "fidelity", "citations", "placeholders", "upside", "picks-upside", "ledger", "conflicts"
    ]
    assert list(own.packs) == ["mainland-china", "hong-kong"]


def test_a_format_that_fails_fails_its_files_only(tmp_path: Path) -> None:
    """A plugin's renderer raising: its files fail at the brief.yaml, every other file is
    written, and the next build tries it again."""
    code = ("class Broken:\n    name = 'bad'\n    suffix = 'bad'\n"
            "    def render(self, document):\n        raise RuntimeError('no ink')\n\n"
            "def register(registry):\n    registry.add_format(Broken())\n")
    (tmp_path / "site").mkdir()
    site = _fake_plugin(tmp_path / "site", "inkless", "inkless_plugin", code)
    project = copy_project(tmp_path / "project", theme=False)
    for _ in range(2):
        done = briefs(project, "build", "--format", "html,bad", f"content/{OTHER}", "--out", "out",
                      path=site)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert (f"content/{OTHER}/brief.yaml: the bad output of en failed: RuntimeError: no ink"
                in done.stderr), done.stderr
        assert "briefs: 2 document(s) failed" in done.stderr
        assert (project / "out" / OTHER / f"{OTHER}.en.html").is_file()
        assert not list((project / "out" / OTHER).glob("*.bad"))
