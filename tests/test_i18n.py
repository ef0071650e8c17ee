"""Catalogs and Babel formatting."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from briefs.localize.i18n import Edition, catalog_problems, format_date, format_percentage
from briefs.render.theme import PACKAGE_THEME, Theme

from .conftest import ROOT


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about catalogs and editions, not about the
    examples."""
    return small_project


def test_message_template_matches_the_sources() -> None:
    """The shipped theme's messages.pot lists exactly the strings the code and theme use."""
    method_map = [("briefs/**.py", "python"), ("briefs/themes/**.html", "jinja2")]
    options = {"briefs/themes/**.html": {"extensions": "jinja2.ext.i18n,jinja2.ext.do"}}  # as babel.cfg
    used = {msg for _f, _l, msg, _c, _x in extract_from_dir(str(ROOT), method_map, options,
                                                            keywords={"_": None, "gettext": None})
            if not str(_f).startswith((".venv", "tests"))}
    with (PACKAGE_THEME / "locales" / "messages.pot").open("rb") as handle:
        pot = {m.id for m in read_po(handle) if m.id}
    assert used == pot, "run the extract command in the README (pybabel extract ...)"


def test_shipped_catalogs_are_complete() -> None:
    assert catalog_problems(Theme(None), Edition("zh-CN")) == []


def test_dates_and_percentages_use_explicit_locales() -> None:
    day = dt.date(2025, 2, 16)
    assert format_date(day, "zh-CN") == "2025年2月16日"
    assert format_date(day, "en") == "16 February 2025"  # the house writes British English
    assert format_percentage(-5, "en") == "\u22125%"  # the minus sign, not a hyphen
    assert format_percentage(79.8, "zh-CN") == "79.8%"


def test_zh_hk_edition_is_configured_not_coded_and_own_text_wins(project) -> None:  # type: ignore[no-untyped-def]
    """zh-HK comes from [tool.briefs.derived]; a zh-HK text in content beats the conversion."""
    from bs4 import BeautifulSoup

    from briefs.load.project import load_project
    from briefs.pipeline.planning import plan
    from briefs.project.config import load_config

    from .conftest import edit

    brief = project / "content" / "deepseek-efficiency-not-deflation" / "brief.yaml"
    text = brief.read_text("utf-8")
    en_title = text.split("title:", 1)[1].split("en:", 1)[1].split("\n", 1)[0]
    edit(brief, "title:\n", "title:\n  zh-HK: 港版標題：算力效率不等於算力通縮\n")
    config = load_config(project)
    docs = plan(load_project(config, [brief.parent]), ("zh-CN", "zh-HK"))
    hk = BeautifulSoup(docs[1].html, "html.parser")
    assert hk.html["lang"] == "zh-HK"
    assert hk.find("h1").get_text() == "港版標題：算力效率不等於算力通縮"
    body = hk.get_text()
    assert "聲明" in body and "恒生指數" in body and "声明" not in body
    assert "2025年3月3日" in body
    assert en_title.strip() not in body

    # Without the configuration there is no zh-HK edition at all.
    pyproject = project / "pyproject.toml"
    edit(pyproject, 'zh-HK = { from = "zh-CN", convert = "s2hkp" }', "")
    import pytest

    from briefs.errors import ContentError

    with pytest.raises(ContentError, match="not one of the project's editions"):
        plan(load_project(load_config(project), [brief.parent]), ("zh-HK",))


def test_compact_numbers_and_currency_per_locale() -> None:
    from briefs.localize.i18n import format_compact, format_money

    assert format_compact(1.3e9, "zh-CN") == "13亿"
    assert format_compact(1.3e9, "en") == "1.3 billion"
    assert format_compact(1.3e9, "zh-HK") == "13億"
    assert format_compact(2.5e7, "zh-CN") == "2500万"
    assert format_compact(2.5e7, "en") == "25 million"
    assert format_money(1234.5, "CNY", "zh-CN") == "¥1,234.50"
    assert format_money(1234.5, "HKD", "zh-HK") == "HK$1,234.50"
    assert format_money(6e11, "USD", "zh-CN", compact=True) == "US$6000亿"
    assert format_money(6e11, "USD", "en", compact=True) == "$600B"


def test_template_filters_use_the_editions_locale(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from briefs.render.templates import environment

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "probe.html").write_text(
        "{{ d | date }}|{{ 1300000000 | compact }}|{{ 79.8 | percent }}|{{ 1234.5 | money('HKD') }}",
        "utf-8")
    day = dt.date(2025, 2, 16)
    zh = environment(Theme(templates), Edition("zh-CN")).get_template("probe.html").render(d=day)
    en = environment(Theme(templates), Edition("en")).get_template("probe.html").render(d=day)
    assert zh == "2025年2月16日|13亿|79.8%|HK$1,234.50"
    assert en == "16 February 2025|1.3 billion|79.8%|HK$1,234.50"


def test_han_latin_spacing_is_one_rule_in_chinese_and_untouched_in_english() -> None:
    from briefs.localize.i18n import cjk_spacing

    assert cjk_spacing("DeepSeek 取得 79.8% 的得分，AIME 2024 数学") == "DeepSeek取得79.8%的得分，AIME 2024数学"
    assert Edition("zh-CN").text({"zh-CN": "接入 DeepSeek 后", "en": "x"}) == "接入DeepSeek后"
    assert Edition("en").text({"zh-CN": "x", "en": "after DeepSeek 2"}) == "after DeepSeek 2"


def _catalog(path: Path) -> dict[str, str]:
    """msgid → msgstr of a .po/.pot file (plural entries by their first form)."""
    with path.open("rb") as handle:
        return {str(m.id if isinstance(m.id, str) else m.id[0]):
                str(m.string if isinstance(m.string, str) else m.string[0]) for m in read_po(handle) if m.id}


def test_catalog_command_updates_catalogs_in_a_project_without_babel_cfg(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """A project folder (content, templates, pyproject; no babel.cfg, no toolkit source) gets the
    strings of its own templates (the toolkit's own strings stay with the theme's catalog); no
    translation is lost; a new string is reported as the one entry to translate."""
    assert not (project / "babel.cfg").exists()
    locales = project / "templates" / "locales"
    po = locales / "zh_CN" / "LC_MESSAGES" / "messages.po"
    before = _catalog(po)
    toc = project / "templates" / "partials" / "toc.html"
    toc.write_text(toc.read_text("utf-8") + '{{ _("A fresh string for the test") }}\n', "utf-8")
    result = run_cli(project, "catalog")
    assert result.exit_code == 0, result.output
    assert "catalogs updated; 1 entry to translate" in result.stdout
    pot = _catalog(locales / "messages.pot")
    method_map = [("**.html", "jinja2")]
    options = {"**.html": {"extensions": "jinja2.ext.i18n,jinja2.ext.do"}}
    in_templates = {m[2] if isinstance(m[2], str) else m[2][0]
                    for m in extract_from_dir(str(PACKAGE_THEME), method_map, options)}
    assert set(pot) == in_templates | {"A fresh string for the test"}  # the templates', not the code's
    after = _catalog(po)
    assert {k: v for k, v in after.items() if k in pot} == {k: v for k, v in before.items() if k in pot} | {
        "A fresh string for the test": ""}, "no translation lost"
    assert after["A fresh string for the test"] == ""
    assert "A fresh string for the test" in result.stderr  # located at its .po line


def test_catalog_command_refuses_a_broken_template_and_changes_nothing(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    locales = project / "templates" / "locales"
    files = [locales / "messages.pot", locales / "zh_CN" / "LC_MESSAGES" / "messages.po"]
    before = [f.read_bytes() for f in files]
    toc = project / "templates" / "partials" / "toc.html"
    lines = toc.read_text("utf-8").count("\n")
    toc.write_text(toc.read_text("utf-8") + "{% if %}\n", "utf-8")
    result = run_cli(project, "catalog")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"templates/partials/toc.html:{lines + 1}:" in result.stderr, result.stderr
    assert [f.read_bytes() for f in files] == before
