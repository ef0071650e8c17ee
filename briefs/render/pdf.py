"""Stage 5 (render PDF): HTML → PDF with WeasyPrint, fetching only local files under allowed roots.

WeasyPrint is imported lazily so that ``briefs check`` and ``--help`` stay fast. Anything WeasyPrint
logs while rendering (missing glyphs, images, bad CSS) is collected and returned as diagnostics.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from ..config import MAX_RESOURCE_BYTES
from ..errors import Diagnostic, RenderError, SourceLocation

log = logging.getLogger(__name__)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


MAX_IMAGE_PIXELS = 40_000_000  # e.g. 8000 x 5000: far above print needs, far below a pixel bomb


def _image_too_large(path: Path) -> str | None:
    """Why an image must not be decoded (dimensions read from its header only), or None."""
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we judge the size
            with Image.open(path) as image:
                width, height = image.size
    except Image.DecompressionBombError as exc:
        return f"image is too large to decode safely ({exc})".replace(
            "could be decompression bomb DOS attack.", "").strip()
    except (UnidentifiedImageError, OSError):
        return None  # not a raster image (SVG, CSS, font): the byte cap applies
    if width * height > MAX_IMAGE_PIXELS:
        return f"image is {width} x {height} pixels; the limit is {MAX_IMAGE_PIXELS:,} pixels"
    return None


def make_fetcher(allowed_roots: Sequence[Path]) -> Any:
    """A WeasyPrint URL fetcher for ``data:`` and ``file:`` under ``allowed_roots`` only.

    Symlinks are resolved before the check, the network is never touched, and a refusal stops
    the rendering (WeasyPrint would otherwise log it and carry on without the resource).
    """
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    roots = [root.resolve() for root in allowed_roots]

    class Refused(FatalURLFetchingError):  # type: ignore[misc]
        def __init__(self, url: str, reason: str) -> None:
            super().__init__(f"refused {url}: {reason}")
            self.url, self.reason = url, reason

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = urlparse(url).scheme.lower()
            if scheme == "data":
                if len(url) > MAX_RESOURCE_BYTES:
                    raise Refused(url[:60] + "…", "data: URL larger than the resource limit")
                return super().fetch(url, headers)
            if scheme != "file":
                raise Refused(url, "only files in the brief's folder and data: URLs may be used")
            target = Path(unquote(urlparse(url).path)).resolve()
            if not any(target.is_relative_to(root) for root in roots):
                raise Refused(url, "outside the brief's folder")
            if not target.is_file():
                raise Refused(url, "no such file")
            if target.stat().st_size > MAX_RESOURCE_BYTES:
                raise Refused(url, f"larger than {MAX_RESOURCE_BYTES // 2**20} MiB")
            too_large = _image_too_large(target)
            if too_large:
                raise Refused(url, too_large)
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols=("file", "data"))


def _locate(url: str, base_url: Path, attachments: Sequence[tuple[str, bytes]],
            fallback: Path) -> SourceLocation:
    """The source line that asked for ``url``: the first brief file that mentions it."""
    path = unquote(urlparse(url).path)
    candidates = {path, Path(path).name}
    try:
        candidates.add(Path(path).relative_to(base_url.resolve()).as_posix())
    except ValueError:
        pass
    for name, data in attachments:
        text = data.decode("utf-8", "replace")
        for needle in sorted(candidates, key=len, reverse=True):
            if needle and needle in text:
                line = text[: text.index(needle)].count("\n") + 1
                return SourceLocation(base_url / name, line)
    return SourceLocation(fallback)


# PDF/A-3a: archival (PDF/A-3 allows the source files as attachments) *and* tagged (level A
# requires the structure tree), so compliance's archive copy is also the screen-reader copy.
PDF_VARIANT = "pdf/a-3a"

# What only WeasyPrint should read (the Nu checker of the HTML edition does not know
# hyphenate-character yet): hyphenate with U+002D, because the CJK font draws the default U+2010
# as a small, detached, full-width dash.
PDF_CSS = 'body.lang-en { hyphenate-character: "-"; }'

# Shows the contents (templates/partials/toc.html) of a long brief from the top of page 2.
# WeasyPrint applies these as user stylesheets: only !important beats the author's display: none.
SHOW_TOC = "nav.toc { display: block !important; break-before: page; }"


def render_pdf(html: str, base_url: Path, allowed_roots: Sequence[Path], source: Path,
               attachments: Sequence[tuple[str, bytes]] = (),
               created: dt.datetime | None = None,
               font_config: Any = None, toc_min_pages: int = 0) -> tuple[bytes, list[Diagnostic]]:
    """Render one PDF; returns its bytes and the warnings WeasyPrint logged, located at ``source``.

    A brief that lays out to ``toc_min_pages`` pages or more (0: never) is laid out again with
    its contents shown (``nav.toc``, hidden in print until then), with page numbers.

    ``attachments`` (name, bytes) are embedded as the document's sources, dated ``created`` so
    that the same input gives the same bytes.
    """
    try:
        import weasyprint
    except OSError as exc:  # Pango missing
        raise RenderError.at(source, 0, 0, f"WeasyPrint cannot start ({exc}); install Pango "
                             "(Debian: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0)") from None
    from weasyprint.urls import FatalURLFetchingError

    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        document = weasyprint.HTML(string=html, base_url=base_url.as_uri() + "/",
                                   url_fetcher=make_fetcher(allowed_roots))
        # A deterministic file identifier: same HTML, same /ID (reproducible builds).
        identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
        files = [
            weasyprint.Attachment(file_obj=io.BytesIO(data), name=name, relationship="Source",
                                  description=f"briefs source: {name}",
                                  created=created, modified=created)
            for name, data in attachments
        ]
        options = {"pdf_identifier": identifier, "pdf_variant": PDF_VARIANT, "attachments": files}
        pdf_css = weasyprint.CSS(string=PDF_CSS, font_config=font_config)
        laid_out = document.render(font_config=font_config, stylesheets=[pdf_css], **options)
        if toc_min_pages and len(laid_out.pages) >= toc_min_pages:
            show_toc = weasyprint.CSS(string=SHOW_TOC, font_config=font_config)
            laid_out = document.render(font_config=font_config, stylesheets=[pdf_css, show_toc],
                                       **options)
        pdf = laid_out.write_pdf(**options)
    except FatalURLFetchingError as exc:
        url, reason = getattr(exc, "url", str(exc)), getattr(exc, "reason", "could not be fetched")
        raise RenderError(Diagnostic(_locate(url, base_url, attachments, source),
                                     f"refused to fetch {url}: {reason}")) from None
    finally:
        logger.removeHandler(handler)
    warnings = [Diagnostic(SourceLocation(source), f"WeasyPrint: {m}", "warning") for m in handler.messages]
    assert isinstance(pdf, bytes)
    from .fontpack import repack_fonts  # pikepdf, fontTools: only where PDFs are made

    return repack_fonts(pdf), warnings
