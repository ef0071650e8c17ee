"""The DRAFT mark as drawn outlines: a picture of the word, so no PDF reader extracts it as text.

WeasyPrint sets the mark (``.draft-mark`` in brief.html) as text; pdftotext and pypdf then read
"DRAFT" or "稿" in the middle of the paragraphs it crosses, whatever tag it carries. Here the
word is shaped with HarfBuzz in the font the page would use (found through fontconfig, as
WeasyPrint finds it), its glyphs are drawn as SVG paths with fontTools, and the result is a CSS
``background-image`` of the mark's box, sized to the text run it replaces (the font's ascent plus
descent high, the advances plus letter spacing wide, centred as the line was). WeasyPrint paints
backgrounds inside ``/Artifact`` marked content, so the mark is page furniture, and the hidden
text left in the box keeps the box's size. On screen the mark is not shown (screen.css).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from functools import lru_cache
from urllib.parse import quote

import uharfbuzz as hb
from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.ttLib import TTFont

SIZE_PT = 96.0  # .draft-mark's font-size in brief.css
SPACING_EM = 0.15  # .draft-mark's letter-spacing in brief.css
COLOUR = "rgb(180,35,24)"  # .draft-mark's colour, its alpha as fill-opacity
OPACITY = 0.11


@lru_cache(maxsize=8)
def _font_file(family: str) -> tuple[str, int] | None:
    """The bold face of ``family`` fontconfig picks (file, index in a collection), or None."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    out = subprocess.run(
        [fc_match, "-f", "%{file}\t%{index}", f"{family}:weight=bold"], capture_output=True, text=True, check=False
    ).stdout
    path, _, index = out.partition("\t")
    return (path, int(index or 0)) if path else None


@lru_cache(maxsize=8)
def draft_mark_css(text: str, family: str) -> str:
    """CSS declarations drawing ``text`` as outlines in the bold ``family`` (empty if no font)."""
    found = _font_file(family)
    if found is None or not text:
        return ""
    path, index = found
    with open(path, "rb") as handle:
        data = handle.read()
    face = hb.Face(hb.Blob(data), index)
    font = hb.Font(face)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(font, buf)
    upem = face.upem
    extents = font.get_font_extents("ltr")
    ascent, descent = extents.ascender, -extents.descender
    spacing = SPACING_EM * upem
    outlines = TTFont(io.BytesIO(data), fontNumber=index, lazy=True)
    glyphs = outlines.getGlyphSet()
    parts: list[str] = []
    x = 0.0  # Pango adds the letter spacing after each glyph, the last one too
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
        pen = SVGPathPen(glyphs)
        glyphs[outlines.getGlyphName(info.codepoint)].draw(pen)
        commands = pen.getCommands()
        if commands:
            parts.append(
                f'<path transform="translate({x + pos.x_offset:g} {ascent - pos.y_offset:g}) scale(1 -1)" '
                f'd="{commands}"/>'
            )
        x += pos.x_advance + spacing
    width, height = x, ascent + descent
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}" height="{height:g}"><g fill="{COLOUR}" fill-opacity="{OPACITY}">'
        + "".join(parts)
        + "</g></svg>"
    )
    scale = SIZE_PT / upem
    return (
        f'background: url("data:image/svg+xml,{quote(svg)}") no-repeat center / '
        f"{width * scale:.3f}pt {height * scale:.3f}pt;"
    )
