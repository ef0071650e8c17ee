"""The analyst's loop from the README, end to end, outside the repository: a new house's project
(`briefs new project`), a new brief in it (`briefs new brief`), the brief in the browser
(`briefs serve`), an edit that reloads the page, then the portal that lists it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from lxml import html as lxml_html

from .browser import chromium, wait_for
from .forkcli import run_briefs
from .test_serve import Serving, frame_title

BRIEF = "memory-cycle-turns"


def briefs(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_briefs(cwd, *args, env={**os.environ, "CI": "1"}, timeout=300)


def test_new_project_new_brief_preview_edit_and_portal(tmp_path: Path) -> None:
    house = tmp_path / "research"  # outside the repository, as a new house would have it
    made = briefs(tmp_path, "new", "project", str(house))
    assert made.returncode == 0, made.stderr
    added = briefs(house, "new", "brief", BRIEF, "--kind", "industry-report")
    assert added.returncode == 0, added.stderr
    brief_yaml = house / "content" / BRIEF / "brief.yaml"
    assert brief_yaml.is_file()

    serving = Serving(house, f"content/{BRIEF}")
    try:
        serving.until("checked 1 brief(s)")
        with chromium() as browser:
            browser.get(serving.url + f"_preview/{BRIEF}")

            wait_for(browser, lambda _: "FILL IN" in frame_title(browser, "en"), what="the new brief's en edition")
            assert "FILL IN" in frame_title(browser, "zh-CN")  # both editions, side by side
            text = brief_yaml.read_text("utf-8")
            text = text.replace('en: "〖FILL IN: the title〗"', 'en: "Memory prices turn as inference demand grows"')
            text = text.replace('zh-CN: "〖FILL IN: 标题（中文）〗"', 'zh-CN: "推理需求增长，存储价格拐点已现"')
            brief_yaml.write_text(text, "utf-8")
            wait_for(browser, lambda _: "Memory prices turn" in frame_title(browser, "en"), what="the edited title")
            wait_for(browser, lambda _: "存储价格拐点" in frame_title(browser, "zh-CN"),
                     what="the edited Chinese title")
    finally:
        assert serving.stop() == 0

    built = briefs(house, "build", "--format", "html")
    assert built.returncode == 0, built.stderr
    for lang, title in (("en", "Memory prices turn"), ("zh-CN", "存储价格拐点")):
        page = lxml_html.fromstring((house / "output" / f"index.{lang}.html").read_bytes())
        row = page.xpath(f".//tr[@id='brief-{BRIEF}']")
        assert row, f"{BRIEF} is not listed in index.{lang}.html"
        assert title in row[0].text_content()
        links = [a.get("href") for a in row[0].xpath(".//a[@href]")]
        assert any(h.endswith(f"{BRIEF}.{lang}.html") for h in links), links
        assert all((house / "output" / h).is_file() for h in links if not h.startswith(("http", "#"))), links
    # a draft: in the portal, never in a feed
    feed = (house / "output" / "feed.en.xml").read_text("utf-8")
    assert BRIEF not in feed
