"""Fonts: which families each language is set in, and a check that they are installed.

The families are named in the language table (:mod:`briefs.project.languages`) and passed to the
templates, so the CSS and the check can never disagree. We rely on fontconfig (WeasyPrint's own
font source) and fail early with an install hint rather than let a missing CJK font turn Chinese
into tofu boxes.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from briefs.errors import RenderError
from briefs.project.languages import LANGUAGES, FontSet

INSTALL_HINT = "install a CJK font: on Debian/Ubuntu run 'sudo apt-get install fonts-noto-cjk'"


# Each language's families, from the language table (briefs/project/languages.py).
FONTS: dict[str, FontSet] = {tag: lang.fonts for tag, lang in LANGUAGES.items()}


@lru_cache(maxsize=1)
def installed_families() -> frozenset[str]:
    """Font family names fontconfig knows about."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise RenderError.at(Path("fc-list"), 0, 0, f"fontconfig is not installed; {INSTALL_HINT}")
    out = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, check=False).stdout
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def require_fonts(lang: str) -> FontSet:
    """The language's font set, or a :class:`RenderError` saying what to install."""
    fonts = FONTS[lang]
    have = installed_families()
    missing = [f for f in (fonts.sans, fonts.serif) if f not in have]
    if missing:
        raise RenderError.at(
            Path("fonts"),
            0,
            0,
            f"font {', '.join(repr(f) for f in missing)} for {lang} is not installed; {INSTALL_HINT}",
        )
    return fonts
