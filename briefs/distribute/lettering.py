"""The recipient's stamp drawn as PDF objects: one line of text, shaped and subset, no layout engine.

The line ("Prepared for NAME, ORG. Not for onward distribution." in the edition's wording from
the theme's catalog) is set in the edition's sans family (:data:`briefs.render.fonts.FONTS`), at
6.5 pt in #8a939c, centred at the foot of the page with its baseline 6 mm plus the font's descent
above the bottom edge: where the margin box of the former WeasyPrint stamp put it.

Each worker loads a face once (the file fontconfig names for the family, as for WeasyPrint).
Per recipient, HarfBuzz shapes the line (about 10 µs) and cuts the face down to the line's
glyphs with an identity charset (CID = glyph index, as :mod:`briefs.render.fontpack` makes it;
for Noto Sans CJK about 6 ms, 0.4 ms once the face is preprocessed: see :attr:`Face.subsetter`); the PDF font
carries ``/W`` from the same advances and a ``/ToUnicode`` map from HarfBuzz's clusters, so text
extraction reads the line exactly. The line is put in Unicode's composed form (NFC) first.

A character the family has no glyph for (Ł, Ő, Č in Noto Sans CJK) is set in a fallback face
(:mod:`briefs.distribute.faces`), a second font of the stamp. A character nothing can print is
refused with the list, at its line, before anything is sent; one that reaches :func:`letter`
anyway raises :class:`Unprintable`, which stops the run with that reason: never an empty box.
"""

from __future__ import annotations

import hashlib
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

import uharfbuzz as hb

from briefs.distribute.faces import Face, face_of, faces
from briefs.errors import RenderError
from briefs.render.fontpack import subset_input

SIZE = 6.5  # points
COLOUR = b"0.541176 0.576471 0.611765 rg"  # #8a939c
FOOT = 6 * 72 / 25.4  # the line's box sits 6 mm above the page's bottom edge


class StampError(ValueError):
    """Why a recipient's copy cannot be made; reported as the reason the run stopped."""


class Unprintable(StampError):
    """A stamp asked for a character its font cannot draw (the list's check was bypassed)."""


@dataclass(frozen=True)
class FontObjects:
    """One font of a stamp as PDF objects, with placeholders (``{cid}``, ``{tounicode}``,
    ``{descriptor}``, ``{program}``) for the references :mod:`briefs.distribute.increment` fills in."""

    font: bytes
    cid_font: bytes
    descriptor: bytes
    program: bytes  # the font program's stream, compressed
    to_unicode: bytes


@dataclass(frozen=True)
class Lettering:
    """A recipient's stamp line as PDF material, positioned relative to the page's bottom centre:
    the form's content (text shown with fonts ``/F0``, ``/F1`` …), its bounding box, the fonts."""

    content: bytes
    bbox: tuple[float, float, float, float]
    fonts: tuple[FontObjects, ...]


def letter(text: str, family: str, lang: str) -> Lettering:
    """``text`` set in ``family`` (and its fallbacks) as a :class:`Lettering`; the same text gives
    the same bytes."""
    text = unicodedata.normalize("NFC", text)
    chosen = faces(family, text)
    if isinstance(chosen, str):
        raise Unprintable(chosen)
    primary = face_of(family)
    used = list(dict.fromkeys([primary, *chosen]))
    shaped = _shape(used, chosen, text, lang)
    # The characters each glyph stands for: its cluster's text, given to the first glyph of it.
    starts = [*sorted({g[2] for g in shaped}), len(text)]
    following = {start: starts[i + 1] for i, start in enumerate(starts[:-1])}
    # Each face cut down to its glyphs (and any a composite glyph is built from): the subset's
    # glyph index is the CID the content shows, its advance the width /W gives.
    subsets = [_subset(face, {0} | {g[1] for g in shaped if g[0] == k}) for k, face in enumerate(used)]
    cid = [mapping for _, mapping in subsets]
    widths = [
        [
            round(face.font.get_glyph_h_advance(old) * 1000 / face.upem)
            for old in sorted(mapping, key=mapping.__getitem__)
        ]
        for face, mapping in zip(used, cid, strict=True)
    ]
    unicode: list[dict[int, str]] = [{} for _ in used]
    seen: set[int] = set()
    for k, gid, cluster, *_ in shaped:
        if cluster not in seen:
            seen.add(cluster)
            unicode[k].setdefault(cid[k][gid], text[cluster : following[cluster]])
    show, width = _shown(shaped, used, cid, widths)
    line_width = width / 1000 * SIZE
    baseline = FOOT + primary.descent / primary.upem * SIZE
    x0 = -line_width / 2
    content = b"q %s BT %s %s Td %s ET Q" % (COLOUR, pdf_number(x0), pdf_number(baseline), show)
    fonts = tuple(
        _font_objects(face, program, sorted(mapping), w, u)
        for face, (program, mapping), w, u in zip(used, subsets, widths, unicode, strict=True)
    )
    bbox = (x0 - SIZE, baseline - SIZE, -x0 + SIZE, baseline + 1.5 * SIZE)
    return Lettering(content, bbox, fonts)


def _font_objects(
    face: Face, subset: bytes, glyphs: list[int], widths: list[int], unicode: dict[int, str]
) -> FontObjects:
    scale = 1000 / face.upem
    extents = [face.font.get_glyph_extents(gid) for gid in glyphs if gid]
    box = [
        min((e.x_bearing for e in extents), default=0),
        min([-face.descent, *(e.y_bearing + e.height for e in extents)]),
        max((e.x_bearing + e.width for e in extents), default=0),
        max([face.ascent, *(e.y_bearing for e in extents)]),
    ]
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(subset).digest()[:6])
    base_font = f"/{tag}+{face.postscript}".encode("ascii")
    kind, file_key, program = (
        (b"/CIDFontType0", b"/FontFile3", _stream(b"/Subtype /OpenType", subset))
        if face.cff
        else (b"/CIDFontType2 /CIDToGIDMap /Identity", b"/FontFile2", _stream(b"/Length1 %d" % len(subset), subset))
    )
    return FontObjects(
        font=b"<< /Type /Font /Subtype /Type0 /BaseFont %s /Encoding /Identity-H /DescendantFonts [ {cid} ]"
        b" /ToUnicode {tounicode} >>" % base_font,
        cid_font=b"<< /Type /Font /Subtype %s /BaseFont %s /CIDSystemInfo << /Registry (Adobe)"
        b" /Ordering (Identity) /Supplement 0 >> /FontDescriptor {descriptor} /DW 1000 /W [ 0 [ %s ] ] >>"
        % (kind, base_font, b" ".join(b"%d" % w for w in widths)),
        descriptor=b"<< /Type /FontDescriptor /FontName %s /Flags 4 /FontBBox [ %s ] /ItalicAngle 0 /Ascent %d"
        b" /Descent %d /CapHeight %d /StemV 80 %s {program} >>"
        % (
            base_font,
            b" ".join(pdf_number(v * scale) for v in box),
            round(face.ascent * scale),
            -round(face.descent * scale),
            round(face.ascent * scale),
            file_key,
        ),
        program=program,
        to_unicode=_stream(b"", _cmap(unicode)),
    )


def _runs(text: str, chosen: list[Face]) -> list[tuple[int, str]]:
    """``text`` cut where its face changes, or where it changes between wide (CJK) and other
    characters, as a layout engine itemizes it by script: each run is shaped with its script's
    features (Latin kerning). A space stays in the run it follows."""
    starts: list[int] = []
    last: tuple[Face, bool] | None = None
    for index, char in enumerate(text):
        key = (chosen[index], unicodedata.east_asian_width(char) in ("W", "F"))
        if last is not None and (key == last or (key[0] is last[0] and unicodedata.category(char)[0] in "ZM")):
            continue
        starts.append(index)
        last = key
    ends = [*starts[1:], len(text)]
    return [(start, text[start:end]) for start, end in zip(starts, ends, strict=True)]


# which face (an index into the faces used), glyph id, cluster (index in the text), x advance,
# x offset, y offset (in that face's units)
Glyph = tuple[int, int, int, int, int, int]


def _shape(used: list[Face], chosen: list[Face], text: str, lang: str) -> list[Glyph]:
    """HarfBuzz's glyphs for ``text``, run by run, left to right."""
    glyphs: list[Glyph] = []
    for start, run in _runs(text, chosen):
        face = chosen[start]
        buffer = hb.Buffer()
        buffer.add_str(run)
        buffer.guess_segment_properties()
        buffer.direction, buffer.language = "ltr", lang
        buffer.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
        hb.shape(face.font, buffer, {})
        k = used.index(face)
        glyphs += [
            (k, info.codepoint, start + info.cluster, pos.x_advance, pos.x_offset, pos.y_offset)
            for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True)
        ]
    return glyphs


def _shown(
    shaped: list[Glyph], used: list[Face], cid: list[dict[int, int]], widths: list[list[int]]
) -> tuple[bytes, float]:
    """The text operations showing the shaped glyphs: a ``Tf`` where the font changes, a text
    rise (``Ts``) for marks set above or below the line, ``TJ`` arrays with the kerning; and the
    line's advance in thousandths of an em."""
    out: list[bytes] = []
    items: list[bytes] = []
    font, rise = -1, 0
    pen = 0.0  # where HarfBuzz puts the next glyph, in thousandths of an em
    at = 0.0  # where the text position is after the last glyph shown
    for k, gid, _cluster, x_advance, x_offset, y_offset in shaped:
        scale = 1000 / used[k].upem
        code = cid[k][gid]
        wanted_rise = round(y_offset * scale)
        if k != font or wanted_rise != rise:
            if items:
                out.append(b"[ %s ] TJ" % b" ".join(items))
                items = []
            if k != font:
                out.append(b"/F%d %s Tf" % (k, pdf_number(SIZE)))
            if wanted_rise != rise:
                out.append(b"%s Ts" % pdf_number(wanted_rise / 1000 * SIZE))
            font, rise = k, wanted_rise
        x = pen + x_offset * scale
        if abs(x - at) > 0.05:
            items.append(pdf_number(at - x))
        items.append(b"<%04x>" % code)
        at = x + widths[k][code]
        pen += x_advance * scale
    if items:
        out.append(b"[ %s ] TJ" % b" ".join(items))
    if rise:
        out.append(b"0 Ts")
    return b" ".join(out), pen


def _subset(face: Face, glyphs: set[int]) -> tuple[bytes, dict[int, int]]:
    """The font cut down to ``glyphs`` (with the glyphs composite ones are made of), renumbered
    0…n-1 in their order with CID = glyph index; and each old glyph id's new one."""
    spec = subset_input(glyphs, hb.SubsetFlags.CFF_IDENTITY_CHARSET)
    plan = hb.SubsetPlan(face.subsetter, spec)
    result = plan.execute()
    mapping = dict(plan.old_to_new_glyph_mapping.items())
    if result is None or result.glyph_count != len(mapping) or not {"CFF ", "glyf"} & set(result.table_tags):
        raise RenderError.at(Path("fonts"), 0, 0, f"the stamp's font ({face.family}) could not be subset")
    return bytes(result.blob.data), mapping


def _cmap(unicode: dict[int, str]) -> bytes:
    """A ToUnicode CMap: each code (a CID) to the characters it stands for."""
    pairs = sorted(unicode.items())
    blocks = [
        b"%d beginbfchar\n%s\nendbfchar"
        % (
            len(chunk),
            b"\n".join(b"<%04x> <%s>" % (code, text.encode("utf-16-be").hex().encode("ascii")) for code, text in chunk),
        )
        for chunk in (pairs[i : i + 100] for i in range(0, len(pairs), 100))
    ]
    return (
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe)"
        b" /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        b"1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n%s\nendcmap\n"
        b"CMapName currentdict /CMap defineresource pop\nend\nend" % b"\n".join(blocks)
    )


def _stream(entries: bytes, data: bytes) -> bytes:
    packed = zlib.compress(data, 6)
    return b"<< %s /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (entries, len(packed), packed)


def pdf_number(value: float) -> bytes:
    """A PDF number: at most six decimals, no exponent, no trailing zeros."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return (text if text not in ("-0", "") else "0").encode("ascii")
