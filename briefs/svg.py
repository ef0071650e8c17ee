"""The check of an SVG picture (see :mod:`briefs.exhibits.images` for the rules): parsed by lxml with
entities left unresolved, no DTD and no network, refused when anything in it could run, fetch or
expand, and re-serialised from the checked tree (:func:`checked_svg`).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Iterator
from typing import Any

from briefs.exhibits.image_errors import MAX_IMAGE_PIXELS, ImageRefused

MAX_SVG_ELEMENTS = 20_000  # a detailed chart has a few thousand
MAX_SVG_DRAWN = 5 * MAX_SVG_ELEMENTS  # elements drawn once <use> and url(#id) are followed (see _check_drawn)

SVG_NS = "http://www.w3.org/2000/svg"
# Editors' metadata (Inkscape, Sodipodi, RDF, Dublin Core, Creative Commons): no behaviour anywhere.
METADATA_NS = frozenset(
    {
        "http://www.inkscape.org/namespaces/inkscape",
        "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://purl.org/dc/elements/1.1/",
        "http://creativecommons.org/ns#",
        "http://web.resource.org/cc/",
    }
)
SCRIPT_ELEMENTS = frozenset({"script", "handler", "listener"})
ANIMATIONS = frozenset({"animate", "set", "animateMotion", "animateTransform", "animateColor", "discard"})
REFERENCE_ATTRIBUTES = frozenset({"href", "src", "srcset", "ping"})
_CSS_URL_FUNCTIONS = frozenset(
    {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade", "-webkit-cross-fade"}
)
_UNITS = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "q": 96 / 101.6}
_LENGTH = re.compile(r"\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([a-zA-Z%]*)\s*$")


def checked_svg(data: bytes) -> bytes:
    from lxml import etree

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImageRefused("is not UTF-8 text", data.count(b"\n", 0, exc.start) + 1, "save the SVG as UTF-8") from None
    # The one DOCTYPE allowed is the W3C's public one that matplotlib and Illustrator write: no
    # internal subset, so no entity, and never loaded. Checked on the text before parsing (the
    # parser reads the bytes as UTF-8 whatever they declare, so the text is what it parses).
    for found in re.finditer("<!DOCTYPE", text):
        if not _W3C_DOCTYPE.match(text, found.start()):
            raise ImageRefused(
                "has a <!DOCTYPE …> of its own",
                text.count("\n", 0, found.start()) + 1,
                "delete it; an SVG picture needs none, and may not define entities",
            )
    parser = etree.XMLParser(
        encoding="utf-8",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=False,
        strip_cdata=True,
        recover=False,
    )
    # (not collect_ids=False: libxml2 would then load an external DTD)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        message = re.sub(r", line \d+, column \d+$", "", exc.msg or "")
        raise ImageRefused("is not a well-formed SVG file", exc.lineno or None, message) from None
    except (ValueError, etree.LxmlError) as exc:
        raise ImageRefused("is not a well-formed SVG file", None, str(exc)) from None
    tree = root.getroottree()
    for sibling in [*root.itersiblings(preceding=True), *root.itersiblings()]:
        _refuse_node(sibling)
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ImageRefused("is not an SVG picture", root.sourceline, f'its root element must be <svg xmlns="{SVG_NS}">')
    _check_size(root)
    for count, node in enumerate(root.iter(), start=1):
        if count > MAX_SVG_ELEMENTS:
            raise ImageRefused(f"has more than {MAX_SVG_ELEMENTS:,} elements", None, "simplify it, or show a PNG")
        _check_node(node)
    _check_drawn(root)
    checked: bytes = etree.tostring(tree, encoding="UTF-8", xml_declaration=True)  # lxml is untyped here
    return checked


def _check_drawn(root: Any) -> None:
    """The elements a renderer draws, every reference to the picture's own parts followed: a
    ``<use href="#a">`` draws ``a`` again, ``fill="url(#p)"`` draws the pattern ``p``. Ten
    ``<use>`` of a group of ten ``<use>`` … nine levels deep is a hundred elements in the file and
    a billion drawn (a browser opening it hangs; the PDF renderer runs out of memory), so the
    count that matters is the drawn one, at most :data:`MAX_SVG_DRAWN`. What ``<defs>``,
    ``<symbol>``, a pattern, gradient, clip path, mask, marker or filter holds is drawn only
    where it is referred to. A part that leads back to itself is refused. Counted without
    recursion, each element once (twice for those containers: in place, and referred to)."""
    ids = {node.get("id"): node for node in root.iter() if isinstance(node.tag, str) and node.get("id")}
    styled = [
        ids[name]
        for node in root.iter(f"{{{SVG_NS}}}style")  # a <style> rule may apply
        for name in _own_parts(node.text or "")
        if name in ids
    ]  # them to any shape
    drawn: dict[tuple[Any, bool], int] = {}
    start = (root, False)
    open_: set[tuple[Any, bool]] = {start}  # being counted: from the root down to the current one
    stack = [(start, _parts_of(start, ids, styled), [0])]
    while stack:
        key, parts, done = stack[-1]
        if done[0] < len(parts):
            part, _, by_rule = parts[done[0]]
            done[0] += 1
            if part in open_ and by_rule:  # a rule's marker inside that marker: never drawn there
                parts[done[0] - 1] = (part, 0, True)
                continue
            if part in open_:
                raise ImageRefused(
                    f"has a part that leads back to itself (#{part[0].get('id') or '…'})",
                    part[0].sourceline,
                    "a <use> or url(#id) may not draw the element that holds it",
                )
            if part not in drawn:
                open_.add(part)
                stack.append((part, _parts_of(part, ids, styled), [0]))
            continue
        stack.pop()
        open_.discard(key)
        drawn[key] = min(1 + sum(drawn[p] * times for p, times, _ in parts if times), MAX_SVG_DRAWN + 1)
    if drawn[start] > MAX_SVG_DRAWN:
        raise ImageRefused(
            f"draws more than {MAX_SVG_DRAWN:,} elements once its references to "
            "its own parts (<use>, url(#id)) are followed",
            None,
            "simplify it, or show a PNG",
        )


# Their content is drawn only where they are referred to, never in place.
_DRAWN_BY_REFERENCE = frozenset(
    f"{{{SVG_NS}}}{name}"
    for name in (
        "defs",
        "symbol",
        "pattern",
        "linearGradient",
        "radialGradient",
        "clipPath",
        "mask",
        "marker",
        "filter",
    )
)


def _parts_of(
    key: tuple[Any, bool], ids: dict[str, Any], styled: list[Any]
) -> list[tuple[tuple[Any, bool], int, bool]]:
    """What drawing an element draws, each with how many times (``key``: the element, and whether
    it is drawn by being referred to): its child elements, unless it is drawn only by reference
    and is met in place, and the parts it refers to; a marker once per vertex of the shape
    (2,000 vertices with a marker of 100 rectangles kept the PDF renderer busy for 48 s). A shape
    also counts the parts a ``<style>`` element refers to, since a rule may apply them to it."""
    node, referred = key
    if node.tag in _DRAWN_BY_REFERENCE and not referred:
        return []
    parts = [((child, False), 1, False) for child in node if isinstance(child.tag, str)]
    by_rule = styled if node.tag in _SHAPES else []
    named: list[Any] = []
    for attribute, value in node.attrib.items():
        if attribute.rpartition("}")[2].lower() in REFERENCE_ATTRIBUTES:
            names = [value.strip()[1:]]  # (the check allowed only "#id" here)
        else:
            names = _own_parts(value)
        named += [ids[name] for name in names if name in ids]
    vertices = _vertices(node) if any(part.tag == _MARKER for part in (*named, *by_rule)) else 1
    return parts + [
        ((part, part.tag in _DRAWN_BY_REFERENCE), vertices if part.tag == _MARKER else 1, rule)
        for rule, found in ((False, named), (True, by_rule))
        for part in found
    ]


def _own_parts(text: str) -> list[str]:
    return [found[5:-1] for found in _OWN_PART.findall(text)]


_SHAPES = frozenset(
    f"{{{SVG_NS}}}{name}"
    for name in ("path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "use", "image")
)
_MARKER = f"{{{SVG_NS}}}marker"
_NUMBER = re.compile(r"[-+]?(?:\d*\.\d+|\d+\.?)(?:[eE][-+]?\d+)?")


def _vertices(node: Any) -> int:
    """How many vertices a shape may have (where markers are drawn): half the numbers of its path
    data or points, at least 2."""
    data = node.get("d") or node.get("points") or ""
    return max(2, len(_NUMBER.findall(data)) // 2 + 1)


_W3C_DOCTYPE = re.compile(
    r'<!DOCTYPE\s+svg\s+PUBLIC\s+"-//W3C//DTD SVG 1\.[01](?: Tiny| Basic)?//EN"'
    r'\s+"http://www\.w3\.org/Graphics/SVG/1\.[01]/DTD/svg[0-9a-z-]*\.dtd"\s*>'
)


def _refuse_node(node: Any) -> None:
    """Processing instructions (``<?xml-stylesheet?>`` runs XSLT in a browser) and entities."""
    from lxml import etree

    if isinstance(node, etree._ProcessingInstruction):
        raise ImageRefused(
            f"has a processing instruction <?{node.target} …?>",
            node.sourceline,
            "an SVG picture may not carry one (a browser would apply a style sheet)",
        )
    if isinstance(node, etree._Entity):
        raise ImageRefused(f"uses the entity {node.text}", node.sourceline, "an SVG picture may not use entities")


def _check_node(node: Any) -> None:
    from lxml import etree

    if not isinstance(node.tag, str):  # a processing instruction or entity inside the picture
        _refuse_node(node)
        return
    qname = etree.QName(node)
    line = node.sourceline
    if qname.namespace not in (SVG_NS, *METADATA_NS):
        raise ImageRefused(
            f"has a <{qname.localname}> element of '{qname.namespace or 'no namespace'}'",
            line,
            "an SVG picture may hold only SVG elements",
        )
    if qname.namespace == SVG_NS:
        if qname.localname in SCRIPT_ELEMENTS:
            raise ImageRefused(f"has a <{qname.localname}> element", line, "an SVG picture may not carry scripts")
        if qname.localname == "foreignObject":
            raise ImageRefused(
                "has a <foreignObject> element", line, "an SVG picture may not carry HTML or other foreign content"
            )
        if qname.localname in ANIMATIONS:
            target = node.get("attributeName", "").rpartition(":")[2].strip().lower()
            if target in REFERENCE_ATTRIBUTES or target.startswith("on") or target == "style":
                raise ImageRefused(
                    f"has an animation <{qname.localname}> of '{target}'",
                    line,
                    "an SVG picture may not animate a reference, handler or style",
                )
        if qname.localname == "style":
            if len(node):
                raise ImageRefused("has a <style> element with elements inside", line, "a style sheet is text only")
            _check_css(node.text or "", line)
    for attribute, value in node.attrib.items():
        local = etree.QName(attribute).localname.lower()
        if attribute == _XML_BASE:  # "#x" under xml:base="javascript:…//" is a script to old browsers
            raise ImageRefused(f"has xml:base='{_shown(value)}'", line, _ONLY_OWN_PARTS)
        if local.startswith("on"):
            raise ImageRefused(f"has an event handler {local}=", line, "an SVG picture may not carry scripts")
        if local in REFERENCE_ATTRIBUTES:
            if not value.strip().startswith("#"):
                raise ImageRefused(f"refers to '{_shown(value)}'", line, _ONLY_OWN_PARTS)
        elif _MAY_FETCH.search(_OWN_PART.sub("", value)):
            _check_css(value, line)


_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_ONLY_OWN_PARTS = (
    "an SVG picture may refer only to its own parts (#id), not to another file, a data: URL, a script or the network"
)


def _check_css(text: str, line: int | None) -> None:
    """CSS (a <style> element, a style or presentation attribute) may fetch nothing."""
    problem = _css_problem(text)
    if problem:
        raise ImageRefused(problem, line, _ONLY_OWN_PARTS)


@functools.lru_cache(maxsize=1024)  # an editor repeats the same values on thousands of elements
def _css_problem(text: str) -> str | None:
    import tinycss2

    for node in _css_nodes(tinycss2.parse_component_value_list(text, skip_comments=True), False):
        if node.type == "at-keyword" and node.lower_value == "import":
            return "has a CSS @import"
        if node.type == "error" and node.kind == "bad-url":
            return "has a malformed CSS url()"
        if node.type in ("url", "string") and not node.value.strip().startswith("#"):
            return f"refers to '{_shown(node.value)}' in CSS"
    return None


# What any value that could fetch must contain (a CSS escape may spell the rest), once the
# plain references to its own parts, url(#id), are set aside (they are most values that have one).
_MAY_FETCH = re.compile(r"url|image|src|fade|@|\\", re.IGNORECASE)
_OWN_PART = re.compile(r"url\(#[\w.:-]*\)")


def _css_nodes(nodes: Iterable[Any], in_url: bool) -> Iterator[Any]:
    """Every token, with strings yielded only where they name a resource (inside url() & co.)."""
    for node in nodes:
        kind = node.type
        if kind == "function":
            yield from _css_nodes(node.arguments, in_url or node.lower_name in _CSS_URL_FUNCTIONS)
        elif kind in ("() block", "[] block", "{} block"):
            yield from _css_nodes(node.content, in_url)
        elif kind != "string" or in_url:
            yield node


def _check_size(root: Any) -> None:
    """The picture's own size: width x height where both are absolute, else its viewBox's."""
    width, height = (_pixels(root.get(name)) for name in ("width", "height"))
    source = "width and height"
    if width is None or height is None:
        box = (root.get("viewBox") or "").replace(",", " ").split()
        try:
            width, height = (abs(float(v)) for v in box[2:4]) if len(box) == 4 else (None, None)
        except ValueError:
            width = height = None
        source = "viewBox"
    if width is None or height is None:
        return
    pixels = width * height
    if not math.isfinite(pixels) or pixels > MAX_IMAGE_PIXELS:
        shown = f"{_number(width)} x {_number(height)}" if math.isfinite(pixels) else "too many"
        raise ImageRefused(
            f"is {shown} pixels ({source})", root.sourceline, f"the limit is {MAX_IMAGE_PIXELS:,} pixels"
        )


def _number(value: float) -> str:
    return f"{value:.0f}" if value < 1e9 else f"{value:.3g}"  # 1e308, not 309 digits


def _pixels(value: str | None) -> float | None:
    """An absolute SVG length in CSS pixels; None for a missing, relative (%, em) or bad one."""
    match = _LENGTH.match(value or "")
    if not match or match.group(2).lower() not in _UNITS:
        return None
    return abs(float(match.group(1))) * _UNITS[match.group(2).lower()]


def _shown(value: str, limit: int = 60) -> str:
    text = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in value.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"
