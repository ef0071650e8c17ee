"""Stage 5 (render PDF): HTML → PDF with WeasyPrint, fetching only local files under allowed roots.

WeasyPrint is imported lazily so that ``briefs check`` and ``--help`` stay fast. Anything WeasyPrint
logs while rendering (missing glyphs, images, bad CSS) is collected and returned as diagnostics.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import mimetypes
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from briefs.errors import Diagnostic, RenderError, SourceLocation
from briefs.exhibits.image_errors import ImageRefused
from briefs.exhibits.images import MIME_TYPES, checked_image, raster_problem
from briefs.pipeline.outputs import flat_names
from briefs.project.config import MAX_RESOURCE_BYTES
from briefs.render.beside import flow_beside
from briefs.render.fit import Fit, fit_sidebar
from briefs.render.holes import fill_holes
from briefs.source.safefiles import Unsafe, read_bytes, resolve_inside

log = logging.getLogger(__name__)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def make_fetcher(allowed_roots: Sequence[Path]) -> Any:
    """A WeasyPrint URL fetcher for ``data:`` and ``file:`` under ``allowed_roots`` only.

    A file is resolved and read through :mod:`briefs.source.safefiles` (every symlink followed, only
    regular files, the size checked before reading), and a picture's bytes pass
    :func:`briefs.exhibits.images.checked_image`, as when it is published. WeasyPrint is handed those
    bytes and never the file's path, so it cannot read the file again (it would, lazily, when it
    embeds a picture): what is drawn is what was checked. The network is never touched, and a
    refusal stops the rendering (WeasyPrint would otherwise log it and carry on without it).
    """
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    roots = [root.resolve() for root in allowed_roots]

    class Refused(FatalURLFetchingError):  # type: ignore[misc]  # WeasyPrint is untyped (Any base)
        def __init__(self, url: str, reason: str) -> None:
            super().__init__(f"refused {url}: {reason}")
            self.url, self.reason = url, reason

    class Checked(URLFetcherResponse):  # type: ignore[misc]  # WeasyPrint is untyped (Any base)
        path = None  # bytes only: no file for WeasyPrint to reopen

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint is untyped (Any base)
        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = urlparse(url).scheme.lower()
            if scheme == "data":
                if len(url) > MAX_RESOURCE_BYTES:
                    raise Refused(url[:60] + "…", "data: URL larger than the resource limit")
                response = super().fetch(url, headers)
                try:
                    data, mime = response.read(MAX_RESOURCE_BYTES + 1), response.content_type
                finally:
                    response.close()
                return Checked(url, _checked(url[:60], data, _suffix_of(mime)), {"Content-Type": mime})
            if scheme != "file":
                raise Refused(url, "only files in the brief's folder and data: URLs may be used")
            data = _read(url, Path(unquote(urlparse(url).path)))
            name = Path(unquote(urlparse(url).path)).name
            mime = MIME_TYPES.get(Path(name).suffix.lower()) or (
                mimetypes.guess_type(name)[0] or "application/octet-stream"
            )
            return Checked(url, _checked(url, data, Path(name).suffix.lower()), {"Content-Type": mime})

    def _read(url: str, path: Path) -> bytes:
        reason = "outside the brief's folder"
        for root in roots:
            try:
                target = resolve_inside(root, path)
            except Unsafe as exc:
                reason = reason if exc.reason == "is outside the brief's folder" else exc.reason
                continue
            try:
                return read_bytes(target, MAX_RESOURCE_BYTES, inside=root)
            except Unsafe as exc:
                raise Refused(url, exc.reason) from None
        raise Refused(url, reason.removeprefix("is "))

    def _checked(url: str, data: bytes, suffix: str) -> bytes:
        if len(data) > MAX_RESOURCE_BYTES:
            raise Refused(url, f"larger than {MAX_RESOURCE_BYTES // 2**20} MiB")
        try:
            if suffix in MIME_TYPES:  # a picture by its name: the same check as when published
                return checked_image(f"image{suffix}", data)
        except ImageRefused as exc:
            raise Refused(url, f"image {exc.reason}") from None
        problem = raster_problem(data)  # CSS, a font, or a picture by another name
        if problem:
            raise Refused(url, f"image {problem}")
        return data

    return LocalOnlyFetcher(allowed_protocols=("file", "data"))


def _suffix_of(mime: str) -> str:
    """The picture suffix of a data: URL's type (``image/svg+xml`` → ``.svg``), or ''."""
    return next((suffix for suffix, known in MIME_TYPES.items() if known == mime), "")


def _locate(url: str, base_url: Path, attachments: Sequence[tuple[str, bytes]], fallback: Path) -> SourceLocation:
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
# hyphenate-character or hyphenate-limit-chars yet): hyphenate with U+002D, because the CJK font
# draws the default U+2010 as a small, detached, full-width dash; and only words of 7 letters or
# more, keeping 3 on each side (render/typography.py HYPHENATED_FROM keeps names whole). The PDF
# outline (bookmarks) lists the sections and the numbered exhibits in reading order, never the
# sidebar's boxes or the contents page's heading.
PDF_CSS = """
body.lang-en { hyphenate-character: "-"; hyphenate-limit-chars: 7 3 3; }
.sidebar h2, .sidebar h3, .toc h2, .toc h3 { bookmark-level: none; }
.exhibit > figcaption { bookmark-level: 3; bookmark-label: content(text); }
"""

# Shows the contents (templates/partials/toc.html) of a long brief from the top of page 2.
# WeasyPrint applies these as user stylesheets: only !important beats the author's display: none.
SHOW_TOC = "nav.toc { display: block !important; break-before: page; }"


def render_pdf(
    html: str,
    base_url: Path,
    allowed_roots: Sequence[Path],
    source: Path,
    attachments: Sequence[tuple[str, bytes]] = (),
    created: dt.datetime | None = None,
    font_config: Any = None,
    toc_min_pages: int = 0,
) -> tuple[bytes, list[Diagnostic]]:
    """Render one PDF; returns its bytes and the warnings WeasyPrint logged, located at ``source``.

    A brief that lays out to ``toc_min_pages`` pages or more (0: never) is laid out again with
    its contents shown (``nav.toc``, hidden in print until then), with page numbers.

    ``attachments`` (name, bytes) are embedded as the document's sources, dated ``created`` so
    that the same input gives the same bytes.
    """
    try:
        import weasyprint
    except OSError as exc:  # Pango missing
        raise RenderError.at(
            source,
            0,
            0,
            f"WeasyPrint cannot start ({exc}); install Pango "
            "(Debian: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0)",
        ) from None
    from weasyprint.urls import FatalURLFetchingError

    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        document = weasyprint.HTML(
            string=html, base_url=base_url.as_uri() + "/", url_fetcher=make_fetcher(allowed_roots)
        )
        # A deterministic file identifier: same HTML, same /ID (reproducible builds).
        identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
        files = [
            weasyprint.Attachment(
                file_obj=io.BytesIO(data),
                name=flat,
                relationship="Source",
                description=f"briefs source: {name}",
                created=created,
                modified=created,
            )
            for flat, (name, data) in zip(flat_names([n for n, _ in attachments]), attachments, strict=True)
        ]
        options = {"pdf_identifier": identifier, "pdf_variant": PDF_VARIANT, "attachments": files}
        sheets = [weasyprint.CSS(string=PDF_CSS, font_config=font_config)]
        laid_out = document.render(font_config=font_config, stylesheets=sheets, **options)

        def relayout(fit: Fit) -> Any:
            css = weasyprint.CSS(string=fit.css(), font_config=font_config)
            return document.render(font_config=font_config, stylesheets=[*sheets, css], **options)

        laid_out, fit, fitted = fit_sidebar(laid_out, relayout)
        if fit is not None:
            sheets.append(weasyprint.CSS(string=fit.css(), font_config=font_config))
        if not fitted:
            handler.messages.append("the first page's sidebar does not fit on page 1; shorten the key data or contacts")

        def again() -> Any:
            return document.render(font_config=font_config, stylesheets=sheets, **options)

        laid_out = flow_beside(document, laid_out, again)
        laid_out = fill_holes(document, laid_out, again)
        laid_out = flow_beside(document, laid_out, again)  # text moved up beside the sidebar
        if toc_min_pages and len(laid_out.pages) >= toc_min_pages:
            show_toc = weasyprint.CSS(string=SHOW_TOC, font_config=font_config)
            sheets.append(show_toc)
            laid_out = flow_beside(document, again(), again)  # the body no longer starts on page 1
        pdf = laid_out.write_pdf(**options)
    except FatalURLFetchingError as exc:
        url, reason = getattr(exc, "url", str(exc)), getattr(exc, "reason", "could not be fetched")
        raise RenderError(
            Diagnostic(_locate(url, base_url, attachments, source), f"refused to fetch {url}: {reason}")
        ) from None
    finally:
        logger.removeHandler(handler)
    warnings = [Diagnostic(SourceLocation(source), f"WeasyPrint: {m}", "warning") for m in handler.messages]
    assert isinstance(pdf, bytes)
    from briefs.render.pdf_tags import finish_pdf  # pikepdf, fontTools: only where PDFs are made

    return finish_pdf(pdf), warnings
