"""Stage 5b: repack the CJK fonts WeasyPrint embedded, so a page costs tens of KB, not hundreds.

WeasyPrint subsets fonts but keeps every glyph id up to the highest one used
(``HB_SUBSET_FLAGS_RETAIN_GIDS``): its content streams write glyph ids as CIDs. Noto Sans CJK
has 65,535 glyphs and Chinese punctuation sits near the end, so each embedded subset still
carries ~63,000 empty glyphs with their metrics (≈ 200 KB per font after compression).

Here each such font is subset again with HarfBuzz (uharfbuzz) to only the glyphs used, in
their original order, and renamed so that CID = glyph index (an identity charset, which every
viewer reads the same way: Acrobat through the charset, Poppler, MuPDF and PDFium by index).
The codes in the content streams (pages and forms), ``/W`` and ``/ToUnicode`` are renumbered to
match, so the fonts keep the plain ``Identity-H`` encoding every PDF reader and text
extractor understands. (An embedded CMap from old to new codes would have spared the
content rewrite, but pypdf-based extractors then read the text as garbage.)

A font this does not recognise (TrueType, a custom encoding, a subset that fails) is left as
WeasyPrint wrote it.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Collection, Iterable

import pikepdf
import uharfbuzz as hb
from fontTools.ttLib import TTFont

# Tables a PDF viewer never reads from an embedded CIDFontType0 program.
_DROP_TABLES = ("BASE", "DSIG", "GPOS", "GSUB", "JSTF", "VORG", "vhea", "vmtx", "cmap", "name")
_CMAP_NAME = "Briefs-Repacked"


def _widths(w: pikepdf.Object) -> dict[int, object]:
    """A CIDFont ``/W`` array (``c [w1 w2 …]`` and ``c_first c_last w``) as {cid: width}."""
    out: dict[int, object] = {}
    items = list(w)
    i = 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], pikepdf.Array):
            out.update((first + k, v) for k, v in enumerate(items[i + 1]))
            i += 2
        else:
            out.update((c, items[i + 2]) for c in range(first, int(items[i + 1]) + 1))
            i += 3
    return out


def subset_input(glyphs: Iterable[int], extra: hb.SubsetFlags = hb.SubsetFlags.DEFAULT) -> hb.SubsetInput:
    """HarfBuzz's request for a font cut to ``glyphs`` as a PDF embeds it: the layout, vertical,
    cmap and name tables dropped, no hinting, subroutines expanded, .notdef kept (plus ``extra``)."""
    spec = hb.SubsetInput()
    for gid in glyphs:
        spec.glyph_set.add(gid)
    drop = spec.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for tag in _DROP_TABLES:
        drop.add(int.from_bytes(tag.encode("ascii"), "big"))
    spec.flags = hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE | extra
    return spec


def _subset(program: bytes, cids: list[int]) -> bytes | None:
    """``program`` reduced to ``cids`` (sorted, with 0) as glyphs 0…n-1 with CID = glyph index."""
    face = hb.Face(program)
    spec = subset_input(cids)
    try:
        result = hb.subset(face, spec)
    except RuntimeError:  # HarfBuzz could not read the program
        return None
    font = TTFont(io.BytesIO(bytes(result.blob.data)), recalcBBoxes=False, recalcTimestamp=False)
    if "CFF " not in font or len(font.getGlyphOrder()) != len(cids):
        return None
    top = font["CFF "].cff.topDictIndex[0]
    if not hasattr(top, "ROS"):  # name-keyed CFF: glyph index is already what viewers use
        return None
    # keys(): a TTFont has no __iter__. Decompile everything before the glyph names change.
    for tag in font.keys():  # noqa: SIM118
        font[tag]
    names = [".notdef"] + [f"cid{i:05d}" for i in range(1, len(cids))]
    rename = dict(zip(font.getGlyphOrder(), names, strict=True))  # same length: checked above
    charstrings = top.CharStrings
    charstrings.charStrings = {rename[k]: v for k, v in charstrings.charStrings.items()}
    top.charset = names
    font["hmtx"].metrics = {rename[k]: v for k, v in font["hmtx"].metrics.items()}
    font.setGlyphOrder(names)
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()


def _repackable(pdf: pikepdf.Pdf) -> dict[tuple[int, int], list[pikepdf.Dictionary]]:
    """Type 0 fonts with Identity-H and an OpenType (CFF) program, grouped by that program."""
    groups: dict[tuple[int, int], list[pikepdf.Dictionary]] = {}
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Subtype") != "/Type0":
            continue
        if obj.get("/Encoding") != "/Identity-H" or "/DescendantFonts" not in obj:
            continue
        cid_font = obj.DescendantFonts[0]
        program = cid_font.FontDescriptor.get("/FontFile3")
        if program is None or program.stream_dict.get("/Subtype") != "/OpenType":
            continue
        groups.setdefault(program.objgen, []).append(obj)
    return groups


def _repack_group(fonts: list[pikepdf.Dictionary]) -> dict[int, int] | None:
    """Subset the program the ``fonts`` share; returns old glyph id → new, or None if left alone."""
    widths = [_widths(f.DescendantFonts[0].get("/W", pikepdf.Array())) for f in fonts]
    cids = sorted({0}.union(*widths))
    program = fonts[0].DescendantFonts[0].FontDescriptor.FontFile3
    packed = _subset(program.read_bytes(), cids)
    if packed is None:
        return None
    new_gid = {cid: index for index, cid in enumerate(cids)}
    program.write(zlib.compress(packed, 9), filter=pikepdf.Name.FlateDecode)
    for font, font_widths in zip(fonts, widths, strict=True):  # one widths list per font
        w = pikepdf.Array()
        run = pikepdf.Array()
        previous = -2
        for cid in sorted(font_widths):  # runs of consecutive CIDs: c [w1 w2 …]
            if new_gid[cid] != previous + 1:
                run = pikepdf.Array()
                w.append(new_gid[cid])
                w.append(run)
            run.append(font_widths[cid])
            previous = new_gid[cid]
        font.DescendantFonts[0].W = w
        font.ToUnicode.write(_renumber_to_unicode(font.ToUnicode.read_bytes(), new_gid))
    return new_gid


_BFCHAR = re.compile(rb"(beginbfchar)(.*?)(endbfchar)", re.S)
_BFCHAR_PAIR = re.compile(rb"<([0-9a-fA-F]{4})>(\s*<[0-9a-fA-F]*>)")


def _renumber_to_unicode(cmap: bytes, new_gid: dict[int, int]) -> bytes:
    """The ``bfchar`` entries of a ToUnicode CMap with their codes renumbered."""

    def entries(match: re.Match[bytes]) -> bytes:
        body = _BFCHAR_PAIR.sub(lambda m: b"<%04x>%s" % (new_gid.get(int(m[1], 16), 0), m[2]), match[2])
        return match[1] + body + match[3]

    return _BFCHAR.sub(entries, cmap)


def _renumber(text: bytes, new_gid: dict[int, int]) -> bytes:
    codes = (int.from_bytes(text[i : i + 2], "big") for i in range(0, len(text) - 1, 2))
    return b"".join(new_gid.get(code, 0).to_bytes(2, "big") for code in codes)


_SHOW = {"Tj", "'", '"', "TJ"}

# How WeasyPrint writes text: BT … /F1 9.5 Tf … [<0041>12<0042>] TJ … ET, hex strings only.
_TEXT_TOKEN = re.compile(rb"(?<![^\s])(BT)(?=\s)|/([^\s/\[\]<>()]+)\s+[-+\d.]+\s+Tf(?=\s)|\[([^\]]*)\]\s*TJ")
_HEX = re.compile(rb"<([0-9a-fA-F]*)>")


def _rewrite_weasyprint_text(data: bytes, font_maps: dict[str, dict[int, int] | None]) -> bytes | None:
    """The fast path of :func:`_rewrite_content` for text as WeasyPrint writes it (a regular
    expression instead of a parse, ~5x faster); None for anything else, which takes the parser."""
    if b"(" in data or b"Tj" in data or b"'" in data or b'"' in data:
        return None
    out, last, current, font_set = [], 0, None, False
    for match in _TEXT_TOKEN.finditer(data):
        if match[1]:
            current, font_set = None, False
        elif match[2] is not None:
            current, font_set = font_maps.get("/" + match[2].decode("latin-1")), True
        elif not font_set:
            return None  # a TJ whose font was set outside its BT block: let the parser track it
        elif current is not None:
            table = current

            def hex_codes(m: re.Match[bytes], table: dict[int, int] = table) -> bytes:
                codes = bytes.fromhex(m[1].decode("ascii"))
                return b"<%s>" % b"".join(
                    b"%04x" % table.get(int.from_bytes(codes[i : i + 2], "big"), 0) for i in range(0, len(codes) - 1, 2)
                )

            out += [data[last : match.start(3)], _HEX.sub(hex_codes, match[3])]
            last = match.end(3)
    out.append(data[last:])
    return b"".join(out)


def _rewrite_content(
    resources: pikepdf.Object,
    content: pikepdf.Object,
    maps: dict[tuple[int, int], dict[int, int]],
    seen: set[tuple[int, int]],
) -> None:
    """Renumber the glyph codes ``content`` shows with repacked fonts, and in the forms it uses."""
    for xobject in resources.get("/XObject", pikepdf.Dictionary()).values():
        if xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
            seen.add(xobject.objgen)
            _rewrite_content(xobject.get("/Resources", resources), xobject, maps, seen)
    fonts = resources.get("/Font", pikepdf.Dictionary())
    font_maps = {name: maps.get(font.objgen) for name, font in fonts.items()}
    if not any(font_maps.values()):
        return
    data = content.read_bytes()
    fast = _rewrite_weasyprint_text(data, font_maps)
    if fast is not None:
        content.write(fast)
        return
    current: dict[int, int] | None = None
    stack: list[dict[int, int] | None] = []  # the font is graphics state: q/Q save and restore it
    instructions: list[tuple[Collection[pikepdf.Object], pikepdf.Operator]] = []
    for instruction in pikepdf.parse_content_stream(content):
        operands: Collection[pikepdf.Object] = instruction.operands
        operator = instruction.operator
        op = str(operator)
        if op == "q":
            stack.append(current)
        elif op == "Q" and stack:
            current = stack.pop()
        elif op == "Tf":
            current = font_maps.get(str(instruction.operands[0]))
        elif op in _SHOW and current is not None:
            shown = list(instruction.operands)
            if op == "TJ":
                shown[0] = pikepdf.Array(
                    [
                        pikepdf.String(_renumber(bytes(x), current)) if isinstance(x, pikepdf.String) else x
                        for x in shown[0]
                    ]
                )
            else:
                shown[-1] = pikepdf.String(_renumber(bytes(shown[-1]), current))
            operands = shown
        instructions.append((operands, operator))
    content.write(pikepdf.unparse_content_stream(instructions))


def repack(pdf: pikepdf.Pdf) -> bool:
    """Repack the open ``pdf``'s CJK fonts in place (see module doc); whether anything changed."""
    maps: dict[tuple[int, int], dict[int, int]] = {}
    for fonts in _repackable(pdf).values():
        new_gid = _repack_group(fonts)
        if new_gid is not None:
            maps.update((font.objgen, new_gid) for font in fonts)
    if not maps:
        return False
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        page.contents_coalesce()
        _rewrite_content(page.obj.get("/Resources", pikepdf.Dictionary()), page.obj.Contents, maps, seen)
    return True


def save(pdf: pikepdf.Pdf) -> bytes:
    """The bytes of ``pdf``, compressed, with an /ID computed from the content (reproducible)."""
    out = io.BytesIO()
    pdf.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate, deterministic_id=True)
    return out.getvalue()


def repack_fonts(data: bytes) -> bytes:
    """The PDF ``data`` with its CJK font programs reduced to the glyphs used (see module doc)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return save(pdf) if repack(pdf) else data
