"""Citations of a brief's sources, ``[@id]`` (issue 18, point 3): linked both ways in the HTML and
the PDF, numbered by first citation and the same in every edition, and checked (unknown, malformed
and misplaced citations are located errors; uncited sources and translations that cite otherwise
are warnings; the figure check does not read citations as figures)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import lxml.html
import pikepdf
import pytest
import yaml
from click.testing import Result

from briefs.checks.figure_matching import missing_figures
from briefs.checks.figures import extract_figures
from briefs.pipeline.run import build
from briefs.project.config import load_config
from briefs.render.citations import CitationMarks, number_sources
from briefs.render.markdown import render_block

from .conftest import ROOT, edit, line_of

BRIEF = "deepseek-win-win-summary"  # written in English first, cites its sources
ORIGINALS = {BRIEF: "en", "wechat-r1-inference": "zh-CN"}  # the examples that cite, and their original
EDITIONS = ("en", "zh-CN", "zh-HK")
CITATION = re.compile(r"\[@([^\]]*)\]")

# English is printed with typographic quotes (render/typography.py): read back as typed
STRAIGHT = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def _ids(inner: str) -> list[str]:
    return [part.strip().lstrip("@") for part in re.split(r"[;,]", inner)]


def _content_order(brief_id: str, lang: str) -> list[str]:
    """The source ids cited in a brief's ``lang`` text in reading order, read from the content
    files themselves (key points, then the sections' bodies)."""
    folder = ROOT / "content" / brief_id
    data = yaml.safe_load((folder / "brief.yaml").read_text("utf-8"))
    texts = [point[lang] for point in data["key_points"]]
    for section in data["sections"]:
        if "body" in section:
            texts.append(section["body"][lang])
        else:
            texts.append((folder / section["body_file"][lang]).read_text("utf-8"))
    return [i for text in texts for m in CITATION.finditer(text) for i in _ids(m.group(1))]


def _sources(brief_id: str) -> list[dict[str, object]]:
    data = yaml.safe_load((ROOT / "content" / brief_id / "brief.yaml").read_text("utf-8"))
    return list(data["sources"])


Pages = dict[tuple[str, str], lxml.html.HtmlElement]


@pytest.fixture(scope="module")
def html_pages(tmp_path_factory: pytest.TempPathFactory) -> Pages:
    """The two examples that cite (one English original, one Chinese) built (HTML only) in their
    three editions."""
    out = tmp_path_factory.mktemp("citations-html")
    paths = [ROOT / "content" / b for b in ORIGINALS]
    result = build(load_config(ROOT), paths, EDITIONS, ("html",), out, portal=False)
    assert not result.failed
    return {
        (b, lang): lxml.html.fromstring((out / b / f"{b}.{lang}.html").read_bytes())
        for b in ORIGINALS
        for lang in EDITIONS
    }


def test_citations_link_to_sources_and_back_in_html(html_pages: Pages) -> None:
    for (brief, lang), page in html_pages.items():
        ids = {e.get("id"): e for e in page.iter() if e.get("id")}
        cites = page.xpath(".//sup[@class='cite']/a")
        assert len(cites) == len(_content_order(brief, ORIGINALS[brief])), (brief, lang)
        for cite in cites:
            target = ids[cite.get("href")[1:]]  # every citation's href resolves ...
            assert target.tag == "li" and target.getparent().get("class") == "source-list"
            assert cite.get("role") == "doc-biblioref" and cite.get("aria-label")
            backs = [a.get("href") for a in target.xpath(".//a[@class='backref']")]
            assert "#" + cite.get("id") in backs  # ... and its source links back to it
        for back in page.xpath("//*[@id='sources']//a[@class='backref']"):
            cite = ids[back.get("href")[1:]]
            assert "cite-link" in cite.get("class")
            assert ids[cite.get("href")[1:]] is back.getparent() or ids[cite.get("href")[1:]] in back.iterancestors()


@pytest.mark.parametrize("brief", list(ORIGINALS))
def test_sources_are_numbered_by_first_citation_in_every_edition(html_pages: Pages, brief: str) -> None:
    order = list(dict.fromkeys(_content_order(brief, ORIGINALS[brief])))  # the original's first citations
    sources = _sources(brief)
    listed = [s["id"] for s in sources]
    if brief == BRIEF:
        assert order != listed, "the example should show citation order differing from list order"
    expected = order + [i for i in listed if i not in order]
    for lang in EDITIONS:
        page = html_pages[(brief, lang)]
        items = page.xpath("//*[@id='sources']//ol[@class='source-list']/li")
        texts = [re.sub(r"\s*↑.*$", "", item.text_content().strip()) for item in items]
        if lang != "zh-HK":  # (zh-HK is converted from zh-CN)
            by_id = {s["id"]: s["text"][lang] for s in sources}  # type: ignore[index]
            # (compared without blanks: a zh-CN edition drops the blank between Latin and Han)
            assert [re.sub(r"\s", "", t).translate(STRAIGHT) for t in texts] == [
                re.sub(r"\s", "", str(by_id[i])) for i in expected
            ]
        assert [item.get("id") for item in items] == [f"src-{n}" for n in range(1, len(expected) + 1)]
        numbers = [a.text_content() for a in page.xpath(".//sup[@class='cite']/a")]
        cited = _content_order(brief, "zh-CN" if lang == "zh-HK" else lang)
        assert numbers == [f"[{expected.index(i) + 1}]" for i in cited], lang


def test_numbering_puts_uncited_sources_last() -> None:
    assert number_sources(["a", "b", None, "c"], ["c", "a", "c", "x"]) == (2, 3, 4, 1)


@pytest.mark.pdf
def test_citations_are_pdf_links_to_the_sources_page_without_back_links(tmp_path: Path) -> None:
    result = build(load_config(ROOT), [ROOT / "content" / BRIEF], ("en",), ("pdf",), tmp_path, portal=False)
    assert not result.failed
    path = tmp_path / BRIEF / f"{BRIEF}.en.pdf"
    pdf = pikepdf.open(path)
    dests = pikepdf.NameTree(pdf.Root.Names.Dests)
    index = {page.objgen: i for i, page in enumerate(pdf.pages)}

    def page_text(i: int) -> str:
        return subprocess.run(
            ["pdftotext", "-f", str(i + 1), "-l", str(i + 1), "-layout", str(path), "-"],
            capture_output=True, text=True, check=True,
        ).stdout

    links = [
        (i, str(a.Dest), index[dests[str(a.Dest)][0].objgen], [float(x) for x in a.Rect])
        for i, page in enumerate(pdf.pages)
        for a in page.obj.get("/Annots", [])
        if a.get("/Subtype") == "/Link" and a.get("/Dest") is not None
    ]
    order = list(dict.fromkeys(_content_order(BRIEF, "en")))
    texts = {s["id"]: s["text"]["en"] for s in _sources(BRIEF)}  # type: ignore[index]
    to_sources = [link for link in links if link[1].startswith("src-")]
    assert len(to_sources) == len(_content_order(BRIEF, "en"))
    for _, name, lands, rect in to_sources:
        number = int(name.split("-")[1])
        # the page the link lands on holds that source's text (pdftotext may wrap it)
        words = texts[order[number - 1]].split()[:3]
        assert " ".join(words) in " ".join(page_text(lands).translate(STRAIGHT).split()), name
        assert rect[3] - rect[1] != 0, "a link with no height cannot be clicked"
    # The links back from the sources to their citations are the screen's: on paper "↑ 1 2" at the
    # end of a source is noise, so print hides them (they stay in the HTML, tested above).
    assert not [link for link in links if link[1].startswith("cite-")]
    assert "↑" not in "".join(page_text(i) for i in range(len(pdf.pages)))


# ----------------------------------------------------------------------------- checks

def _check(run_cli: Callable[..., Result], project: Path, *args: str) -> Result:
    return run_cli(project, "check", *args, f"content/{BRIEF}")


def test_unknown_citation_is_an_error_at_its_line_and_column(
    project: Path, run_cli: Callable[..., Result]
) -> None:
    body = project / "content" / BRIEF / "algorithm.en.md"
    line = edit(body, "[@deepseek-reports; @openai-o1]", "[@deepseek-reports; @openai-01]")
    column = body.read_text("utf-8").splitlines()[line - 1].index("[@deepseek-reports; @openai-01]") + 1
    result = _check(run_cli, project)
    assert result.exit_code == 1
    assert (
        f"content/{BRIEF}/algorithm.en.md:{line}:{column}: citation of unknown source 'openai-01'; "
        "did you mean 'openai-o1'?"
    ) in result.output
    built = run_cli(project, "build", "--format", "html", f"content/{BRIEF}")
    assert built.exit_code == 1 and f"algorithm.en.md:{line}:{column}:" in built.output
    assert "Traceback" not in result.output + built.output


def test_unknown_citation_in_yaml_is_located_in_the_yaml(project: Path, run_cli: Callable[..., Result]) -> None:
    brief = project / "content" / BRIEF / "brief.yaml"
    edit(brief, "good for chip demand [@thematic-report]", "good for chip demand [@nowhere]")
    line = line_of(brief, "[@nowhere]")
    column = brief.read_text("utf-8").splitlines()[line - 1].index("[@nowhere]") + 1
    result = _check(run_cli, project)
    assert result.exit_code == 1
    assert f"content/{BRIEF}/brief.yaml:{line}:{column}: citation of unknown source 'nowhere'" in result.output


def test_an_uncited_source_is_a_warning_and_fails_strict(project: Path, run_cli: Callable[..., Result]) -> None:
    folder = project / "content" / BRIEF
    edit(folder / "algorithm.en.md", " [@deepseek-reports; @openai-o1]", " [@deepseek-reports]")
    edit(folder / "algorithm.zh-CN.md", "[@deepseek-reports; @openai-o1]", "[@deepseek-reports]")
    line = line_of(folder / "brief.yaml", "id: openai-o1")
    column = (folder / "brief.yaml").read_text("utf-8").splitlines()[line - 1].index("id: openai-o1") + 1
    result = _check(run_cli, project)
    assert result.exit_code == 0, result.output
    assert (
        f"content/{BRIEF}/brief.yaml:{line}:{column}: warning: source 'openai-o1' (OpenAI's o1 release materials) "
        "is never cited in the en text"
    ) in result.output
    assert _check(run_cli, project, "--strict").exit_code == 1


def test_a_brief_without_citations_keeps_a_plain_source_list(project: Path, run_cli: Callable[..., Result]) -> None:
    result = run_cli(project, "check", "--strict", "content/deepseek-cost-performance")
    assert result.exit_code == 0, result.output


def test_a_translation_citing_other_sources_is_warned_at_the_translation(
    project: Path, run_cli: Callable[..., Result]
) -> None:
    folder = project / "content" / BRIEF
    line = edit(folder / "algorithm.zh-CN.md", "[@deepseek-reports; @openai-o1]", "[@deepseek-reports]")
    edit(folder / "brief.yaml", "这对芯片需求是利好[@thematic-report]", "这对芯片需求是利好[@openai-o1]")
    result = _check(run_cli, project)
    assert result.exit_code == 0, result.output
    assert re.search(
        rf"algorithm\.zh-CN\.md:{line}:\d+: warning: citation \[@openai-o1\] of the en text is missing "
        r"from the zh-CN text", result.output
    )
    yaml_line = line_of(folder / "brief.yaml", "这对芯片需求是利好[@openai-o1]")
    assert f"brief.yaml:{yaml_line}:" in result.output
    assert "citation [@openai-o1] of the zh-CN text is not in the en text" in result.output
    assert "citation [@thematic-report] of the en text is missing from the zh-CN text" in result.output


def test_the_figure_check_ignores_citations() -> None:
    cited = "推理算力占比将达95%[@idc-2024; @report-3]。"
    assert [f.text for f in extract_figures(cited)] == ["95%"]
    assert missing_figures(cited, "Inference will reach 95% of compute [@idc-2024; @report-3].") == []
    # a citation's number is not a figure the translation must repeat either way
    assert missing_figures("Compute reaches 95% [@idc-2024].", "算力占比达95%[@idc-2025]。") == []


def test_citations_do_not_trip_the_fidelity_check_of_the_examples(
    project: Path, run_cli: Callable[..., Result]
) -> None:
    result = run_cli(project, "check", "--strict", f"content/{BRIEF}", "content/wechat-r1-inference")
    assert result.exit_code == 0, result.output


# ----------------------------------------------------------------------------- hostile input

@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("[@]", "malformed citation '[@]'"),
        ("[@Thematic-Report]", "malformed citation '[@Thematic-Report]': 'Thematic-Report' is not a source id"),
        ("[@thematic report]", "'thematic report' is not a source id"),
        ("[@thematic-report;]", "malformed citation '[@thematic-report;]'"),
        ('[@x"><script>alert(1)</script>]', "is not a source id"),
        ("[see [@thematic-report]](https://example.com)", "inside the text of a link or an image"),
        ("![chart [@thematic-report]](chart.png)", "inside the text of a link or an image"),
    ],
)
def test_malformed_and_misplaced_citations_are_located_errors(
    project: Path, run_cli: Callable[..., Result], written: str, message: str
) -> None:
    body = project / "content" / BRIEF / "algorithm.en.md"
    text = body.read_text("utf-8")
    body.write_text(text + f"\nA closing line {written}.\n", "utf-8")
    line = len(text.splitlines()) + 2
    result = _check(run_cli, project)
    assert result.exit_code == 1
    found = [row for row in result.output.splitlines() if message in row]
    assert found and found[0].startswith(f"content/{BRIEF}/algorithm.en.md:{line}:"), result.output
    assert "Traceback" not in result.output


def test_a_citation_in_a_heading_is_refused(project: Path, run_cli: Callable[..., Result]) -> None:
    body = project / "content" / BRIEF / "algorithm.en.md"
    text = body.read_text("utf-8")
    heading = "## What the reports say [@deepseek-reports]"
    body.write_text(text + f"\n{heading}\n\nMore.\n", "utf-8")
    result = _check(run_cli, project)
    assert result.exit_code == 1
    line = len(text.splitlines()) + 2
    column = heading.index("[@") + 1
    assert f"algorithm.en.md:{line}:{column}: citation '[@deepseek-reports]' in a heading" in result.output


def test_a_citation_in_code_is_code(project: Path, run_cli: Callable[..., Result]) -> None:
    html = render_block("Write `[@nowhere]` to cite.\n\n    [@nowhere]\n", citations=CitationMarks({}, str))
    assert "<code>[@nowhere]</code>" in html and "<sup" not in html
    body = project / "content" / BRIEF / "algorithm.en.md"
    body.write_text(body.read_text("utf-8") + "\nCite as `[@nowhere]`.\n", "utf-8")
    zh = project / "content" / BRIEF / "algorithm.zh-CN.md"
    zh.write_text(zh.read_text("utf-8") + "\n引用写作`[@nowhere]`。\n", "utf-8")
    result = _check(run_cli, project)
    assert "nowhere" not in result.output


def test_an_odd_source_id_is_refused_at_its_line(project: Path, run_cli: Callable[..., Result]) -> None:
    brief = project / "content" / BRIEF / "brief.yaml"
    line = edit(brief, "id: openai-o1", "id: 'openai\"><b>o1'")
    result = _check(run_cli, project)
    assert result.exit_code == 1
    assert f"brief.yaml:{line}:" in result.output and "invalid id" in result.output


def test_odd_text_never_reaches_an_attribute() -> None:
    marks = CitationMarks({"a": 1}, lambda n: f'Source "{n}" <x>')
    html = render_block('[@a] [@x"><img src=x onerror=alert(1)>]', citations=marks)
    tree = lxml.html.fragment_fromstring(str(html), create_parent="div")
    assert not tree.xpath(".//img")
    link = tree.xpath(".//sup[@class='cite']/a")[0]
    assert link.get("aria-label") == 'Source "1" <x>' and link.get("href") == "#src-1"
    assert '[@x"><img src=x onerror=alert(1)>]' in tree.text_content()  # shown as written, as text


def test_repeated_source_ids_are_an_error(project: Path, run_cli: Callable[..., Result]) -> None:
    brief = project / "content" / BRIEF / "brief.yaml"
    line = edit(brief, "id: openai-o1", "id: deepseek-reports")
    result = _check(run_cli, project)
    assert result.exit_code == 1
    assert f"brief.yaml:{line}:5: duplicate id 'deepseek-reports'" in result.output


def test_a_citation_in_a_shared_text_is_refused(project: Path, run_cli: Callable[..., Result]) -> None:
    risks = project / "content" / "_shared" / "risks.yaml"
    text = risks.read_text("utf-8")
    match = re.search(r"text:\s*\{?\s*zh-CN: ([^,\n}]+)", text)
    assert match is not None
    edit(risks, match.group(1), match.group(1) + "[@wechat]")
    result = _check(run_cli, project)
    assert result.exit_code == 1
    assert "risks.yaml:" in result.output and "citation '[@wechat]' in a shared text" in result.output


def test_many_citations(project: Path, run_cli: Callable[..., Result]) -> None:
    """200 sources, each cited once in reverse order of listing and then all again in one citation:
    numbered by first citation, anchors unique, every link resolves, and the check passes."""
    count = 200
    ids = [f"s{i}" for i in range(count)]
    marks = CitationMarks(
        dict(zip(ids, number_sources(ids, reversed(ids)), strict=True)), lambda n: f"Source {n}"
    )
    text = " ".join(f"Fact {i}[@{i}]." for i in reversed(ids)) + "\n\nAll [@" + "; @".join(ids) + "]."
    html = render_block(text, citations=marks)
    tree = lxml.html.fragment_fromstring(str(html), create_parent="div")
    links = tree.xpath(".//sup[@class='cite']/a")
    assert len(links) == 2 * count
    assert len({a.get("id") for a in links}) == 2 * count
    assert links[0].get("href") == "#src-1" and links[count].get("href") == f"#src-{count}"
    assert all(len(marks.back(n)) == 2 for n in range(1, count + 1))
