"""The stamp's faces: the family fontconfig names for an edition, its fallbacks, what cannot print.

A family is resolved to its file and face as for WeasyPrint (:func:`briefs.checks.glyphs.resolve`)
and loaded once per process with HarfBuzz. A character the family has no glyph for is looked for
along fontconfig's sorted list for the family (the list read once, each face loaded once), as a
layout engine falls back: Ł, Ő, Č come from DejaVu Sans where Noto Sans CJK lacks them. A
character no face of that list can draw, or one of a right-to-left script (the stamp is one
left-to-right line), cannot be printed: :func:`unprintable` says why, and the distribution list
is refused at its line (:mod:`briefs.distribute.listing`).
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import uharfbuzz as hb

from briefs.checks.glyphs import resolve
from briefs.errors import RenderError
from briefs.render.fonts import FONTS, INSTALL_HINT

_RTL = ("R", "AL", "RLE", "RLO", "RLI")
_FALLBACKS = 32  # of fontconfig's fonts for a family, how many a missing character is looked for in
_PREPROCESS_AFTER = 200  # cuts of a face before it is preprocessed (see Face.subsetter)


class Face:
    """One font face as a worker keeps it: HarfBuzz's face and font, the characters it can
    print, and (made on first use) HarfBuzz's preprocessed copy for repeated subsetting."""

    def __init__(self, path: str, index: int) -> None:
        self.face = hb.Face(hb.Blob.from_file_path(path), index)
        self.font = hb.Font(self.face)
        tags = set(self.face.table_tags)
        self.cff = "CFF " in tags
        self.outlines = self.cff or "glyf" in tags  # a bitmap or colour-only font cannot be embedded here
        self.printable = frozenset(c for c in map(chr, self.face.unicodes) if unicodedata.bidirectional(c) not in _RTL)
        self.family = self.face.get_name(1) or Path(path).stem  # name id 1: the family
        self.postscript = "".join(c for c in (self.face.get_name(6) or self.family) if c.isalnum() or c in "-_")
        extents = self.font.get_font_extents("ltr")
        self.upem, self.ascent, self.descent = self.face.upem, extents.ascender, -extents.descender
        self._subsetter: Any = None
        self._uses = 0

    @property
    def subsetter(self) -> Any:
        """The face to cut down: HarfBuzz's preprocessed copy once this process has cut it more
        than :data:`_PREPROCESS_AFTER` times. Preprocessing Noto Sans CJK takes about 1.3 s and
        makes each cut about 15 times cheaper (0.4 ms instead of 6): worth it for a long list,
        not for a few recipients."""
        if self._subsetter is None:
            self._uses += 1
            if self._uses <= _PREPROCESS_AFTER:
                return self.face
            self._subsetter = hb.subset_preprocess(self.face)
        return self._subsetter


def _fc(*args: str) -> list[str]:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise RenderError.at(Path("fc-match"), 0, 0, f"fontconfig is not installed; {INSTALL_HINT}")
    return subprocess.run([fc_match, *args], capture_output=True, text=True, check=False).stdout.splitlines()


@lru_cache(maxsize=64)
def _load(path: str, index: int) -> Face:
    return Face(path, index)


@lru_cache(maxsize=8)
def face_of(family: str) -> Face:
    """The face of ``family`` as fontconfig resolves it for WeasyPrint (the same lookup as the
    glyph check's), loaded once per process."""
    found = resolve(family)
    if found is None:
        raise RenderError.at(Path("fonts"), 0, 0, f"font '{family}' for the stamp is not installed; {INSTALL_HINT}")
    return _load(str(found.path), found.index)


@lru_cache(maxsize=8)
def _fallbacks(family: str) -> tuple[tuple[str, int], ...]:
    """The first of fontconfig's fonts for ``family``, in its order of preference (the sorted list
    a layout engine falls back along), as (file, face index)."""
    listed = _fc("-s", "--format=%{file}\t%{index}\n", f"{family}:weight=regular:slant=roman")
    return tuple((path, int(index or 0)) for path, _, index in (line.partition("\t") for line in listed[:_FALLBACKS]))


@lru_cache(maxsize=4096)
def fallback(family: str, char: str) -> Face | None:
    """The face that prints ``char`` in place of ``family``'s, as a layout engine falls back: the
    first of :func:`_fallbacks` with an outline for it; None when none has one. The list is read
    once and each face in it loaded once, so a list of many odd characters costs set lookups."""
    if unicodedata.bidirectional(char) in _RTL or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
        return None
    for path, index in _fallbacks(family):
        face = _load(path, index)
        if face.outlines and char in face.printable:
            return face
    return None


def faces(family: str, text: str) -> list[Face] | str:
    """The face of each character of ``text`` (``family``'s own, or its fallback), or why one
    cannot be printed."""
    primary = face_of(family)
    if primary.printable.issuperset(text):
        return [primary] * len(text)
    chosen: list[Face] = []
    for char in text:
        if char in primary.printable:
            chosen.append(primary)
            continue
        if unicodedata.bidirectional(char) in _RTL:
            return (
                f"'{char}' (U+{ord(char):04X}) is written right to left; the stamp is one left-to-right "
                "line: write the name in Latin or Chinese letters"
            )
        if unicodedata.category(char).startswith("M") and chosen and char in chosen[-1].printable:
            chosen.append(chosen[-1])  # a combining mark stays with the letter it marks
            continue
        face = fallback(family, char)
        if face is None:
            what = unicodedata.name(char, "an unnamed character")
            return (
                f"no installed font has a glyph for '{char}' (U+{ord(char):04X} {what}) to print in the "
                "stamp; write it without that character"
            )
        chosen.append(face)
    return chosen


def unprintable(lang: str, text: str) -> str:
    """Why ``text`` cannot be printed in a stamp of edition ``lang``, or "" when it can."""
    found = faces(FONTS[lang].sans, unicodedata.normalize("NFC", text))
    return found if isinstance(found, str) else ""
