"""The warm parent of every local PDF worker: imported once, by multiprocessing's fork server.

Importing this module imports WeasyPrint and lays out one small page in the house fonts (regular
and bold, Chinese and Latin), then repacks its fonts, and imports what planning a document needs
(workers plan the documents they lay out). That is the work every worker would
otherwise repeat before its first real PDF (about 0.45 s of imports and 0.1–0.15 s of first
layout: fontconfig, Pango's font map, HarfBuzz). The fork server runs it while the build loads
content; workers forked from it start warm, so the second and later workers cost nothing extra.

Nothing here may fail the fork server: any error leaves workers to warm up on their own.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

WARMED_IN: int | None = None  # the pid of the process the warm-up ran in, once it succeeded


def _prewarm() -> None:
    from briefs.pipeline import workers
    from briefs.project.languages import DEFAULT_LANGUAGES, DEFAULT_SOURCE, language
    from briefs.render.pdf import render_pdf

    families = sorted(
        {family for lang in DEFAULT_LANGUAGES for family in (language(lang).fonts.sans, language(lang).fonts.serif)}
    )
    body = "".join(
        f"<p style=\"font-family: '{family}'\">研究简报 Research brief 2025 <b>投资评级 Rating</b></p>"
        for family in families
    )
    html = f'<!DOCTYPE html><html lang="{DEFAULT_SOURCE}"><body>{body}</body></html>'
    render_pdf(
        html,
        Path("/"),
        (),
        Path("<prewarm>"),
        created=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        font_config=workers.font_config(),
    )  # the font configuration workers inherit


def _prewarm_planning() -> None:
    """What planning a document imports (briefs' stages, Jinja, Markdown, matplotlib and its
    font list): workers plan the documents they lay out (:mod:`briefs.pipeline.tasks`)."""
    import matplotlib.style  # noqa: F401
    from matplotlib import font_manager
    from matplotlib.backends import backend_svg  # noqa: F401

    import briefs.pipeline.tasks  # noqa: F401

    font_manager.findfont("DejaVu Sans")  # reads matplotlib's font list once


try:
    _prewarm()
    WARMED_IN = os.getpid()
except Exception:  # noqa: BLE001 - a cold worker is slower, never wrong
    pass
try:
    _prewarm_planning()
except Exception:  # noqa: BLE001 - likewise
    pass
