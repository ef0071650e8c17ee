"""Pictures a brief shows (issue 14, items 1 and 2): every image is checked from its bytes by
briefs/exhibits/images.py when the brief is checked, again when it is published beside the HTML, and again
when the PDF fetches it. An SVG that could run script, fetch anything, or expand is refused at
the Markdown line that shows it; what is published is the checked bytes (an SVG re-serialised
from the tree that was checked), read from the file the check resolved.
"""

from __future__ import annotations

import base64
import io
import os
import re
from pathlib import Path

import pytest

from briefs.errors import ContentError, RenderError
from briefs.exhibits.images import MAX_IMAGE_PIXELS, checked_image, published_images
from briefs.pipeline.outputs import is_portal

from .conftest import line_of
from .forkcli import run_briefs
from .test_load_errors import RunCli, assert_error, check
from .test_safety import png


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about images, not about the
    examples."""
    return small_project


BRIEF = Path("content") / "compute-etf-note"
MD = f"{BRIEF}/etfs.en.md"
XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink"'


def svg(*body: str, attributes: str = 'width="40" height="20"', head: str = "") -> bytes:
    """An SVG with ``body`` from its line 2 (3 after a ``head``) on, one item a line."""
    lines = [head] if head else []
    lines += [f'<svg xmlns="http://www.w3.org/2000/svg" {XLINK} {attributes}>', *body, "</svg>"]
    return "\n".join(lines).encode("utf-8")


def show(project: Path, name: str, data: bytes) -> int:
    """Put the picture ``name`` in the brief's folder and show it; returns the Markdown line."""
    (project / BRIEF / name).write_bytes(data)
    md = project / MD
    text = f"![A picture of the ETF flows]({name})"
    md.write_text(md.read_text("utf-8") + f"\n\nA new paragraph.\n{text}\n", "utf-8")
    return line_of(md, text)


def published(out: Path) -> list[Path]:
    # The portal's own script (filters, search) is tests/test_portal.py's: no brief text reaches it.
    found = sorted(p for p in out.rglob("*") if p.is_file()) if out.exists() else []
    return [p for p in found if not is_portal(p.relative_to(out).as_posix())]


def assert_inert(out: Path) -> None:
    """No file under ``out`` carries script: no <script, no on…= handler, no javascript:."""
    for path in published(out):
        data = path.read_bytes().lower()
        assert b"<script" not in data, path
        assert b"javascript:" not in data, path
        assert not re.search(rb"\son[a-z]+\s*=\s*[\"']", data), path


PIXEL_BOMB = base64.b64encode(png(12_000, 12_000)).decode("ascii")
LAUGHS = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))

# (name, SVG bytes, words the message must carry): the issue's own inputs first.
HOSTILE = [
    pytest.param(svg("<script>alert(document.domain)</script>"),
                 ("has a <script> element at line 2 of the SVG", "may not carry scripts"), id="script"),
    pytest.param(svg('<rect width="40" height="20"/>', attributes='width="40" height="20" onload="alert(1)"'),
                 ("event handler onload= at line 1 of the SVG",), id="onload"),
    pytest.param(svg('<a href="javascript:alert(1)"><rect width="40" height="20"/></a>'),
                 ("refers to 'javascript:alert(1)' at line 2",), id="javascript-href"),
    pytest.param(svg(f'<image width="40" height="20" href="data:image/png;base64,{PIXEL_BOMB}"/>'),
                 ("refers to 'data:image/png;base64,", "at line 2"), id="nested-data-pixel-bomb"),
    pytest.param(svg('<image width="40" height="20" href="other.png"/>'),
                 ("refers to 'other.png' at line 2", "its own parts (#id)"), id="external-file"),
    pytest.param(svg('<image width="40" height="20" href="http://127.0.0.1:9/t.png"/>'),
                 ("refers to 'http://127.0.0.1:9/t.png' at line 2",), id="external-http"),
    # Variants the issue does not list.
    pytest.param(svg('<a xlink:href="javascript:alert(1)"><rect width="40" height="20"/></a>'),
                 ("refers to 'javascript:alert(1)'",), id="xlink-javascript"),
    pytest.param(svg('<a xlink:href=" JaVaScRiPt:alert(1)"><text>x</text></a>'),
                 ("refers to 'JaVaScRiPt:alert(1)'",), id="javascript-mixed-case-padded"),
    pytest.param(svg('<rect width="40" height="20" style="background:url(http://x)"/>'),
                 ("refers to 'http://x' in CSS at line 2",), id="style-url"),
    pytest.param(svg('<rect width="40" height="20" fill="u\\72l(http://x/#g)"/>'),
                 ("refers to 'http://x/#g' in CSS",), id="css-escaped-url"),
    pytest.param(svg("<style>", '@import "theme.css";', "rect { fill: red }", "</style>"),
                 ("has a CSS @import at line 2",), id="style-import"),
    pytest.param(svg('<rect width="40" height="20" style="fill: url(#g); background: image-set(\'x.png\' 1x)"/>'),
                 ("refers to 'x.png' in CSS",), id="css-image-set"),
    pytest.param(svg("<style>rect { fill: red }<g/>@import 'theme.css';</style>"),
                 ("has a <style> element with elements inside",), id="style-with-an-element-inside"),
    pytest.param(svg('<use href="other.svg#x"/>'), ("refers to 'other.svg#x' at line 2",), id="use-other-file"),
    pytest.param(svg('<filter id="f"><feImage href="data:image/svg+xml;base64,PHN2Zy8+"/></filter>'),
                 ("refers to 'data:image/svg+xml",), id="feimage-data"),
    pytest.param(svg('<rect width="40" height="20" onClick="alert(1)"/>'),
                 ("event handler onclick=",), id="onclick-mixed-case"),
    pytest.param(svg('<a href="#r"><set attributeName="href" to="javascript:alert(1)" begin="0s"/>',
                     '<rect id="r" width="40" height="20"/></a>'),
                 ("animation <set> of 'href' at line 2",), id="set-href"),
    pytest.param(svg('<animate attributeName="xlink:href" values="#a;javascript:alert(1)"/>'),
                 ("animation <animate> of 'href'",), id="animate-xlink-href"),
    pytest.param(svg('<foreignObject width="40" height="20">',
                     '<div xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="alert(1)"/></div>',
                     "</foreignObject>"),
                 ("has a <foreignObject> element at line 2",), id="foreign-object"),
    pytest.param(svg('<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'),
                 ("<script> element of 'http://www.w3.org/1999/xhtml'",), id="xhtml-script"),
    pytest.param(svg("<text>x</text>", head='<?xml-stylesheet type="text/xsl" href="data:,x"?>'),
                 ("processing instruction <?xml-stylesheet", "line 1 of the SVG"), id="xml-stylesheet"),
    pytest.param(svg("<text>&lol9;</text>", head=f'<!DOCTYPE svg [<!ENTITY lol "lol">{LAUGHS}]>'),
                 ("has a <!DOCTYPE …> of its own at line 1",), id="billion-laughs"),
    pytest.param(svg("<text>&x;</text>", head='<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///proc/self/environ">]>'),
                 ("has a <!DOCTYPE …> of its own",), id="external-entity"),
    pytest.param(svg("<text>x</text>", attributes='width="100000" height="100000"'),
                 ("is 100000 x 100000 pixels (width and height) at line 1", f"{MAX_IMAGE_PIXELS:,}"),
                 id="width-height-over-budget"),
    pytest.param(svg("<text>x</text>", attributes='viewBox="0 0 1e6 1e6"'),
                 ("pixels (viewBox)",), id="viewbox-over-budget"),
    pytest.param(svg("<g/>" * 20_001), ("has more than 20,000 elements",), id="element-budget"),
]


@pytest.mark.parametrize(("data", "words"), HOSTILE)
def test_a_hostile_svg_fails_the_check_at_its_markdown_line(
        project: Path, run_cli: RunCli, data: bytes, words: tuple[str, ...]) -> None:
    (project / BRIEF / "other.png").write_bytes(png())
    line = show(project, "chart.svg", data)
    assert_error(check(run_cli, project), MD, line, "image 'chart.svg'", *words)


@pytest.mark.parametrize(("data", "words"), HOSTILE[:6])
def test_a_hostile_svg_is_never_published(project: Path, run_cli: RunCli, data: bytes,
                                          words: tuple[str, ...]) -> None:
    (project / BRIEF / "other.png").write_bytes(png())
    line = show(project, "chart.svg", data)
    result = run_cli(project, "build", str(BRIEF), "--format", "html")
    assert_error(result, MD, line, *words)
    assert not (project / "output" / "compute-etf-note" / "chart.svg").exists()
    assert_inert(project / "output")


def test_an_external_reference_is_an_error_without_strict(project: Path, run_cli: RunCli) -> None:
    # It used to be a WeasyPrint warning (exit 0 without --strict), and the PNG was read
    # outside the check (and the incremental key).
    (project / BRIEF / "other.png").write_bytes(png())
    line = show(project, "chart.svg", svg('<image width="40" height="20" xlink:href="other.png"/>'))
    result = run_cli(project, "build", str(BRIEF), "--lang", "en")
    assert_error(result, MD, line, "refers to 'other.png'")
    assert published(project / "output" / "compute-etf-note") == []


def test_a_picture_must_be_what_its_suffix_says(project: Path, run_cli: RunCli) -> None:
    line = show(project, "photo.jpg", png())
    assert_error(check(run_cli, project), MD, line, "image 'photo.jpg' is a PNG picture named as a JPEG")
    line = show(project, "page.png", b"<html><script>alert(1)</script></html>")
    assert_error(check(run_cli, project), MD, line, "image 'page.png' is not a readable PNG picture")


def test_a_raster_over_the_pixel_budget_fails_the_check(project: Path, run_cli: RunCli) -> None:
    line = show(project, "wide.png", png(9_000, 5_000))
    assert_error(check(run_cli, project), MD, line, "is 9000 x 5000 pixels; the limit is 40,000,000")


# ----------------------------------------------------------------------------- what passes

EDITOR_SVG = "\n".join([
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
    '<!-- Created with an editor; this comment mentions <script> but is not published -->',
    f'<svg xmlns="http://www.w3.org/2000/svg" {XLINK} width="120mm" height="60mm" viewBox="0 0 120 60"',
    '     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"',
    '     xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"',
    '     xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/"',
    '     inkscape:version="1.3" sodipodi:docname="flows.svg">',
    '  <sodipodi:namedview id="view" pagecolor="#ffffff"/>',
    '  <metadata><rdf:RDF><rdf:Description><dc:title>ETF flows</dc:title></rdf:Description></rdf:RDF></metadata>',
    "  <title>ETF flows &amp; <![CDATA[<script>not a tag</script>]]></title>",
    '  <defs><linearGradient id="g"><stop offset="0" stop-color="#12355b"/></linearGradient>',
    '    <rect id="bar" width="10" height="40"/></defs>',
    "  <style>.bar { fill: url(#g); stroke: url('#g') }</style>",
    '  <use xlink:href="#bar" x="10" class="bar"/><use href="#bar" x="30" fill="url(#g)"/>',
    '  <a href="#bar"><text x="60" y="30" font-family="sans-serif">资金流入</text></a>',
    "</svg>", ""])


def test_a_plain_svg_is_published_as_the_tree_that_was_checked(project: Path, run_cli: RunCli) -> None:
    data = EDITOR_SVG.encode("utf-8")
    show(project, "flows.svg", data)
    result = run_cli(project, "build", str(BRIEF), "--format", "html")
    assert result.exit_code == 0, result.output
    out = project / "output" / "compute-etf-note" / "flows.svg"
    assert out.read_bytes() == checked_image("flows.svg", data)
    text = out.read_text("utf-8")
    assert "url(#g)" in text and 'xlink:href="#bar"' in text and "资金流入" in text
    assert "<!--" not in text and "&lt;script&gt;not a tag" in text  # comments dropped, CDATA as text
    assert_inert(project / "output")


@pytest.mark.pdf
def test_an_svg_from_matplotlib_passes(project: Path, run_cli: RunCli) -> None:
    # A real generator's SVG: the W3C DOCTYPE (never loaded), RDF metadata, <style>, clip paths.
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(4, 2))
    axes.bar(["2023", "2024"], [3.0, 5.5], color="#12355b")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg")
    plt.close(figure)
    data = buffer.getvalue()
    assert b"<!DOCTYPE svg PUBLIC" in data
    show(project, "bars.svg", data)
    result = run_cli(project, "build", str(BRIEF), "--lang", "en")  # HTML and the PDF
    assert result.exit_code == 0, result.output
    assert (project / "output" / "compute-etf-note" / "bars.svg").read_bytes() == checked_image("bars.svg", data)
    assert (project / "output" / "compute-etf-note" / "compute-etf-note.en.pdf").is_file()
    assert_inert(project / "output")


def test_a_picture_changed_after_the_check_is_checked_again_when_published(project: Path) -> None:
    folder = project / BRIEF
    (folder / "chart.svg").write_bytes(svg('<rect width="40" height="20"/>'))
    assert published_images(folder, ["chart.svg"])[0][0] == "chart.svg"
    (folder / "chart.svg").write_bytes(svg('<rect width="40" height="20"/>', "<script>alert(1)</script>"))
    with pytest.raises(ContentError) as refused:
        published_images(folder, ["chart.svg"])
    (diagnostic,) = refused.value.diagnostics
    assert diagnostic.location.path == folder / "chart.svg" and diagnostic.location.line == 3
    assert "image 'chart.svg' has a <script> element at line 3 of the SVG" in diagnostic.message


# ----------------------------------------------------------------------------- item 1: link/../x.png


def _planted(project: Path) -> None:
    """The issue's layout: ``link`` a folder symlink, ``x.png`` a symlink to the environment.
    ``link/../x.png`` resolves to the harmless sub/x.png; collapsed without following ``link``,
    it names the brief folder's x.png."""
    folder = project / BRIEF
    (folder / "sub" / "inner").mkdir(parents=True)
    (folder / "sub" / "x.png").write_bytes(png())
    (folder / "link").symlink_to(folder / "sub" / "inner", target_is_directory=True)
    (folder / "x.png").symlink_to("/proc/self/environ")


@pytest.mark.parametrize("shown", ["link/../x.png", "x.png", "sub/../x.png", "link/./../x.png"])
@pytest.mark.parametrize("formats", [("--format", "html"), ()])
def test_nothing_of_the_environment_reaches_the_output(project: Path, shown: str,
                                                       formats: tuple[str, ...]) -> None:
    _planted(project)
    md = project / MD
    text = f"![A picture of the ETF flows]({shown})"
    md.write_text(md.read_text("utf-8") + f"\n\nA new paragraph.\n{text}\n", "utf-8")
    secret = "briefs-secret-4f1c9e0a7d"
    env = {**os.environ, "BRIEFS_SECRET": secret}
    result = run_briefs(project, "build", str(BRIEF), "--lang", "en", *formats, env=env, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"{MD}:{line_of(md, text)}:" in result.stderr, result.stderr
    for path in published(project / "output"):
        assert secret.encode() not in path.read_bytes(), path
    assert not (project / "output" / "compute-etf-note" / "x.png").exists()


# ----------------------------------------------------------------------------- the PDF's fetcher


def _render(folder: Path, src: str) -> None:
    from briefs.render.pdf import render_pdf

    html = f'<!DOCTYPE html><html lang="en"><body><p>x</p><img src="{src}" alt="x"></body></html>'
    render_pdf(html, folder, [folder], folder / "brief.yaml")


@pytest.mark.pdf
@pytest.mark.parametrize(("src", "words"), [
    ("evil.svg", "has a <script> element"),
    ("bomb.svg", "refers to 'data:image/png"),
    ("data:image/svg+xml;base64," + base64.b64encode(svg("<script>alert(1)</script>")).decode(),
     "has a <script> element"),
    ("data:image/png;base64," + PIXEL_BOMB, "is 12000 x 12000 pixels"),
    ("disguised.png", "is a JPEG picture named as a PNG"),
    ("link/../x.png", "outside the brief's folder"),
])
def test_the_fetcher_checks_what_it_reads_as_publishing_does(project: Path, src: str, words: str) -> None:
    """Defence in depth: HTML that never went through the loader."""
    from PIL import Image

    folder = project / BRIEF
    _planted(project)
    (folder / "evil.svg").write_bytes(svg("<script>alert(1)</script>"))
    (folder / "bomb.svg").write_bytes(svg(f'<image href="data:image/png;base64,{PIXEL_BOMB}"/>'))
    Image.new("RGB", (4, 4)).save(folder / "disguised.png", "JPEG")
    with pytest.raises(RenderError) as refused:
        _render(folder, src)
    assert "refused to fetch" in str(refused.value) and words in str(refused.value), str(refused.value)


@pytest.mark.pdf
def test_the_fetcher_hands_over_checked_bytes_and_no_path(project: Path) -> None:
    # WeasyPrint reopens a picture by its path when it embeds it (after our check): it gets none.
    from briefs.render.pdf import make_fetcher

    folder = project / BRIEF
    data = EDITOR_SVG.encode("utf-8")
    (folder / "flows.svg").write_bytes(data)
    response = make_fetcher([folder]).fetch((folder / "flows.svg").as_uri())
    assert response.path is None and response.content_type == "image/svg+xml"
    assert response.read() == checked_image("flows.svg", data)
    _render(folder, "flows.svg")  # and the checked SVG renders
