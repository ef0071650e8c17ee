"""Tags a screen reader and a validator accept (render/pdf_tags.py), checked on every example PDF:
the pdfua checker, page furniture as artifacts, every tagged piece reachable from the structure
tree, TH scope, valid lists, names in the other script with /Lang, attachments that qpdf and
pdfdetach list and save, an outline of sections and exhibits, a watermark that is not text."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
import yaml
from bs4 import BeautifulSoup
from pypdf import PdfReader

from briefs.load.project import load_project
from briefs.pipeline.outputs import flat_name, flat_names
from briefs.project.config import load_config
from briefs.render.pdf_tags import finish_pdf
from briefs.render.pdf_text import mcid_texts

from .conftest import ROOT, Built

MM = 72 / 25.4
TOP_MARGIN, BOTTOM_MARGIN = 20 * MM, 18 * MM  # brief.css @page margin
EDITIONS = ("zh-CN", "en", "zh-HK")


@pytest.fixture(scope="module")
def loaded():  # type: ignore[no-untyped-def]
    return {b.brief.id: b for b in load_project(load_config(ROOT)).briefs}


def pdfs(built: Built) -> Iterator[tuple[str, str, Path]]:
    for brief_id in built.briefs:
        for lang in EDITIONS:
            yield brief_id, lang, built.file(brief_id, lang, "pdf")


def elements(root: pikepdf.Object) -> Iterator[pikepdf.Object]:
    stack = [root]
    while stack:
        element = stack.pop()
        yield element
        kids = element.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
        stack.extend(reversed([k for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]))


def parent_tree(pdf: pikepdf.Pdf) -> dict[int, pikepdf.Object]:
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def _multiply(a: list[float], b: list[float]) -> list[float]:
    return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2],
            a[2] * b[1] + a[3] * b[3], a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]]


def shown_text(page: pikepdf.Page) -> Iterator[tuple[float, list[str], int | None]]:
    """Each text-showing operator of the page's content: its height from the top of the page (pt),
    the marked-content tags it sits in (outermost first) and the innermost MCID, if any."""
    height = float(page.mediabox[3])
    ctm, saved, text_matrix = [1.0, 0, 0, 1, 0, 0], [], [1.0, 0, 0, 1, 0, 0]
    tags: list[tuple[str, int | None]] = []
    for instruction in pikepdf.parse_content_stream(page.obj):
        op, operands = str(instruction.operator), instruction.operands
        if op == "q":
            saved.append(ctm)
        elif op == "Q":
            ctm = saved.pop()
        elif op == "cm":
            ctm = _multiply([float(x) for x in operands], ctm)
        elif op == "BT":
            text_matrix = [1.0, 0, 0, 1, 0, 0]
        elif op == "Tm":
            text_matrix = [float(x) for x in operands]
        elif op in ("BDC", "BMC"):
            props = operands[1] if op == "BDC" else None
            mcid = props.get("/MCID") if isinstance(props, pikepdf.Dictionary) else None
            tags.append((str(operands[0]), int(mcid) if mcid is not None else None))
        elif op == "EMC":
            tags.pop()
        elif op in ("Tj", "TJ"):
            y = _multiply(text_matrix, ctm)[5]
            yield height - y, [t for t, _ in tags], next((m for _, m in reversed(tags) if m is not None), None)


@pytest.mark.pdf
def test_every_pdf_passes_the_pdfua_checker(built: Built) -> None:
    """No error and no warning (before: UA-01-003 in every PDF, UA-15-003 per table, UA-28-004)."""
    from pdfua import Severity, validate

    for brief_id, lang, path in pdfs(built):
        report = validate(str(path))
        found = [(f.rule_id, f.message[:120]) for f in report.findings if f.severity >= Severity.WARNING]
        assert not found, (brief_id, lang, found)


@pytest.mark.pdf
def test_running_header_footer_and_page_numbers_are_artifacts(built: Built) -> None:
    for brief_id, lang, path in pdfs(built):
        with pikepdf.open(path) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                height = float(page.mediabox[3])
                shown = list(shown_text(page))
                furniture = [t for t in shown if t[0] < TOP_MARGIN or t[0] > height - BOTTOM_MARGIN]
                assert len(furniture) >= 2, (brief_id, lang, number, "footer and page number expected")
                for top, tags, mcid in shown:
                    in_margin = top < TOP_MARGIN or top > height - BOTTOM_MARGIN
                    assert in_margin == ("/Artifact" in tags), (brief_id, lang, number, top, tags)
                    assert in_margin or mcid is not None, (brief_id, lang, number, top, "untagged text")


@pytest.mark.pdf
def test_every_tagged_piece_hangs_from_the_structure_tree(built: Built) -> None:
    """UA-01-003: no MCID whose element is cut off from the tree (WeasyPrint's margin boxes), none
    inside a form XObject (the chain figure's step numbers were), no form painted untagged."""
    for brief_id, lang, path in pdfs(built):
        with pikepdf.open(path) as pdf:
            root = pdf.Root.StructTreeRoot
            reachable = {e.objgen for e in elements(root.K[0])}
            tree = parent_tree(pdf)
            for number, page in enumerate(pdf.pages, 1):
                mcids = tree[int(page.StructParents)]
                for _top, _tags, mcid in shown_text(page):
                    if mcid is not None:
                        assert mcids[mcid].objgen in reachable, (brief_id, lang, number, mcid)
                depth = 0
                for instruction in pikepdf.parse_content_stream(page.obj):
                    op = str(instruction.operator)
                    depth += {"BDC": 1, "BMC": 1, "EMC": -1}.get(op, 0)
                    if op == "Do":
                        assert depth > 0, (brief_id, lang, number, "a form painted outside marked content")
                for name, xobject in page.Resources.get("/XObject", {}).items():
                    if xobject.get("/Subtype") == "/Form":
                        assert b"/MCID" not in xobject.read_bytes(), (brief_id, lang, number, name)


@pytest.mark.pdf
def test_every_table_header_has_the_scope_of_its_html_cell(built: Built) -> None:
    for brief_id, lang, path in pdfs(built):
        soup = BeautifulSoup(built.file(brief_id, lang, "html").read_text("utf-8"), "html.parser")
        printed = [th for th in soup.select("th") if not th.find_parent(class_="toc")]
        assert all(th.get("scope") in ("col", "colgroup", "row", "rowgroup") for th in printed), (brief_id, lang)
        want = {"/Column": 0, "/Row": 0}
        for th in printed:  # PDF has no group scopes: a group's heading heads the columns below it,
            # or the rows beside it; a row group's label alone in its row heads what is below it
            beside_data = th.get("scope") == "row" or (th.get("scope") == "rowgroup" and th.find_parent("tr").td)
            want["/Row" if beside_data else "/Column"] += 1
        colgroups = [th for th in printed if th.get("scope") == "colgroup"]
        assert all(th.find_parent("table").colgroup for th in colgroups), (brief_id, lang)  # a group to head
        tables = [t for t in soup.select("table") if not t.find_parent(class_="toc")]
        body_rows = [len(t.select("tbody > tr")) for t in tables]
        head_cells = [len(t.select("thead th")) for t in tables]
        scopes: list[str] = []
        with pikepdf.open(path) as pdf:
            table, rows_left = -1, 0
            for part in (e for e in elements(pdf.Root.StructTreeRoot.K[0]) if e.S == "/Table"):
                cells = [e for e in elements(part) if e.S == "/TH"]
                heads = [str(e.A.Scope) for e in cells if e.P.P.S == "/THead"]
                if rows_left == 0:  # a table begins
                    table, rows_left = table + 1, body_rows[table + 1]
                    scopes += heads
                else:  # the rest of a table broken between pages: its header row repeated, Column
                    assert heads == ["/Column"] * head_cells[table], (brief_id, lang, table, heads)
                scopes += [str(e.A.Scope) for e in cells if e.P.P.S != "/THead"]
                rows_left -= sum(e.S == "/TR" and e.P.S == "/TBody" for e in elements(part))
                assert rows_left >= 0, (brief_id, lang, table)
        assert table == len(tables) - 1 and rows_left == 0, (brief_id, lang, table, len(tables))
        assert {"/Column": scopes.count("/Column"), "/Row": scopes.count("/Row")} == want, (brief_id, lang)
        assert len(scopes) == len(printed), (brief_id, lang)


@pytest.mark.pdf
def test_lists_and_definition_lists_have_valid_structure(built: Built) -> None:
    allowed = {"/L": {"/LI", "/L", "/Caption"}, "/LI": {"/Lbl", "/LBody"}}
    for brief_id, lang, path in pdfs(built):
        with pikepdf.open(path) as pdf:
            labelled = 0
            for element in elements(pdf.Root.StructTreeRoot.K[0]):
                kids = element.get("/K")
                kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
                roles = [str(k.S) for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]
                if str(element.S) in allowed:
                    assert set(roles) <= allowed[str(element.S)], (brief_id, lang, str(element.S), roles)
                labelled += roles[:1] == ["/Lbl"] and "/LBody" in roles
                for kid in kids:
                    if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                        assert kid.P.objgen == element.objgen, (brief_id, lang, "a child's /P is not its parent")
        soup = BeautifulSoup(built.file(brief_id, lang, "html").read_text("utf-8"), "html.parser")
        terms = len(soup.select("dl > div > dt"))
        assert labelled >= terms > 0, (brief_id, lang, labelled, terms)  # each dt a label, its dd the body


@pytest.mark.pdf
def test_names_in_the_other_script_carry_lang(built: Built) -> None:
    for brief_id, lang, path in pdfs(built):
        soup = BeautifulSoup(built.file(brief_id, lang, "html").read_text("utf-8"), "html.parser")
        names = {span.get_text(strip=True): span["lang"] for span in soup.select(".alt-name")}
        assert names and all(v == ("zh-CN" if lang == "en" else "en") for v in names.values()), (brief_id, lang)
        found: dict[str, str] = {}
        with pikepdf.open(path) as pdf:
            tree = parent_tree(pdf)
            for page in pdf.pages:
                mcids = tree[int(page.StructParents)]
                for mcid, text in mcid_texts(page).items():
                    element = mcids[mcid]
                    if text.strip() in names and isinstance(element, pikepdf.Dictionary):
                        found[text.strip()] = str(element.get("/Lang", ""))
        assert found == {name: names[name] for name in found} and set(found) == set(names), (brief_id, lang, found)


def _sources(loaded_brief) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    files = [p for p in loaded_brief.folder.rglob("*") if p.is_file()]
    names = flat_names([p.relative_to(loaded_brief.folder).as_posix() for p in files])
    return {name: path.read_bytes() for name, path in zip(names, files, strict=True)}


@pytest.mark.pdf
def test_standard_tools_list_and_save_every_attachment(built: Built, loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for brief_id, lang, path in pdfs(built):
        attached = {name: data[0] for name, data in PdfReader(path).attachments.items()}
        assert attached and all("/" not in name for name in attached), (brief_id, lang, list(attached))
        listing = subprocess.run(["qpdf", "--list-attachments", str(path)], capture_output=True, text=True,
                                 check=True).stdout
        listed = [line.split(" -> ")[0] for line in listing.splitlines() if " -> " in line]
        assert listed == sorted(attached), (brief_id, lang, listed)
        with pikepdf.open(path) as pdf:
            keys = [bytes(k).decode() for k in pdf.Root.Names.EmbeddedFiles.Names[::2]]
            assert keys == sorted(keys, key=str.encode) and len(set(keys)) == len(keys)
            assert len(pdf.Root.AF) == len(keys) == len({spec.objgen for spec in pdf.Root.AF})
        saved = tmp_path / brief_id / lang
        saved.mkdir(parents=True)
        subprocess.run(["pdfdetach", "-saveall", "-o", str(saved), str(path)], check=True, capture_output=True)
        sources = _sources(loaded[brief_id])
        for name, data in attached.items():
            shown = subprocess.run(["qpdf", f"--show-attachment={name}", str(path)], capture_output=True,
                                   check=True).stdout
            assert shown == data == (saved / name).read_bytes(), (brief_id, lang, name)
            if name == flat_name("_shared/used.yaml"):
                assert yaml.safe_load(data)["disclaimers"], (brief_id, lang)
            else:
                assert data == sources[name], (brief_id, lang, name)
        assert sorted(p.name for p in saved.iterdir()) == sorted(attached)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _outline(pdf: pikepdf.Pdf) -> list[tuple[str, tuple[int, float]]]:
    """The outline's titles in order (depth first), each with where it points: page, -top."""
    pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
    titles: list[tuple[str, tuple[int, float]]] = []
    with pdf.open_outline() as outline:
        stack = list(reversed(outline.root))
        while stack:
            item = stack.pop()
            dest = item.destination
            titles.append((item.title, (pages[dest[0].objgen], -float(dest[3]))))
            stack.extend(reversed(item.children))
    return titles


@pytest.mark.pdf
def test_outline_lists_sections_and_exhibits_in_reading_order(built: Built) -> None:
    """Reading order in the PDF is the laid-out order: an exhibit moved past the text after it (no
    holes) is listed under the heading it now follows. So: every heading and exhibit of the body
    once, nothing else (no sidebar box, no contents); headings in the HTML's order, exhibits in
    their numeric order; each entry further down the document than the one before."""
    for brief_id, lang, path in pdfs(built):
        soup = BeautifulSoup(built.file(brief_id, lang, "html").read_text("utf-8"), "html.parser")
        headings = [squash(tag.get_text()) for tag in soup.select("h1, h2, h3, h4")
                    if not tag.find_parent(["aside", "nav"])]
        captions = [squash(tag.get_text()) for tag in soup.select(".exhibit > figcaption")
                    if not tag.find_parent(["aside", "nav"])]
        labels = [tag.get_text() for tag in soup.select(".exhibit > figcaption .exhibit-label")
                  if not tag.find_parent(["aside", "nav"])]
        assert len(labels) == len(captions) > 0, (brief_id, lang, labels)
        for series in {re.sub(r"[\d\s]", "", label) for label in labels}:  # 图 1, 图 2 …; 表 1 …
            numbers = [int(re.sub(r"\D", "", label)) for label in labels if re.sub(r"[\d\s]", "", label) == series]
            assert numbers == list(range(1, len(numbers) + 1)), (brief_id, lang, series, numbers)
        boxes = {squash(tag.get_text()) for tag in soup.select("aside h2, aside h3, nav h2")}
        with pikepdf.open(path) as pdf:
            entries = _outline(pdf)
        titles = [squash(title) for title, _ in entries]
        assert sorted(titles) == sorted(headings + captions), (brief_id, lang, titles, headings, captions)
        assert [t for t in titles if t in set(headings)] == headings, (brief_id, lang, titles)
        assert [t for t in titles if t in set(captions)] == captions, (brief_id, lang, titles)
        places = [place for _, place in entries]
        assert places == sorted(places), (brief_id, lang, list(zip(titles, places, strict=True)))
        key_points = squash(soup.select_one("#key-points-heading").get_text())
        assert titles.index(key_points) == 1, (brief_id, lang)  # right after the title: no sidebar box
        assert not boxes & set(titles[:2]), (brief_id, lang)


@pytest.mark.pdf
def test_the_draft_mark_is_not_text(built: Built, loaded) -> None:  # type: ignore[no-untyped-def]
    drafts = [i for i, b in loaded.items() if b.brief.approval is None]
    assert drafts
    for brief_id in drafts:
        for lang in EDITIONS:
            path = built.file(brief_id, lang, "pdf")
            soup = BeautifulSoup(built.file(brief_id, lang, "html").read_text("utf-8"), "html.parser")
            word = soup.select_one(".draft-mark").get_text(strip=True)
            banner = re.sub(r"\s+", "", soup.select_one(".draft-banner").get_text())
            poppler = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                                     check=True).stdout
            pages = [page.extract_text() for page in PdfReader(path).pages]
            for text in (poppler, *pages):
                flat = re.sub(r"\s+", "", text).replace(banner, "")
                han = not word.isascii()
                for needle in {word, word[::-1], *([word[-1]] if han else [])}:  # backwards; 稿 alone
                    assert needle not in flat, (brief_id, lang, needle)


def test_post_processing_leaves_a_pdf_without_tags_or_attachments_alone() -> None:
    """A PDF without a structure tree, attachments or XMP (not WeasyPrint's) passes unchanged in
    meaning: same page text, no tags invented."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].obj.Contents = pdf.make_stream(b"/Span <</MCID 3>> BDC BT ET EMC")
    out = io.BytesIO()
    pdf.save(out)
    mended = pikepdf.open(io.BytesIO(finish_pdf(out.getvalue())))
    assert "/StructTreeRoot" not in mended.Root and "/AF" not in mended.Root
    assert b"/MCID 3" in mended.pages[0].obj.Contents.read_bytes()


def test_a_dangling_mcid_becomes_an_artifact_and_a_broken_parent_tree_does_not_crash() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    document = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document,
                                                    K=pikepdf.Array()))
    orphan = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Span, K=0))
    kept = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.P, K=1, P=document))
    document.K.append(kept)
    pdf.Root.StructTreeRoot = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.StructTreeRoot, K=pikepdf.Array([document]),
        ParentTree=pikepdf.Dictionary(Nums=pikepdf.Array([0, pikepdf.Array([orphan, kept])]))))
    pdf.pages[0].obj.StructParents = 0
    # MCID 0: cut off from the tree; 1: in it; 7: not in the parent tree at all
    drawing = b"q 0 0 1 rg 10 10 50 50 re f Q"  # untouched, like everything but the tags
    pdf.pages[0].obj.Contents = pdf.make_stream(
        b"/Span <</MCID 0>> BDC EMC /P <</MCID 1>> BDC EMC " + drawing + b" /Span <</MCID 7>> BDC EMC")
    out = io.BytesIO()
    pdf.save(out)
    mended = pikepdf.open(io.BytesIO(finish_pdf(out.getvalue())))
    content = mended.pages[0].obj.Contents.read_bytes()
    assert b"/MCID 1" in content and b"/MCID 0" not in content and b"/MCID 7" not in content
    assert content.count(b"/Artifact") == 2
    operators = [str(i.operator) for i in pikepdf.parse_content_stream(mended.pages[0])]
    assert operators == ["BDC", "EMC", "BDC", "EMC", "q", "rg", "re", "f", "Q", "BDC", "EMC"]


def test_flat_attachment_names_are_unique_and_keep_their_order() -> None:
    assert flat_names(["brief.yaml", "_shared/used.yaml", "data/a.csv", "data--a.csv", "x/y"]) == [
        "brief.yaml", "_shared--used.yaml", "data--a.csv", "data--a-2.csv", "x--y"]
