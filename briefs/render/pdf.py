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

from ..errors import Diagnostic, RenderError, SourceLocation

log = logging.getLogger(__name__)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def make_fetcher(allowed_roots: Sequence[Path]) -> Any:
    """A WeasyPrint URL fetcher that serves ``data:`` and ``file:`` under ``allowed_roots`` only."""
    from weasyprint.urls import URLFetcher

    roots = [root.resolve() for root in allowed_roots]

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = urlparse(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                target = Path(unquote(urlparse(url).path)).resolve()
                if any(target.is_relative_to(root) for root in roots):
                    return super().fetch(url, headers)
                raise ValueError(f"refused to read {target}: outside the project's allowed folders")
            raise ValueError(f"refused to fetch {url}: only local files and data: URLs are allowed")

    return LocalOnlyFetcher(allowed_protocols=("file", "data"))


# PDF/A-3a: archival (PDF/A-3 allows the source files as attachments) *and* tagged (level A
# requires the structure tree), so compliance's archive copy is also the screen-reader copy.
PDF_VARIANT = "pdf/a-3a"


def render_pdf(html: str, base_url: Path, allowed_roots: Sequence[Path], source: Path,
               attachments: Sequence[tuple[str, bytes]] = (),
               created: dt.datetime | None = None,
               font_config: Any = None) -> tuple[bytes, list[Diagnostic]]:
    """Render one PDF; returns its bytes and the warnings WeasyPrint logged, located at ``source``.

    ``attachments`` (name, bytes) are embedded as the document's sources, dated ``created`` so
    that the same input gives the same bytes.
    """
    try:
        import weasyprint
    except OSError as exc:  # Pango missing
        raise RenderError.at(source, 0, 0, f"WeasyPrint cannot start ({exc}); install Pango "
                             "(Debian: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0)") from None
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
        pdf = document.write_pdf(pdf_identifier=identifier, pdf_variant=PDF_VARIANT,
                                 attachments=files, font_config=font_config)
    finally:
        logger.removeHandler(handler)
    warnings = [Diagnostic(SourceLocation(source), f"WeasyPrint: {m}", "warning") for m in handler.messages]
    assert isinstance(pdf, bytes)
    return pdf, warnings
