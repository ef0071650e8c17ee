"""Font repacking (briefs.render.fontpack): small CJK fonts, same pixels, same text."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from briefs.render.fontpack import repack_fonts

from .conftest import LANGS, Built

pytestmark = pytest.mark.pdf


def _programs(path: Path) -> list[TTFont]:
    with pikepdf.open(path) as pdf:
        return [TTFont(io.BytesIO(obj.read_bytes())) for obj in pdf.objects
                if isinstance(obj, pikepdf.Stream) and obj.stream_dict.get("/Subtype") == "/OpenType"]


def _rasters(data: bytes, tmp: Path, name: str) -> list[bytes]:
    (tmp / f"{name}.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "40", "-gray", str(tmp / f"{name}.pdf"), str(tmp / name)], check=True)
    return [p.read_bytes() for p in sorted(tmp.glob(f"{name}-*.pgm"))]


def test_zh_pdfs_are_small_and_their_fonts_hold_only_used_glyphs(built: Built) -> None:
    for brief_id in built.briefs:
        for lang in (*LANGS, "zh-HK"):
            path = built.file(brief_id, lang, "pdf")
            pages = len(PdfReader(path).pages)
            fonts = _programs(path)
            assert fonts, path
            for font in fonts:
                glyphs = font.getGlyphOrder()
                # a brief uses hundreds of distinct glyphs, never the font's 65,535
                assert len(glyphs) < 3000, (path, len(glyphs))
                top = font["CFF "].cff.topDictIndex[0]
                assert top.charset == [".notdef"] + [f"cid{i:05d}" for i in range(1, len(glyphs))]
            if lang == "zh-CN":
                assert path.stat().st_size / pages <= 60_000, (path, path.stat().st_size / pages)


@pytest.fixture(scope="module")
def unpacked(built: Built) -> bytes:
    """A PDF as WeasyPrint writes it, fonts not yet repacked (rendered once for both paths below)."""
    import weasyprint

    html = built.file("deepseek-cost-performance", "zh-CN", "html")
    return weasyprint.HTML(filename=str(html)).write_pdf()


@pytest.mark.parametrize("path", ["fast", "parser"])
def test_repacking_changes_no_pixel_and_no_extracted_text(unpacked: bytes, tmp_path: Path, path: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ways of renumbering text (the WeasyPrint-shaped fast path, the general parser)."""
    import briefs.render.fontpack as fontpack

    if path == "parser":
        monkeypatch.setattr(fontpack, "_rewrite_weasyprint_text", lambda data, maps: None)
    original = unpacked
    repacked = repack_fonts(original)
    assert len(repacked) < len(original) / 2
    assert _rasters(original, tmp_path, "a") == _rasters(repacked, tmp_path, "b")
    before = [p.extract_text() for p in PdfReader(io.BytesIO(original)).pages]
    after = [p.extract_text() for p in PdfReader(io.BytesIO(repacked)).pages]
    assert after == before and "资料来源" in "".join(after)


def test_pdfs_without_cjk_programs_pass_through_unchanged() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out)
    assert repack_fonts(out.getvalue()) == out.getvalue()


def test_a_broken_font_program_is_left_as_written(built: Built) -> None:
    """A program HarfBuzz cannot subset stays as it was; the PDF still opens."""
    data = built.file("compute-etf-note", "zh-CN", "pdf").read_bytes()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and obj.stream_dict.get("/Subtype") == "/OpenType":
                obj.write(b"OTTO not a font")
        out = io.BytesIO()
        pdf.save(out)
    again = repack_fonts(out.getvalue())
    with pikepdf.open(io.BytesIO(again)) as pdf:
        streams = [o for o in pdf.objects
                   if isinstance(o, pikepdf.Stream) and o.stream_dict.get("/Subtype") == "/OpenType"]
        assert streams and all(s.read_bytes() == b"OTTO not a font" for s in streams)
