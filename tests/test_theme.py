"""The theme: a project's templates/ overrides the shipped theme file by file, message by message.

Each test builds a real project (the example content, with or without a templates/ folder) with
the real CLI and looks at the HTML it wrote.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from briefs.pipeline.fingerprints import brief_keys, input_keys
from briefs.project.config import load_config
from briefs.render import theme as theme_module
from briefs.render.theme import PACKAGE_THEME, Theme, theme_of

from .conftest import copy_project, edit, line_of


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about theme overrides, not about the
    examples."""
    return small_project


ETF = "compute-etf-note"  # kind fund-marketing
COMMENT = "wechat-r1-inference"  # kind industry-comment
KINDS = Path("content", "_shared", "kinds.yaml")

Run = Callable[..., Result]


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    """The example project as it is: content and pyproject, no templates/ folder."""
    project = copy_project(tmp_path / "bare", theme=False)
    assert not (project / "templates").exists()
    return project


def html_of(project: Path, run_cli: Run, brief: str = ETF, lang: str = "zh-CN", *more: str) -> str:
    result = run_cli(project, "build", f"content/{brief}", *more, "--format", "html", "--out", "out")
    assert result.exit_code == 0, result.output
    return (project / "out" / brief / f"{brief}.{lang}.html").read_text("utf-8")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def test_a_project_without_templates_builds_with_the_shipped_theme(bare: Path, tmp_path: Path, run_cli: Run) -> None:
    """No templates/ at all: the theme's page, CSS and catalog; the same bytes as a project that
    holds a full copy of the theme (the layout before the theme moved into the package)."""
    html = html_of(bare, run_cli)
    css = (PACKAGE_THEME / "css" / "brief.css").read_text("utf-8")
    assert css.splitlines()[3] in html
    assert "主要观点" in html or "目录" in html  # the shipped zh-CN catalog
    copied = copy_project(tmp_path / "copied")
    assert html_of(copied, run_cli) == html


def test_an_override_of_one_partial_changes_that_part_and_nothing_else(bare: Path, run_cli: Run) -> None:
    """The issue's case: override one partial by including the theme's own (theme/ prefix)."""
    before = html_of(bare, run_cli)
    write(bare / "templates" / "partials" / "disclosures.html",
          '<!--house-->{% include "theme/partials/disclosures.html" %}<!--/house-->\n')
    after = html_of(bare, run_cli)
    region = after[after.index("<!--house-->") + len("<!--house-->"):after.index("<!--/house-->")]
    assert 'id="disclosures"' in region and region in before
    assert after.replace("<!--house-->", "", 1).replace("<!--/house-->", "", 1) == before


def test_an_override_may_extend_the_theme_version_of_the_same_file(bare: Path, run_cli: Run) -> None:
    """A variant: brief.html extends the theme's brief.html (same name, no copy, no loop)."""
    before = html_of(bare, run_cli, ETF, "en")
    write(bare / "templates" / "brief.html", '{% extends "theme/brief.html" %}\n')
    assert html_of(bare, run_cli, ETF, "en") == before


def test_a_stylesheet_override_is_found_first(bare: Path, run_cli: Run) -> None:
    before = html_of(bare, run_cli, ETF, "en")
    screen = (PACKAGE_THEME / "css" / "screen.css").read_text("utf-8")
    write(bare / "templates" / "css" / "screen.css", screen + "\n.house { color: teal; }\n")
    after = html_of(bare, run_cli, ETF, "en")
    assert after != before and after.replace("\n.house { color: teal; }\n", "", 1) == before


def test_a_project_catalog_overrides_the_theme_message_by_message(bare: Path, run_cli: Run) -> None:
    """A project catalog with one message: that message changes, every other keeps the theme's."""
    before = html_of(bare, run_cli)
    theme_po = (PACKAGE_THEME / "locales" / "zh_CN" / "LC_MESSAGES" / "messages.po").read_text("utf-8")
    header = theme_po[: theme_po.index("\nmsgid", theme_po.index('msgstr ""')) + 1]
    write(bare / "templates" / "locales" / "zh_CN" / "LC_MESSAGES" / "messages.po",
          header + '\nmsgid "Key points"\nmsgstr "要点速览"\n')
    after = html_of(bare, run_cli)
    assert after.count("要点速览") == before.count("主要观点") > 0
    assert after.replace("要点速览", "主要观点") == before


def test_a_kind_names_its_own_template(bare: Path, run_cli: Run) -> None:
    """kinds.yaml ``template:``: briefs of that kind use it; briefs of other kinds do not."""
    edit(bare / KINDS, "  - id: fund-marketing\n", "  - id: fund-marketing\n    template: fund.html\n")
    write(bare / "templates" / "fund.html", '{% include "theme/brief.html" %}\n<!-- fund layout -->\n')
    assert html_of(bare, run_cli, ETF, "en").endswith("</html><!-- fund layout -->")
    assert "fund layout" not in html_of(bare, run_cli, COMMENT, "en")


@pytest.mark.parametrize("name", ["company.html", "../pyproject.toml", "/etc/hostname"])
def test_an_unknown_kind_template_is_located_at_kinds_yaml(bare: Path, run_cli: Run, name: str) -> None:
    """The issue's case (a template no theme folder has), and names that leave the theme."""
    edit(bare / KINDS, "  - id: fund-marketing\n", f'  - id: fund-marketing\n    template: "{name}"\n')
    line = line_of(bare / KINDS, "template:")
    for args in (("check",), ("build", "--format", "html", "--out", "out")):
        result = run_cli(bare, *args)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert f"content/_shared/kinds.yaml:{line}:" in result.stderr, result.stderr
        assert f"unknown template '{name}'" in result.stderr, result.stderr
    assert not (bare / "out" / ETF).exists()


def test_catalog_without_templates_says_so_and_writes_nothing(bare: Path, run_cli: Run) -> None:
    result = run_cli(bare, "catalog")
    assert result.exit_code == 0, result.output
    assert "templates: no templates folder" in result.stdout
    assert not (bare / "templates").exists()


def test_catalog_extracts_the_project_templates_only_and_keeps_theme_translations(bare: Path, run_cli: Run) -> None:
    """A project override with a theme string and a new one: the project's catalog lists just
    those two; the theme's translation is carried over; one entry is left to translate."""
    write(bare / "templates" / "partials" / "disclosures.html",
          '<p>{{ _("Key points") }} {{ _("House note") }}</p>\n{% include "theme/partials/disclosures.html" %}\n')
    result = run_cli(bare, "catalog")
    assert result.exit_code == 0, result.output
    assert "1 entry to translate" in result.stdout
    locales = bare / "templates" / "locales"
    pot = (locales / "messages.pot").read_text("utf-8")
    assert pot.count("msgid ") == 2 and 'msgid "House note"' in pot
    po = (locales / "zh_CN" / "LC_MESSAGES" / "messages.po").read_text("utf-8")
    assert 'msgid "Key points"\nmsgstr "主要观点"' in po
    assert 'msgid "House note"\nmsgstr ""' in po
    assert "House note" in result.stderr  # at its .po line
    assert "Key points" not in result.stderr


def test_catalog_of_a_project_whose_templates_have_no_strings_writes_nothing(bare: Path, run_cli: Run) -> None:
    """A variant: templates/ overrides only a stylesheet."""
    write(bare / "templates" / "css" / "screen.css", "body { margin: 0; }\n")
    result = run_cli(bare, "catalog")
    assert result.exit_code == 0, result.output
    assert "no translatable strings" in result.stdout
    assert not (bare / "templates" / "locales").exists()


def test_search_path_order_and_plugin_folders(bare: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """project → plugin themes → shipped theme; first hit wins; names that leave a folder miss."""
    plugin = tmp_path / "plugin-theme"
    write(plugin / "css" / "screen.css", "/* plugin */\n")
    monkeypatch.setattr(theme_module, "plugin_folders", lambda: (plugin,))
    config = load_config(bare)
    found = theme_of(config)
    assert found == Theme(None, (plugin,), PACKAGE_THEME)
    assert found.find("css/screen.css") == plugin / "css" / "screen.css"
    assert found.find("css/brief.css") == PACKAGE_THEME / "css" / "brief.css"
    write(bare / "templates" / "css" / "screen.css", "/* project */\n")
    assert theme_of(config).find("css/screen.css") == bare / "templates" / "css" / "screen.css"
    for name in ("../pyproject.toml", "/etc/hostname", "", "css\\screen.css"):
        assert theme_of(config).find(name) is None


def test_every_theme_folder_is_in_the_keys(bare: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file of a plugin theme (outside the project, as the shipped theme is when installed)
    changes every brief's key; so does a new project templates/ folder."""
    plugin = tmp_path / "plugin-theme"
    shutil.copytree(PACKAGE_THEME / "css", plugin / "css")
    monkeypatch.setattr(theme_module, "plugin_folders", lambda: (plugin,))
    config = load_config(bare)

    def keys() -> dict[str, str]:
        folders = input_keys(config, ("zh-CN", "en"), ("html",), ())
        return brief_keys(folders, {ETF: bare / "content" / ETF}, {ETF: "2025-01-01"})

    first = keys()
    edit(plugin / "css" / "brief.css", "--navy: #12355b;", "--navy: #12355c;")
    second = keys()
    write(bare / "templates" / "README.md", "overrides\n")
    assert len({first[ETF], second[ETF], keys()[ETF]}) == 3


def test_a_deleted_override_falls_back_to_the_theme(tmp_path: Path, run_cli: Run) -> None:
    """A project holding a copy of the theme deletes one partial: the theme's is used, same bytes."""
    project = copy_project(tmp_path / "copied")
    before = html_of(project, run_cli)
    (project / "templates" / "partials" / "toc.html").unlink()
    assert html_of(project, run_cli) == before
