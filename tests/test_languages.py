"""One language table: every fact about a language in briefs/project/languages.py, and each brief's
source language (the project's, unless the brief sets ``source:``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel import Locale

from briefs.checks.fidelity import check_fidelity
from briefs.errors import ConfigError
from briefs.localize import i18n
from briefs.pipeline import planning
from briefs.project.config import load_config
from briefs.project.languages import DEFAULT_SOURCE, KNOWN_LANGUAGES, LANGUAGES, MSGID_LANGUAGE, language
from briefs.render import fonts

from .conftest import ROOT, edit, line_of


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about the language table, not about the
    examples."""
    return small_project


TAGS = {spelling for lang in LANGUAGES.values()
        for spelling in (lang.tag, lang.babel, lang.gettext, lang.compact_locale)}
# Besides the table, only the glossary (glossary.py: its file format names zh-CN and en) and
# fidelity.py may name a language.
ALLOWED = {"languages.py", "fidelity.py", "glossary.py"}
BRIEF = "compute-etf-note"


def test_no_module_spells_a_language_tag_or_locale_but_the_table() -> None:
    found = []
    for path in sorted((ROOT / "briefs").rglob("*.py")):
        if path.name in ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and node.value in TAGS:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert not found, "\n".join(found)


def test_every_fact_of_a_language_comes_from_its_record() -> None:
    assert tuple(LANGUAGES) == KNOWN_LANGUAGES and DEFAULT_SOURCE in LANGUAGES
    for tag, lang in LANGUAGES.items():
        assert lang.tag == tag and language(tag) is lang
        assert i18n.locale(tag) == Locale.parse(lang.babel)  # dates and numbers
        assert fonts.FONTS[tag] == lang.fonts
        assert planning.LANGUAGE_NAMES[tag] == lang.label  # the language switch
        assert i18n.is_cjk(tag) == (lang.script in ("Hans", "Hant"))
        if lang.derivation is not None:
            assert lang.derivation.source in LANGUAGES and lang.derivation.source != tag
    # each of the example project's languages that needs a catalog has one, in its folder
    for tag in load_config(ROOT).languages:
        if tag != MSGID_LANGUAGE:
            assert list(ROOT.glob(f"**/locales/{language(tag).gettext}/LC_MESSAGES/messages.po")), tag
    assert not i18n.is_cjk("zh-TW")  # a tag the table does not have is nothing, not a guess


def _pyproject(folder: Path, table: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(f"[project]\nname = \"x\"\n\n[tool.briefs]\n{table}\n", "utf-8")
    return path


def test_the_project_source_is_zh_cn_by_default_or_its_first_language(tmp_path: Path) -> None:
    _pyproject(tmp_path, "")
    assert load_config(tmp_path).source == "zh-CN"
    _pyproject(tmp_path, 'languages = ["en"]')
    assert load_config(tmp_path).source == "en"
    _pyproject(tmp_path, 'languages = ["zh-CN", "en"]\nsource = "en"')
    assert load_config(tmp_path).source == "en"


@pytest.mark.parametrize(("value", "shown"), [
    ('"fr"', "'fr'"),          # a language briefs does not know
    ('"zh-HK"', "'zh-HK'"),    # one it knows, but not one of this project's languages
    ("3", "3"),                # not a language at all
])
def test_a_bad_project_source_is_located(tmp_path: Path, value: str, shown: str) -> None:
    path = _pyproject(tmp_path, f'languages = ["zh-CN", "en"]\nsource = {value}')
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    line = line_of(path, "source =")
    assert str(error.value).startswith(f"{path}:{line}:1: tool.briefs.source: expected one of the "
                                       f"project's languages (zh-CN, en), not {shown}"), str(error.value)


@pytest.mark.parametrize(("value", "message"), [
    ("fr", "unknown source language 'fr': a brief is written first in one of the project's languages (zh-CN, en)"),
    ("zh-HK", "source 'zh-HK' is an edition converted from zh-CN, so it cannot be a brief's source: "
              "write the brief in one of the project's languages (zh-CN, en)"),
    ("[en]", "'source' must be text, not a list"),
])
def test_a_bad_brief_source_is_located(project: Path, run_cli,  # type: ignore[no-untyped-def]
                                       value: str, message: str) -> None:
    brief = project / "content" / BRIEF / "brief.yaml"
    line = edit(brief, "date: 2025-02-25", f"date: 2025-02-25\nsource: {value}") + 1
    result = run_cli(project, "check", f"content/{BRIEF}")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"content/{BRIEF}/brief.yaml:{line}:" in result.stderr and message in result.stderr, result.output


def test_a_brief_source_outside_the_project_languages_is_located(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    pyproject = project / "pyproject.toml"
    edit(pyproject, 'languages = ["zh-CN", "en"]', 'languages = ["zh-CN"]')
    edit(pyproject, "zh-HK = { from", "# zh-HK = { from")
    brief = project / "content" / BRIEF / "brief.yaml"
    line = edit(brief, "date: 2025-02-25", "date: 2025-02-25\nsource: en") + 1
    result = run_cli(project, "check", f"content/{BRIEF}")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (f"content/{BRIEF}/brief.yaml:{line}:1: source 'en' is not one of the project's "
            "languages (zh-CN)") in result.stderr, result.output


def test_fidelity_runs_from_each_brief_s_source(project: Path) -> None:
    brief = project / "content" / BRIEF / "brief.yaml"
    edit(brief, "en: A map of the compute supply chain and the related ETFs",
         "en: A map of the compute supply chain and the related ETFs in 2031")
    config = load_config(project)

    def findings() -> list[str]:
        return [str(d) for d in check_fidelity(config, [brief.parent]) if "'2031'" in str(d)]

    en_line, zh_line = line_of(brief, "ETFs in 2031"), line_of(brief, "zh-CN: 算力产业链梳理")
    col = brief.read_text("utf-8").split("\n")[en_line - 1].index("2031") + 1
    assert findings() == [f"{brief}:{en_line}:{col}: warning: figure '2031' of the en text is not in the zh-CN text"]
    edit(brief, "date: 2025-02-25", "date: 2025-02-25\nsource: en")  # now the English is the original
    assert findings() == [f"{brief}:{zh_line + 1}:10: warning: figure '2031' (2,031) of the en text is missing "
                          "from the zh-CN text"]
    edit(brief, "source: en", "source: zh-CN")  # said explicitly, as the project's default
    assert findings() == [f"{brief}:{en_line + 1}:{col}: warning: figure '2031' of the en text is not in the "
                          "zh-CN text"]


def test_a_repeated_lang_or_format_option_adds_up(small_project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    # `--lang zh-CN --lang en` once built the English edition only, silently (the last kept)
    brief = "compute-etf-note"
    built = run_cli(small_project, "build", f"content/{brief}", "--lang", "zh-CN", "--lang", "en", "--format", "html")
    assert built.exit_code == 0, built.output
    out = small_project / "output" / brief
    assert sorted(p.name for p in out.glob(f"{brief}.*")) == [f"{brief}.en.html", f"{brief}.zh-CN.html"]
    checked = run_cli(small_project, "check", f"content/{brief}", "--lang", "en", "--lang", "zh-CN")
    assert checked.exit_code == 0, checked.output
    bad = run_cli(small_project, "build", f"content/{brief}", "--format", "html", "--format", "epub")
    assert bad.exit_code == 2 and "unknown format 'epub'" in bad.output, bad.output
