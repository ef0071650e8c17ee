"""Property tests: the loader and the Markdown renderer on arbitrary input.

* ``load_yaml`` either returns plain data (text, true/false/null, lists, mappings with text keys)
  with a source line for every value, or raises a located :class:`BriefsError` - nothing else.
* ``render_block`` / ``render_inline`` never raise, and never let a tag, an event handler or a
  script URL from the input through: every tag in the output is one Markdown itself produces, and
  every link or image URL is https, mailto, an #anchor or a relative path; every id is a heading's,
  prefixed ``md-`` and unique across all the texts rendered with one ``HeadingIds``.
* ``glyphs.describe`` names any code point (surrogates and unassigned ones included).
* the loader's Markdown check (``check_markdown``) only ever adds located diagnostics, on a line of
  the text, whatever the links and image paths look like.

PyYAML's composer recurses once per nesting level; deep nesting must still end in a located
BriefsError (it used to escape as RecursionError), which the nesting property below guards.
"""

from __future__ import annotations

import html
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from briefs.errors import BriefsError, Diagnostics, SourceLocation
from briefs.load.loaded import MarkdownSource
from briefs.load.markdown_checks import check_markdown
from briefs.render.markdown import HEADING_PREFIX, HeadingIds, links, render_block, render_inline
from briefs.source.yamlsource import CONTROL, YamlDocument, load_yaml

# Keep Hypothesis' caches out of the source tree (no example database is used either).
set_hypothesis_home_dir(str(Path(tempfile.gettempdir()) / "briefs-hypothesis"))

SETTINGS = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# Everything YAML counts as a line break (PyYAML reads YAML 1.1).
_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("property") / "doc.yaml"


# ----------------------------------------------------------------------------- load_yaml


def _check_plain(value: Any) -> None:
    """Loaded data is only text, true/false, null, lists and mappings with text keys."""
    if isinstance(value, dict):
        for key, child in value.items():
            assert isinstance(key, str)
            _check_plain(child)
    elif isinstance(value, list):
        for child in value:
            _check_plain(child)
    else:
        assert value is None or isinstance(value, (str, bool)), repr(value)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            found += _paths(child, (*prefix, i))
    return found


def load_or_error(path: Path, raw: bytes) -> YamlDocument | None:
    """Load; a BriefsError must be located in this file, any other exception fails the test."""
    path.write_bytes(raw)
    text = raw.decode("utf-8", "replace")
    last_line = len(_BREAKS.split(text)) + 1
    try:
        doc = load_yaml(path)
    except BriefsError as exc:
        assert exc.diagnostics
        for diagnostic in exc.diagnostics:
            assert diagnostic.location.path == path
            assert 1 <= diagnostic.location.line <= last_line, (diagnostic, last_line)
            assert diagnostic.location.column >= 1
            assert diagnostic.message
        return None
    _check_plain(doc.data)
    for key_path in _paths(doc.data):
        assert key_path in doc.lines, key_path
    for line, column in doc.lines.values():
        assert 1 <= line <= last_line and column >= 1
    return doc


@SETTINGS
@given(st.text())
def test_load_yaml_on_arbitrary_text(scratch: Path, text: str) -> None:
    load_or_error(scratch, text.encode("utf-8"))


@SETTINGS
@given(st.binary(max_size=300))
def test_load_yaml_on_arbitrary_bytes(scratch: Path, raw: bytes) -> None:
    load_or_error(scratch, raw)


_TOKENS = [
    "\n", "\n", "\r\n", "  ", "    ", "\t", "- ", "-", ": ", ":", "? ", ",", "[", "]", "{", "}",
    "#", "# c\n", "'", '"', "\\", "\\u", "|", "|-\n", ">", "&a ", "*a", "&", "*", "!", "!!str ",
    "!!python/object/apply:os.system ", "!x ", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "---\n", "...\n",
    "<<: ", "~", "null", "true", "false", "no", "yes", "000063", "1.5", "2025-02-16", "key", "en",
    "zh-CN", "id", "标题", "\ufeff", "\u2028", "\x85", "\x00", "\x07", "@", "`", "%",
]

yamlish = st.lists(
    st.one_of(st.sampled_from(_TOKENS), st.text(alphabet="abcxyz -:[]{}#'\"\n", max_size=6)),
    max_size=60,
).map("".join)


@SETTINGS
@given(yamlish)
def test_load_yaml_on_yaml_like_text(scratch: Path, text: str) -> None:
    load_or_error(scratch, text.encode("utf-8"))


@SETTINGS
@given(st.lists(st.sampled_from(["key: ", "- ", "  ", "[", "{", "a", "\n", ", ", "]", "}"]), max_size=120))
def test_load_yaml_on_nested_structures(scratch: Path, parts: list[str]) -> None:
    load_or_error(scratch, "".join(parts).encode("utf-8"))


@settings(SETTINGS, max_examples=50)
@given(st.integers(min_value=1, max_value=800), st.lists(st.sampled_from(["[", "{a: ", "- ", "{? "]),
                                                          min_size=1, max_size=4))
def test_load_yaml_on_any_nesting_depth(scratch: Path, depth: int, openers: list[str]) -> None:
    text = "".join(openers[i % len(openers)] for i in range(depth)) + "x"
    load_or_error(scratch, text.encode("utf-8"))


# Round trip: any data PyYAML can dump comes back with every scalar as text, except true/false/null.
# PyYAML's emitter writes NEL/LS/PS unescaped (YAML 1.1 line breaks), which the loader refuses
# because they would shift line numbers, so they are left out here; so are the control
# characters the loader refuses by design (tests/test_hostile.py), tab and line breaks aside.
_REFUSED = "".join(chr(c) for c in range(0xA0) if CONTROL.match(chr(c)))
_text = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x85\u2028\u2029" + _REFUSED),
                max_size=20)
_scalars = st.one_of(_text, st.booleans(), st.none(), st.integers(), st.sampled_from(
    ["no", "yes", "on", "off", "000063", "0x1F", "1e3", "2025-02-16", "~", "null", "True", ""]))
_data = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=20,
)


def _schema_free(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return {k: _schema_free(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_schema_free(v) for v in value]
    return value


@SETTINGS
@given(_data, st.booleans())
def test_dumped_data_round_trips_as_text(scratch: Path, data: Any, flow: bool) -> None:
    dumped = yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow)
    doc = load_or_error(scratch, dumped.encode("utf-8"))
    assert doc is not None, dumped
    assert doc.data == _schema_free(data)


# ----------------------------------------------------------------------------- Markdown

# Tags and attributes markdown-it (CommonMark + tables, raw HTML off) produces by itself.
_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "code", "em",
         "strong", "a", "img", "hr", "br", "table", "thead", "tbody", "tr", "th", "td"}
_ATTRIBUTES = {"href", "src", "alt", "title", "start", "class", "style", "id"}
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)((?:\s+[^\s=>]+=\"[^\"]*\")*)\s*/?>")
_ATTRIBUTE = re.compile(r"\s+([^\s=>]+)=\"([^\"]*)\"")
_IMG = re.compile(r'<img src="[^"<>]*" alt="[^"<>]*"(?: title="[^"<>]*")? />')
_BAD_URL = re.compile(r"^\s*(javascript|vbscript|file):", re.IGNORECASE)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def assert_safe_html(source: str, output: str) -> None:
    """Every tag in ``output`` is one Markdown makes; nothing raw from ``source`` got through."""
    lowered = output.lower()
    assert "<script" not in lowered
    assert "<iframe" not in lowered and "<svg" not in lowered and "<style" not in lowered
    # Each '<' in the output starts a well-formed, known tag; all other '<' were escaped.
    assert output.count("<") == len(_TAG.findall(output)), output
    for match in _TAG.finditer(output):
        assert match[2] in _TAGS, match[0]
        for name, value in _ATTRIBUTE.findall(match[3]):
            assert name in _ATTRIBUTES, match[0]
            if name == "id":
                assert match[2] in ("h1", "h2", "h3", "h4", "h5", "h6"), match[0]
                assert value.startswith(HEADING_PREFIX) and html.unescape(value) == value, match[0]
            if name in ("href", "src"):
                url = html.unescape(value)
                assert not _BAD_URL.match(url), match[0]
                scheme = _SCHEME.match(url)
                assert scheme is None or scheme[1].lower() in ("https", "mailto"), match[0]
                assert not url.startswith("//"), match[0]
    if "<img" in output:
        assert "![" in source  # only Markdown image syntax makes an image
        assert len(_IMG.findall(output)) == output.count("<img"), output


_HTMLISH = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//x>", "<img src=x onerror=alert(1)>", "<IMG SRC=x>",
    "<svg/onload=alert(1)>", "<iframe src=javascript:alert(1)>", "<a href=\"javascript:alert(1)\">x</a>",
    "<style>*{}</style>", "<!-- c -->", "<![CDATA[x]]>", "<?php ?>", "</p>", "<p onclick=x>",
    "[l](javascript:alert(1))", "[l](JaVaScRiPt:alert(1))", "[l](java&#115;cript:alert(1))",
    "[l](vbscript:x)", "[l](file:///etc/passwd)", "[l](http://x)", "<http://x>", "[l](//x/y)",
    "[l](ftp://x)", "[l](https://x)", "<mailto:a@b.c>", "<a@b.c>", "[l](#x)", "![i](../../x)",
    "![i](%00)", "![i](%2e%2e/x)", "![i](/etc/passwd)", "![i](data:image/png;base64,AA)", "[l](<a b>)",
    "![i](x.png \"t\\\" onerror=\\\"x\")",
    "![i](javascript:alert(1))", "![<img src=x>](y)", "[r]: javascript:x\n", "[r]\n",
    "<http://x.y/?<script>>", "<javascript:alert(1)>", "`<script>`", "```\n<script>\n```\n",
    "```js\" onerror=\"x\n", "    <img src=x>\n", "&lt;script&gt;", "&#60;script&#62;", "<", ">",
    "\"", "'", "&", "\n", "\n\n", "# ", "> ", "- ", "1. ", "| a | b |\n|---|---|\n| <img> | c |\n",
    "*", "_", "**", "[", "]", "(", ")", "!", "\\", "\x00",
]

htmlish = st.lists(st.one_of(st.sampled_from(_HTMLISH), st.text(max_size=5)), max_size=30).map("".join)


def render_or_error(render: Any, text: str, *args: Any) -> str | None:
    """Render; only a BriefsError may escape (markdown rendering should not raise at all)."""
    try:
        return str(render(text, *args))
    except BriefsError:
        return None


@SETTINGS
@given(st.text(), st.integers(min_value=1, max_value=6))
def test_render_block_on_arbitrary_text(text: str, heading_base: int) -> None:
    output = render_or_error(render_block, text, heading_base)
    if output is not None:
        assert_safe_html(text, output)


@SETTINGS
@given(htmlish, st.integers(min_value=1, max_value=6))
def test_render_block_escapes_html(text: str, heading_base: int) -> None:
    output = render_or_error(render_block, text, heading_base)
    assert output is not None
    assert_safe_html(text, output)


@SETTINGS
@given(st.one_of(htmlish, st.text()))
def test_render_inline_escapes_html(text: str) -> None:
    output = render_or_error(render_inline, text)
    assert output is not None
    assert_safe_html(text, output)
    assert "<p>" not in output


@SETTINGS
@given(st.integers(min_value=1, max_value=6), st.integers(min_value=1, max_value=6))
def test_render_block_shifts_headings(level: int, heading_base: int) -> None:
    output = str(render_block("#" * level + " Heading\n", heading_base))
    expected = min(6, level + heading_base - 1)
    assert output == f'<h{expected} id="md-heading">Heading</h{expected}>\n'


_HEADINGS = ["# ", "## ", "### ", "Cost", "cost", "成本", " ", "-", "-2", "2", "😀", "\ue000", "`c`",
             "**b**", "[l](#x)", "<x>", "&amp;", "x" * 70, "\n", "\n\n", "Heading", "\t", "_", "Ａ"]


@SETTINGS
@given(st.lists(st.lists(st.one_of(st.sampled_from(_HEADINGS), st.text(max_size=4)), max_size=20)
                .map("".join), max_size=5))
def test_heading_ids_are_prefixed_and_unique_across_a_document(texts: list[str]) -> None:
    ids = HeadingIds()
    found: list[str] = []
    for text in texts:
        output = str(render_block(text, ids=ids))
        assert_safe_html(text, output)
        found += re.findall(r'<h[1-6] id="([^"]*)"', output)
    assert len(found) == len(set(found)), found
    assert all(re.fullmatch(r"md-[\w-]{1,70}", i) for i in found), found
    again = HeadingIds()   # the same texts give the same ids
    assert found == [i for t in texts for i in re.findall(r'<h[1-6] id="([^"]*)"', str(render_block(t, ids=again)))]


_LINKISH = [*_HTMLISH, "![i](", "[l](", ")", "%", "%00", "%2e", "%2F", "..", "/", "a.png", "x" * 300,
            "https://", "mailto:", "#", "\n", "\n\n", "> ", "| a |\n|---|\n| "]
linkish = st.lists(st.one_of(st.sampled_from(_LINKISH), st.text(max_size=4)), max_size=40).map("".join)


@SETTINGS
@given(st.one_of(linkish, st.text()))
def test_link_check_only_reports_located_problems(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    folder = tmp_path_factory.getbasetemp() / "linkcheck"
    folder.mkdir(exist_ok=True)
    (folder / "a.png").write_bytes(b"")
    lines = text.count("\n") + len(re.findall("\r(?!\n)", text)) + 1
    for link in links(text):
        assert 0 <= link.line < lines
    diags = Diagnostics()
    origin = SourceLocation(folder / "x.md", 10, 1)
    check_markdown(MarkdownSource(text, origin), diags, {"x"}, folder)
    for diagnostic in diags:
        assert diagnostic.severity == "error" and diagnostic.location.path == origin.path
        assert 10 <= diagnostic.location.line < 10 + lines
        assert diagnostic.message.isprintable()


# ----------------------------------------------------------------------------- glyphs


@SETTINGS
@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF)))
def test_every_character_is_described(text: str) -> None:
    from briefs.checks.glyphs import describe

    for char in set(text):
        shown = describe(char)
        assert re.fullmatch(r"U\+[0-9A-F]{4,6} \S.*", shown) and shown.isprintable(), shown
