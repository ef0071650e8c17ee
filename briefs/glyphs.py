"""Characters no font of an edition can draw, found in the content before anything is printed.

WeasyPrint sets each edition in the families of :data:`fonts.FONTS` that the templates use (the
``sans`` and ``serif`` families; ``mono`` is named there but no template sets it, so it would only
hide a character the printed text lacks). A character none of them has (an emoji, a private-use
code point, a rare script such as Tangut) comes out as a blank box or in whatever font fontconfig
falls back to. This check reports each such character of every text an
edition prints, with its code point and name (``U+1F600 GRINNING FACE``) at ``path:line:col``.
It is a warning of ``briefs check`` and ``briefs build`` (an error with ``--strict``).

What is checked: every Text of the briefs and of ``content/_shared`` (YAML values and body files,
located through :mod:`texts`), in the edition's own language or, for a derived edition, converted
from its source; and every cell of every exhibit's data file (cells print in every edition).

How: each family is resolved to its font file and face with ``fc-match`` (fontconfig, as
WeasyPrint does), and the face's character map is read once with HarfBuzz (uharfbuzz) and
cached per file, face and modification time. A text is then one set difference. Controls,
format characters (zero-width joiners, bidi marks) and variation selectors are not drawn as
glyphs and are not checked.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from briefs.errors import Diagnostic, SourceLocation, by_place
from briefs.load.loaded import Project
from briefs.localize.i18n import Edition
from briefs.render.fonts import FONTS, INSTALL_HINT
from briefs.source.texts import Site, units

# Warnings per text: past this, one line says how many more characters no font can draw.
MAX_REPORTED = 20


@dataclass(frozen=True)
class Face:
    """A font file and the face in it that fontconfig chose for a family."""

    path: Path
    index: int


@cache
def resolve(family: str) -> Face | None:
    """The face fontconfig uses for ``family``, or None when it would substitute another family."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    out = subprocess.run(
        [fc_match, "--format=%{file}\\n%{index}\\n%{family}", family], capture_output=True, text=True, check=False
    ).stdout.split("\n")
    if len(out) < 3 or family not in (name.strip() for name in out[2].split(",")):
        return None
    return Face(Path(out[0]), int(out[1] or 0))


@cache
def _cmap(path: Path, index: int, mtime_ns: int) -> frozenset[str]:
    import uharfbuzz as hb  # HarfBuzz reads a CJK cmap in under a millisecond (fontTools: 0.15 s)

    face = hb.Face(hb.Blob.from_file_path(str(path)), index)
    return frozenset(map(chr, face.unicodes))


def characters(face: Face) -> frozenset[str]:
    """Every character the face has a glyph for (cached per file, face and modification time)."""
    return _cmap(face.path, face.index, face.path.stat().st_mtime_ns)


@dataclass(frozen=True)
class Coverage:
    """What an edition's fonts can draw: the families, those installed, and their characters."""

    lang: str
    families: tuple[str, ...]
    installed: bool
    chars: frozenset[str]


@cache
def coverage(lang: str) -> Coverage:
    """The characters at least one of the edition's families has."""
    fonts = FONTS[lang]
    families = tuple(dict.fromkeys((fonts.sans, fonts.serif)))
    faces = [face for face in map(resolve, families) if face is not None]
    chars: frozenset[str] = frozenset().union(*(characters(face) for face in faces))
    return Coverage(lang, families, bool(faces), chars)


def _drawn(char: str) -> bool:
    """Whether a character is drawn with a glyph (not a control, format character or selector)."""
    if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
        return False
    code = ord(char)
    return not (0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF)


# Names Unicode derives from the code point (rule NR2) that unicodedata does not give.
_DERIVED_NAMES = (
    (0x17000, 0x187FF, "TANGUT IDEOGRAPH"),
    (0x18D00, 0x18D7F, "TANGUT IDEOGRAPH"),
    (0x18B00, 0x18CFF, "KHITAN SMALL SCRIPT CHARACTER"),
    (0x1B170, 0x1B2FF, "NUSHU CHARACTER"),
)
_UNNAMED = {"Co": "<private use>", "Cn": "<unassigned>", "Cs": "<surrogate>"}


def describe(char: str) -> str:
    """``U+1F600 GRINNING FACE``; ``U+E000 <private use>``; ``U+17000 TANGUT IDEOGRAPH-17000``."""
    code = ord(char)
    name = unicodedata.name(char, "")
    category = unicodedata.category(char)
    if not name and category not in _UNNAMED:
        name = next(
            (f"{prefix}-{code:X}" for low, high, prefix in _DERIVED_NAMES if low <= code <= high),
            f"<unnamed {category}>",
        )
    return f"U+{code:04X} {name or _UNNAMED[category]}"


@dataclass(frozen=True)
class _Text:
    """A text one edition prints, and how to locate a position in it."""

    text: str
    site: Site | None = None  # where the text is; None: it is all at ``where``
    where: SourceLocation | None = None
    source: str | None = None  # the text ``site`` maps, when ``text`` was converted from it

    def first_indexes(self, chars: set[str]) -> dict[str, int]:
        """Where each of ``chars`` first occurs in the text a location maps (0 when conversion
        made it), found in one pass: one search per character was quadratic in their number."""
        mapped = self.source if self.source is not None else self.text
        first: dict[str, int] = {}
        for index, char in enumerate(mapped):
            if char in chars and char not in first:
                first[char] = index
        return {char: first.get(char, 0) for char in chars}

    def location(self, index: int) -> SourceLocation:
        """The source location of position ``index`` of the mapped text."""
        if self.site is None:
            assert self.where is not None
            return self.where
        return self.site.at(index)


def _texts(project: Project, editions: Sequence[Edition]) -> Iterable[tuple[Edition, _Text]]:
    for unit in units(project.library.docs.values(), project.briefs):
        for entry in unit.entries():
            for ed in editions:
                if ed.lang in entry.texts:
                    yield ed, _Text(entry.texts[ed.lang], entry.sites[ed.lang])
                elif ed.source in entry.texts:
                    source = entry.texts[ed.source]
                    yield ed, _Text(ed.derive(source), entry.sites[ed.source], source=source)
        if unit.loaded is not None:
            for data in unit.loaded.exhibits.values():
                for row in data.rows:
                    for cell in row.values():
                        for ed in editions:
                            yield ed, _Text(cell.raw, where=cell.where)


def check_glyphs(project: Project, editions: Sequence[Edition]) -> list[Diagnostic]:
    """A warning for each character (first place in each text) no font of an edition can draw."""
    found: dict[tuple[SourceLocation, str], list[str]] = {}
    counts: dict[tuple[SourceLocation, str], int] = {}
    problems: list[Diagnostic] = []
    covered = {ed.lang: coverage(ed.lang) for ed in editions}
    for ed in editions:
        if not covered[ed.lang].installed:
            problems.append(
                Diagnostic(
                    SourceLocation(Path("fonts")),
                    f"cannot check the characters of the {ed.lang} edition: none of its fonts "
                    f"({', '.join(covered[ed.lang].families)}) is installed; {INSTALL_HINT}",
                    "warning",
                )
            )
    for ed, item in _texts(project, editions):
        cover = covered[ed.lang]
        if not cover.installed:
            continue
        missing = {char for char in set(item.text) - cover.chars if _drawn(char)}
        if not missing:
            continue
        occurrences = Counter(char for char in item.text if char in missing)  # one pass, not one per char
        firsts = item.first_indexes(missing)
        shown = sorted(missing, key=lambda char: (firsts[char], char))
        if len(shown) > MAX_REPORTED:  # a pasted run of symbols: the first few, then how many more
            problems.append(
                Diagnostic(
                    item.location(firsts[shown[0]]),
                    f"{len(shown) - MAX_REPORTED:,} more characters no font of the {ed.lang} edition "
                    f"can draw in this text (the first {MAX_REPORTED} are listed)",
                    "warning",
                )
            )
            shown = shown[:MAX_REPORTED]
        for char in shown:
            key = (item.location(firsts[char]), char)
            langs = found.setdefault(key, [])
            if ed.lang not in langs:
                langs.append(ed.lang)
            counts[key] = max(counts.get(key, 0), occurrences[char])
    for (where, char), langs in found.items():
        families = dict.fromkeys(f for lang in langs for f in covered[lang].families)
        times = f"; it occurs {counts[(where, char)]} times in this text" if counts[(where, char)] > 1 else ""
        problems.append(
            Diagnostic(
                where,
                f"{describe(char)}: no font of the {' or '.join(langs)} edition can draw it "
                f"({', '.join(families)}){times}",
                "warning",
            )
        )
    return sorted(problems, key=by_place)
