"""The research portal: index pages, Atom feeds and the Pagefind search bundle every build writes.

Pages and feeds are parsed with lxml and checked against the files on disk; the filters, the
language switch and search run in a real headless Chromium (Selenium) against the output folder
served over HTTP (Pagefind loads its index with fetch, which file:// does not allow).
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import http.server
import json
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import Result
from lxml import etree
from lxml import html as lxml_html

from briefs import build
from briefs.api import BuildResult
from briefs.pipeline.outputs import SEARCH_FOLDER, document_name, feed_name, portal_index_name
from briefs.portal import search
from briefs.portal.search import part_of
from briefs.render.templates import environment
from briefs.render.typography import smart_quotes

from .conftest import ROOT, SMALL, approve_again, copy_project, edit, line_of

RunCli = Callable[..., Result]
ATOM = "{http://www.w3.org/2005/Atom}"
DRAFT = "deepseek-efficiency-not-deflation"  # the example brief with no approval


def _examples() -> tuple[str, ...]:
    """The briefs of the small project with an approval (read from their YAML, not from what
    briefs makes of it)."""
    approved = []
    for path in sorted(ROOT / "content" / brief / "brief.yaml" for brief in SMALL):
        data = yaml.safe_load(path.read_text("utf-8"))
        if isinstance(data, dict) and data.get("approval"):
            approved.append(path.parent.name)
    return tuple(approved)


APPROVED = _examples()
EVERY = (*APPROVED, DRAFT)
LANGS = ("zh-CN", "en")
# Terms put into one brief's body each, found in no other brief.
ZH_TERM, ZH_BRIEF, ZH_BODY = "钛酸锂", "compute-etf-note", "etfs.zh-CN.md"
EN_TERM, EN_BRIEF, EN_BODY = "zeppelins", "wechat-r1-inference", "thesis.en.md"


def html_build(project: Path, *paths: str, final: bool = False) -> BuildResult:
    return build(project, [project / p for p in paths], formats=("html",), jobs=1, final=final)


ROWS = ".//table[@id='briefs']//tr[contains(concat(' ', @class, ' '), ' brief ')]"
TITLE = "./td[@class='title']/*[@class='open']"


def cell(row: lxml_html.HtmlElement, name: str) -> str | None:
    found: list[lxml_html.HtmlElement] = row.xpath(f"./td[@class='{name}']")
    return found[0].text_content() or None  # (each analyst's name is a span of its own)


def page(out: Path, lang: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((out / portal_index_name(lang)).read_bytes())


def rows(doc: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    return list(doc.xpath(ROWS))


def feed_of(out: Path, lang: str) -> etree._Element:
    return etree.fromstring((out / feed_name(lang)).read_bytes())


def bundle_bytes(out: Path) -> bytes:
    """Every file of the search bundle, as Pagefind reads it (its index and fragments are gzip)."""
    files = [p.read_bytes() for p in sorted((out / SEARCH_FOLDER).rglob("*")) if p.is_file()]
    text = b"".join(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data for data in files)
    assert b"compute-etf-note" in text, "the bundle is read as Pagefind reads it"
    return text


def brief_yaml(project: Path, brief_id: str) -> str:
    return (project / "content" / brief_id / "brief.yaml").read_text("utf-8")


@pytest.fixture
def project(small_project: Path) -> Path:
    """Here ``project`` is the small project (tests/conftest.py SMALL: four example briefs, one of
    them the draft): the portal lists whatever briefs a project has, and builds it several times
    per test."""
    return small_project


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small project with a term of its own in one Chinese and one English body, built
    (HTML) once for the tests that only read the portal."""
    project = copy_project(tmp_path_factory.mktemp("portal") / "project", briefs=SMALL)
    add_terms(project)
    result = html_build(project)
    assert result.ok and result.portal, result
    return project


@pytest.fixture(scope="module")
def parted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``site``'s project built with a search index in parts (two pages a part at most on
    average: four parts for its eight pages, one of them empty), the terms' briefs in two."""
    project = copy_project(tmp_path_factory.mktemp("parted") / "project", briefs=SMALL)
    add_terms(project)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "PART_PAGES", 2)
        result = html_build(project)
    assert result.ok and result.portal, result
    out = project / "output"
    homes = {brief: part_of(p.relative_to(out).as_posix()) for p in result.portal if p.parent.name == "fragment"
             for brief in (ZH_BRIEF, EN_BRIEF) if f"/{brief}/".encode() in gzip.decompress(p.read_bytes())}
    assert homes == {ZH_BRIEF: 0, EN_BRIEF: 1}, homes  # one in the bundle the box loads, one merged
    return project


def add_terms(project: Path) -> None:
    zh = project / "content" / ZH_BRIEF / ZH_BODY
    zh.write_text(zh.read_text("utf-8") + f"\n\n我们预计{ZH_TERM}电池的需求将显著增长。\n", "utf-8")
    en = project / "content" / EN_BRIEF / EN_BODY
    en.write_text(en.read_text("utf-8") + f"\n\nNo one expects {EN_TERM} to carry the servers.\n", "utf-8")
    for brief_id in (ZH_BRIEF, EN_BRIEF):  # edited since approval: approved again
        if brief_id in APPROVED:
            approve_again(project, brief_id)


# ----------------------------------------------------------------------------- the index pages


def test_each_language_lists_every_brief_newest_first_with_links_that_exist(site: Path) -> None:
    out = site / "output"
    for lang in LANGS:
        found = rows(page(out, lang))
        assert sorted(r.get("data-id") for r in found) == sorted(EVERY)
        dates = [r.xpath(".//time")[0].get("datetime") for r in found]
        assert dates == sorted(dates, reverse=True), dates
        for r in found:
            brief_id = r.get("data-id")
            title = r.xpath(TITLE)[0].text_content()
            assert title.strip() in brief_yaml(site, brief_id), (lang, title)
            hrefs = [a.get("href") for a in r.xpath(".//td[@class='files']/a")]
            assert hrefs == [document_name(brief_id, each, "html") for each in LANGS], hrefs  # no PDF was built
            assert all((out / href).is_file() for href in hrefs)
            own = r.xpath("./td[@class='title']/a[@class='open']")[0]
            assert own.get("href") == document_name(brief_id, lang, "html")
    assert (out / "index.html").read_bytes() == (out / portal_index_name("zh-CN")).read_bytes()


def test_the_chinese_page_is_chinese_and_the_switch_links_both_languages(site: Path) -> None:
    out = site / "output"
    zh, en = page(out, "zh-CN"), page(out, "en")
    assert zh.get("lang") == "zh-CN" and en.get("lang") == "en"
    assert [th.text for th in zh.xpath(".//thead//th")] == ["日期", "类型", "行业", "评级", "分析师", "标题", "文件"]
    assert [th.text for th in en.xpath(".//thead//th")] == [
        "Date", "Type", "Sector", "Rating", "Analysts", "Title", "Files"]  # fmt: skip
    wechat = zh.xpath(".//tr[@id='brief-wechat-r1-inference']")[0]
    assert cell(wechat, "kind") == "行业点评" and cell(wechat, "sector") == "通信"
    assert cell(wechat, "analysts") == "林清"
    assert zh.xpath(".//select[@id='filter-kind']/option")[0].text == "全部"
    for doc, current in ((zh, "zh-CN"), (en, "en")):
        switch = {a.get("hreflang"): a for a in doc.xpath(".//nav[@class='languages']/a[@hreflang]")}
        assert {lang: a.get("href") for lang, a in switch.items()} == {
            lang: portal_index_name(lang) for lang in LANGS}  # fmt: skip
        assert [lang for lang, a in switch.items() if a.get("aria-current") == "page"] == [current]
        assert doc.xpath(".//nav[@class='languages']/a[@class='feed']")[0].get("href") == feed_name(current)


def test_drafts_are_marked_in_a_preview_portal(site: Path) -> None:
    for lang, word in (("zh-CN", "草稿"), ("en", "DRAFT")):
        doc = page(site / "output", lang)
        draft = doc.xpath(f".//tr[@id='brief-{DRAFT}']")[0]
        assert "draft" in draft.get("class").split()
        assert draft.xpath(".//*[@class='draft-label']")[0].text == word
        assert not [r for r in rows(doc) if r.get("data-id") != DRAFT and r.xpath(".//*[@class='draft-label']")]


# ----------------------------------------------------------------------------- the feeds


def test_each_feed_is_atom_with_every_approved_brief_newest_first_and_no_draft(site: Path) -> None:
    out = site / "output"
    for lang in LANGS:
        root = feed_of(out, lang)
        assert root.tag == f"{ATOM}feed"
        for name in ("id", "title", "updated"):
            assert root.findtext(f"{ATOM}{name}"), name
        assert root.find(f"{ATOM}author/{ATOM}name").text
        assert root.find(f"{ATOM}link[@rel='self']").get("href") == feed_name(lang)
        entries = root.findall(f"{ATOM}entry")
        links = [e.find(f"{ATOM}link[@rel='alternate']").get("href") for e in entries]
        assert sorted(links) == sorted(document_name(b, lang, "html") for b in APPROVED)
        assert all((out / href).is_file() for href in links)
        ids = [e.findtext(f"{ATOM}id") for e in entries]
        assert all(i.startswith("tag:research.example.com,") for i in ids) and len(set(ids)) == len(ids)
        published = [e.findtext(f"{ATOM}published") for e in entries]
        assert published == sorted(published, reverse=True)
        stamps = [dt.datetime.fromisoformat(e.findtext(f"{ATOM}updated")) for e in entries]
        assert dt.datetime.fromisoformat(root.findtext(f"{ATOM}updated")) == max(stamps)
        for entry in entries:
            assert entry.findtext(f"{ATOM}title") and entry.findtext(f"{ATOM}summary")
        assert DRAFT not in (out / feed_name(lang)).read_text("utf-8")


def test_feed_ids_do_not_change_when_a_brief_is_edited(project: Path) -> None:
    html_build(project)
    before = [e.findtext(f"{ATOM}id") for e in feed_of(project / "output", "en").findall(f"{ATOM}entry")]
    edit(project / "content" / "wechat-r1-inference" / "brief.yaml", "bringing the inference-compute gap forward",
         "bringing the compute gap forward")  # fmt: skip
    approve_again(project, "wechat-r1-inference")
    assert html_build(project).portal
    after = feed_of(project / "output", "en")
    assert [e.findtext(f"{ATOM}id") for e in after.findall(f"{ATOM}entry")] == before
    assert any("bringing the compute gap forward" in e.findtext(f"{ATOM}title") for e in after.findall(f"{ATOM}entry"))


# ----------------------------------------------------------------------------- final builds


def test_a_final_portal_lists_no_draft_and_the_next_preview_lists_it_again(project: Path, run_cli: RunCli) -> None:
    out = project / "output"
    assert run_cli(project, "build", "--format", "html").exit_code == 0
    assert DRAFT in [r.get("data-id") for r in rows(page(out, "en"))]
    final = run_cli(project, "build", "--format", "html", "--final", *(f"content/{b}" for b in APPROVED))
    assert final.exit_code == 0, final.output
    for lang in LANGS:
        listed = [r.get("data-id") for r in rows(page(out, lang))]
        assert sorted(listed) == sorted(APPROVED), listed
        assert DRAFT not in (out / portal_index_name(lang)).read_text("utf-8")
        assert DRAFT not in (out / feed_name(lang)).read_text("utf-8")
    index = bundle_bytes(out)
    assert DRAFT.encode() not in index, "a final portal's search does not find the draft either"
    assert run_cli(project, "build", "--format", "html").exit_code == 0  # not "up to date": the mode changed
    assert DRAFT in [r.get("data-id") for r in rows(page(out, "en"))]


# ----------------------------------------------------------------------------- hostile and broken input

JENSEN = 'en: "Jensen Huang on the DeepSeek shock: inference is still compute-hungry"'
HOSTILE = """<script>alert("x")</script> & "double" 'single' </td>"""


def test_a_hostile_title_is_text_in_the_page_and_the_feed(project: Path) -> None:
    yaml_title = json.dumps(HOSTILE)
    edit(project / "content" / "compute-etf-note" / "brief.yaml",
         JENSEN, f"en: {yaml_title}")  # fmt: skip
    approve_again(project, "compute-etf-note")
    assert html_build(project).ok
    out = project / "output"
    raw = (out / portal_index_name("en")).read_text("utf-8")
    assert "<script>alert" not in raw and "</td>\"" not in raw
    row = page(out, "en").xpath(".//tr[@id='brief-compute-etf-note']")[0]
    # English titles get typographic quotes (render/typography.py): the same text, curly
    assert row.xpath(TITLE)[0].text_content() == smart_quotes(HOSTILE)
    assert len(row.xpath("./td")) == 7, "the title did not close a cell"
    assert "<script>alert" not in (out / feed_name("en")).read_text("utf-8")
    titles = [e.findtext(f"{ATOM}title") for e in feed_of(out, "en").findall(f"{ATOM}entry")]
    assert smart_quotes(HOSTILE) in titles


def test_a_brief_without_sector_or_analysts_is_listed_with_empty_cells(project: Path) -> None:
    path = project / "content" / "compute-etf-note" / "brief.yaml"
    text = path.read_text("utf-8")
    assert "\nsector:" in text
    path.write_text("\n".join(line for line in text.splitlines() if not line.startswith("sector:")) + "\n", "utf-8")
    assert html_build(project).ok
    doc = page(project / "output", "en")
    row = doc.xpath(".//tr[@id='brief-compute-etf-note']")[0]
    assert row.get("data-sector") == "" and cell(row, "sector") is None
    assert row.get("data-analyst") == "" and cell(row, "analysts") is None
    assert "" not in [o.get("value") for o in doc.xpath(".//select[@id='filter-sector']/option")][1:]


def test_a_damaged_portal_record_is_rebuilt_not_a_crash(project: Path) -> None:
    html_build(project)
    record = project / "output" / ".briefs" / "portal.json"
    raw = json.loads(record.read_text("utf-8"))
    raw["entries"][0]["sector"] = {"id": 7, "label": "not texts"}
    raw["entries"][1]["analysts"] = [{"id": "x"}, "nobody"]
    raw["entries"][2] = "not an entry"
    raw["files"] = {"index.html": ["big", None]}
    record.write_text(json.dumps(raw), "utf-8")
    result = html_build(project)
    assert result.ok, "a damaged record is not trusted, and not an error"
    repaired = json.loads(record.read_text("utf-8"))  # the record is written again, whole
    assert sorted(e["id"] for e in repaired["entries"]) == sorted(EVERY)
    assert all(isinstance(v, list) and isinstance(v[0], int) for v in repaired["files"].values())
    assert sorted(r.get("data-id") for r in rows(page(project / "output", "en"))) == sorted(EVERY)
    record.write_bytes(b"\x00{ not json")
    assert html_build(project, "content/compute-etf-note").ok
    assert len(rows(page(project / "output", "en"))) == 1, "a partial build without a record lists what it built"


def test_a_brief_called_pagefind_is_refused_before_anything_is_written(project: Path, run_cli: RunCli) -> None:
    shutil.copytree(project / "content" / "compute-etf-note", project / "content" / SEARCH_FOLDER)
    edit(project / "content" / SEARCH_FOLDER / "brief.yaml", "id: compute-etf-note", f"id: {SEARCH_FOLDER}")
    result = run_cli(project, "build", "--format", "html")
    assert result.exit_code == 1
    assert f"content/{SEARCH_FOLDER}/brief.yaml:1:1: the brief id 'pagefind'" in result.output, result.output
    assert not (project / "output" / "compute-etf-note").exists()


# ----------------------------------------------------------------------------- incremental


def stamps(out: Path) -> dict[str, int]:
    names = [portal_index_name(lang) for lang in LANGS] + [feed_name(lang) for lang in LANGS] + ["index.html"]
    files = [out / n for n in names] + sorted((out / SEARCH_FOLDER).rglob("*"))
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in files if p.is_file()}


def test_the_portal_is_written_only_when_what_it_shows_changed(project: Path) -> None:
    out = project / "output"
    first = html_build(project)
    before = stamps(out)
    again = html_build(project)
    assert again.unchanged and not again.portal and stamps(out) == before
    # A brief's body changes: its page and the search index change, the index page does not list it differently
    md = project / "content" / EN_BRIEF / EN_BODY
    md.write_text(md.read_text("utf-8") + "\n\nAnother paragraph about airships.\n", "utf-8")
    if EN_BRIEF in APPROVED:
        approve_again(project, EN_BRIEF)
    changed = html_build(project)
    assert changed.portal and all(p.is_relative_to(out) for p in changed.portal)
    assert any(p.parent.name == "fragment" for p in changed.portal), "the new text is indexed"
    assert len(changed.portal) < len(first.portal), "unchanged files of the search bundle are left alone"
    # the portal's file removed by hand: the next build is not "up to date" and writes it again
    (out / "index.html").unlink()
    restored = html_build(project)
    assert not restored.unchanged and (out / "index.html").is_file()


def test_an_edit_makes_only_its_part_of_a_large_index_again(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A large portal's search index comes in parts (briefs/portal/search.py): an edited brief's
    # part is indexed again, the other parts are not even looked at by Pagefind.
    out = project / "output"
    monkeypatch.setattr(search, "PART_PAGES", 2)
    first = html_build(project)
    made = {part_of(p.relative_to(out).as_posix()) for p in first.portal if p.is_relative_to(out / SEARCH_FOLDER)}
    assert made == {k for k, part in enumerate(search.split([("/" + b + "/", out) for b in EVERY for _ in LANGS]))
                    if part}, made
    assert len(made) > 2
    md = project / "content" / EN_BRIEF / EN_BODY
    md.write_text(md.read_text("utf-8") + "\n\nAnother paragraph about airships.\n", "utf-8")
    if EN_BRIEF in APPROVED:
        approve_again(project, EN_BRIEF)
    before = stamps(out)
    indexed: list[list[str]] = []
    real = search.index_pages
    monkeypatch.setattr(search, "index_pages", lambda pages, config: indexed.append([u for u, _ in pages])
                        or real(pages, config))
    changed = html_build(project)
    assert indexed == [["/" + document_name(EN_BRIEF, lang, "html") for lang in LANGS]], indexed  # its part only
    search_files = [p for p in changed.portal if p.is_relative_to(out / SEARCH_FOLDER)]
    assert search_files and {part_of(p.relative_to(out).as_posix()) for p in search_files} == {1}
    assert {n: t for n, t in stamps(out).items() if n.startswith(SEARCH_FOLDER) and part_of(n) != 1} == {
        n: t for n, t in before.items() if n.startswith(SEARCH_FOLDER) and part_of(n) != 1}
    # one part again (as when briefs are withdrawn below the limit): the others' folders go, and
    # the page merges none
    monkeypatch.setattr(search, "PART_PAGES", 200)
    zh = project / "content" / ZH_BRIEF / ZH_BODY
    zh.write_text(zh.read_text("utf-8") + "\n\n另一段。\n", "utf-8")
    if ZH_BRIEF in APPROVED:
        approve_again(project, ZH_BRIEF)
    html_build(project)
    assert not list((out / SEARCH_FOLDER).glob("part-*"))
    assert b"mergeIndex" not in (out / portal_index_name("en")).read_bytes()
    assert b"wechat-r1-inference" in bundle_bytes(out)


def test_a_withdrawn_brief_leaves_the_portal_feeds_and_search(project: Path) -> None:
    out = project / "output"
    add_terms(project)
    html_build(project)
    shutil.rmtree(project / "content" / EN_BRIEF)
    html_build(project)
    for lang in LANGS:
        assert EN_BRIEF not in [r.get("data-id") for r in rows(page(out, lang))]
        assert EN_BRIEF not in (out / feed_name(lang)).read_text("utf-8")
    assert not (out / EN_BRIEF).exists()
    index = bundle_bytes(out)
    assert EN_BRIEF.encode() not in index and EN_TERM.encode() not in index


def test_a_partial_build_keeps_the_other_briefs_listed(project: Path) -> None:
    html_build(project)
    edit(project / "content" / "compute-etf-note" / "brief.yaml",
         JENSEN,
         "en: Jensen Huang, again")  # fmt: skip
    approve_again(project, "compute-etf-note")
    result = html_build(project, "content/compute-etf-note")
    assert result.portal
    listed = {r.get("data-id"): r for r in rows(page(project / "output", "en"))}
    assert sorted(listed) == sorted(EVERY)
    assert listed["compute-etf-note"].xpath(TITLE)[0].text_content() == "Jensen Huang, again"
    assert line_of(project / "output" / feed_name("en"), "Jensen Huang, again")


# ----------------------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """The output folder over HTTP on 127.0.0.1 (a port of its own), in a thread."""
    yield from _serve(site / "output")


@pytest.fixture(scope="module")
def served_in_parts(parted: Path) -> Iterator[str]:
    """The output folder of ``parted`` over HTTP."""
    yield from _serve(parted / "output")


def _serve(folder: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium driven by Selenium (Debian's chromium and chromium-driver)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _visible(driver: object) -> list[str]:
    from selenium.webdriver.common.by import By

    return [r.get_attribute("data-id") for r in driver.find_elements(By.CSS_SELECTOR, "#briefs tr.brief")  # type: ignore[attr-defined]
            if r.is_displayed()]  # fmt: skip


def _wait(driver: object, condition: Callable[[object], object], timeout: float = 20) -> object:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)  # type: ignore[arg-type]


def test_filters_narrow_the_list_in_a_browser(served: str, browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver = browser
    driver.get(served + portal_index_name("en"))  # type: ignore[attr-defined]
    assert sorted(_visible(driver)) == sorted(EVERY)
    form = driver.find_element(By.ID, "filters")  # type: ignore[attr-defined]
    assert form.is_displayed(), "the script shows the filters"
    Select(driver.find_element(By.ID, "filter-kind")).select_by_value("fund-marketing")  # type: ignore[attr-defined]
    _wait(driver, lambda d: _visible(d) == ["compute-etf-note"])
    Select(driver.find_element(By.ID, "filter-kind")).select_by_value("")  # type: ignore[attr-defined]
    Select(driver.find_element(By.ID, "filter-analyst")).select_by_value("shen-mingyuan")  # type: ignore[attr-defined]
    _wait(driver, lambda d: DRAFT in _visible(d) and "compute-etf-note" not in _visible(d))
    narrowed = _visible(driver)
    Select(driver.find_element(By.ID, "filter-rating")).select_by_value("overweight")  # type: ignore[attr-defined]
    _wait(driver, lambda d: set(_visible(d)) <= set(narrowed))
    Select(driver.find_element(By.ID, "filter-sector")).select_by_value("ai-compute")  # type: ignore[attr-defined]
    _wait(driver, lambda d: _visible(d) == [])
    assert driver.find_element(By.ID, "no-match").is_displayed()  # type: ignore[attr-defined]


def test_the_language_switch_opens_the_other_index_in_a_browser(served: str, browser: object) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(served)  # type: ignore[attr-defined]
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"  # type: ignore[attr-defined]
    driver.find_element(By.CSS_SELECTOR, "nav.languages a[hreflang='en']").click()  # type: ignore[attr-defined]
    _wait(driver, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")  # type: ignore[attr-defined]
    assert driver.current_url.endswith(portal_index_name("en"))  # type: ignore[attr-defined]
    headers = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "thead th")]  # type: ignore[attr-defined]
    assert headers[0] == "Date"


@pytest.mark.parametrize(("lang", "query", "expected"), [("zh-CN", ZH_TERM, ZH_BRIEF), ("en", EN_TERM, EN_BRIEF)])
def test_search_finds_the_brief_in_a_browser(served: str, browser: object, lang: str, query: str,
                                             expected: str) -> None:  # fmt: skip
    from selenium.webdriver.common.by import By

    driver = browser
    found = _search_results(driver, served + portal_index_name(lang), query)
    assert found == [served + document_name(expected, lang, "html")], found
    # the result opens the brief's page in that language
    driver.find_element(By.CSS_SELECTOR, ".pagefind-ui__result-link").click()  # type: ignore[attr-defined]
    _wait(driver, lambda d: d.current_url.endswith(document_name(expected, lang, "html")))  # type: ignore[attr-defined]
    assert query in driver.page_source  # type: ignore[attr-defined]


def test_search_finds_briefs_in_every_part_of_the_index_in_a_browser(served_in_parts: str, browser: object) -> None:
    # The index of ``parted`` comes in parts: the box loads pagefind/ and merges the others.
    for lang, query, expected in (("zh-CN", ZH_TERM, ZH_BRIEF), ("en", EN_TERM, EN_BRIEF)):
        found = _search_results(browser, served_in_parts + portal_index_name(lang), query)
        assert found == [served_in_parts + document_name(expected, lang, "html")], (lang, query, found)


def _search_results(driver: object, url: str, query: str) -> list[str]:
    """The links Pagefind's box lists for ``query`` on the page at ``url``."""
    from selenium.webdriver.common.by import By

    driver.get(url)  # type: ignore[attr-defined]
    box = _wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, ".pagefind-ui__search-input"))  # type: ignore[attr-defined]
    box.send_keys(query)  # type: ignore[attr-defined]

    def links(d: object) -> list[str] | None:
        found = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-link")]  # type: ignore[attr-defined]
        return found or None

    found: list[str] = _wait(driver, links)  # type: ignore[assignment]
    return found


@pytest.mark.java
def test_the_index_pages_pass_the_nu_html_checker(site: Path) -> None:
    from .test_html_valid import vnu

    pages = [site / "output" / portal_index_name(lang) for lang in LANGS]
    findings = vnu(pages)
    assert not findings, "vnu reports:\n" + "\n".join(map(str, findings))


# ----------------------------------------------------------------------------- the theme


def test_a_project_overrides_the_portal_template_and_the_portal_follows(project: Path) -> None:
    html_build(project)
    environment.cache_clear()  # a process reads the theme once; a new build (or watch) reads it again
    (project / "templates" / "portal.html").write_text(
        '{% extends "theme/portal.html" %}{% block heading %}{{ _("Research") }} · Our house{% endblock %}', "utf-8")
    result = html_build(project)
    assert result.portal, "a changed theme file is an input of the portal"
    assert page(project / "output", "zh-CN").xpath("string(.//h1)") == "研究报告 · Our house"


def test_a_broken_portal_template_is_a_located_error(project: Path, run_cli: RunCli) -> None:
    template = project / "templates" / "portal.html"
    line = edit(template, "{% for r in p.rows %}", "{% for r in p.rows %")
    result = run_cli(project, "build", "--format", "html")
    assert result.exit_code == 1
    assert f"templates/portal.html:{line + 1}: unexpected '<'" in result.output, result.output
    assert "Traceback" not in result.output


def test_a_link_in_place_of_a_page_is_neither_listed_nor_indexed(project: Path, tmp_path: Path) -> None:
    html_build(project)
    secret = tmp_path / "secret.html"
    secret.write_text('<html lang="en"><body><p>briefs-secret-93ab</p></body></html>', "utf-8")
    page_path = project / "output" / document_name("compute-etf-note", "en", "html")
    page_path.unlink()
    page_path.symlink_to(secret)
    html_build(project, "content/wechat-r1-inference")  # a build that does not rewrite that page
    row = page(project / "output", "en").xpath(".//tr[@id='brief-compute-etf-note']")[0]
    assert [a.get("hreflang") for a in row.xpath("./td[@class='files']/a")] == ["zh-CN"]
    assert b"briefs-secret-93ab" not in bundle_bytes(project / "output")


def test_a_summary_carries_no_citation_marks(site: Path) -> None:
    """A key point that cites ([@id]) is summarised without the citation, and without a space left
    before the punctuation that followed it."""
    brief = (site / "content" / "wechat-r1-inference" / "brief.yaml").read_text("utf-8")
    first_point = brief.split("key_points:", 1)[1].split("\n  - ", 2)[1]
    assert "[@" in first_point, "the example's first key point cites a source"
    for lang in ("en", "zh-CN"):
        page = lxml_html.fromstring((site / "output" / f"index.{lang}.html").read_bytes())
        summary = page.xpath('//tr[@data-id="wechat-r1-inference"]//td[@class="title"]/p')[0].text_content()
        assert summary and "[@" not in summary and "\ue000" not in summary
        assert " ." not in summary and " 。" not in summary
