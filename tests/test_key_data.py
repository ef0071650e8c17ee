"""The first page's key-data box: figures from brief.yaml, in the sidebar, on page 1 of the PDF."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from briefs.load.project import load_project
from briefs.project.config import load_config

from .conftest import LANGS, ROOT, Built, edit


def _squash(text: str) -> str:
    return re.sub(r"[\s\-\u2010]+", "", text)


@pytest.mark.pdf
def test_key_data_sit_in_the_sidebar_and_on_page_one(built: Built) -> None:
    project = load_project(load_config(ROOT))
    with_data = [b for b in project.briefs if b.brief.key_data]
    assert with_data, "the examples show the box"
    for loaded in with_data:
        for lang in LANGS:
            soup = BeautifulSoup(built.file(loaded.brief.id, lang, "html").read_text("utf-8"), "html.parser")
            rows = soup.select("aside.sidebar .key-data dl > div")
            expected = [(d.label[lang], d.value[lang]) for d in loaded.brief.key_data]
            assert [(r.dt.get_text(), r.dd.get_text()) for r in rows] == expected
            page1 = subprocess.run(["pdftotext", "-l", "1", "-enc", "UTF-8",
                                    str(built.file(loaded.brief.id, lang, "pdf")), "-"],
                                   capture_output=True, text=True, check=True).stdout
            for _label, value in expected:
                assert _squash(value) in _squash(page1), (loaded.brief.id, lang, value)


@pytest.mark.parametrize(("bad", "message"), [
    ("key_data:\n  - label: {zh-CN: 数据, en: Data}\n", "value"),
    ("key_data:\n  - label: {zh-CN: 数据}\n    value: {zh-CN: '1', en: '1'}\n", "en"),
    ("key_data:\n" + "  - {label: {zh-CN: 数据, en: Data}, value: {zh-CN: '1', en: '1'}}\n" * 9, "8"),
])
def test_a_bad_key_data_box_is_a_located_error(project: Path, run_cli, bad: str, message: str) -> None:  # type: ignore[no-untyped-def]
    brief = project / "content" / "wechat-r1-inference" / "brief.yaml"
    text = brief.read_text("utf-8")
    start = text.index("key_data:")
    end = text.index("key_points:")
    brief.write_text(text[:start] + text[end:], "utf-8")
    line = edit(brief, "key_points:", bad + "key_points:")
    result = run_cli(project, "check")
    assert result.exit_code == 1
    located = re.findall(r"brief\.yaml:(\d+):\d+: (.*)", result.output)
    assert located and all(line <= int(n) < line + bad.count("\n") for n, _ in located), result.output
    assert message in result.output and "Traceback" not in result.output
