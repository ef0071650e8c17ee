"""The preview's web application (Starlette): pages, the event stream and the built files.

- ``/``: every brief, with links to its preview and to each edition's HTML and PDF;
- ``/_preview/<id>``: the brief's editions side by side (one frame each, zh-CN and en by default)
  with a link to each PDF;
- ``/_events``: server-sent events, one JSON state per change (:mod:`.state`); a small script in
  each page reloads the frames whose brief was rebuilt, updates the PDF links and shows the last
  build's errors and warnings;
- anything else: a file of the output folder, as :mod:`.guard` allows.

Every page shows the last diagnostics already in its HTML, so it is right without the script too.
"""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from briefs.pipeline.outputs import document_name, document_path
from briefs.preview.guard import LocalOnly, output_file
from briefs.preview.state import PreviewState
from briefs.source.safefiles import Unsafe, read_bytes, resolve_inside

SERVED_LIMIT = 512 << 20  # the largest output file served (a PDF with many exhibits is a few MiB)
KEEP_ALIVE = 15.0  # seconds between comments on an idle event stream
HEADERS = {"cache-control": "no-store", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}

_pages = jinja2.Environment(
    loader=jinja2.PackageLoader("briefs.preview", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def application(out: Path, state: PreviewState, hosts: frozenset[str]) -> LocalOnly:
    """The preview application serving ``out``, answering only to ``hosts``."""
    site = _Site(out, state)
    app = Starlette(
        routes=[
            Route("/", site.index, methods=["GET", "HEAD"]),
            Route("/_preview/{brief}", site.preview, methods=["GET", "HEAD"]),
            Route("/_events", site.events, methods=["GET"]),
            Route("/{path:path}", site.file, methods=["GET", "HEAD"]),
        ]
    )
    return LocalOnly(app, hosts)


class _Site:
    def __init__(self, out: Path, state: PreviewState) -> None:
        self.out = out
        self.state = state

    def _editions(self, brief: str) -> list[dict[str, Any]]:
        editions = []
        for lang in self.state.langs:
            pdf = document_path(self.out, brief, lang, "pdf")
            editions.append(
                {
                    "lang": lang,
                    "html": "/" + quote(document_name(brief, lang, "html")),
                    "pdf": "/" + quote(document_name(brief, lang, "pdf")) if self.state.pdf_enabled else None,
                    "pdf_exists": pdf.is_file(),
                    "title": _title(self.out, brief, lang),
                }
            )
        return editions

    def _page(self, template: str, **values: Any) -> HTMLResponse:
        snapshot = self.state.snapshot()
        html = _pages.get_template(template).render(state=snapshot, **values)
        return HTMLResponse(html, headers=HEADERS)

    async def index(self, request: Request) -> Response:
        briefs = [{"id": b, "editions": self._editions(b)} for b in self.state.briefs]
        return self._page("index.html", briefs=briefs)

    async def preview(self, request: Request) -> Response:
        brief = request.path_params["brief"]
        if brief not in self.state.briefs:
            return PlainTextResponse("no such brief in this preview\n", 404, headers=HEADERS)
        return self._page("preview.html", brief=brief, editions=self._editions(brief))

    async def events(self, request: Request) -> Response:
        queue = self.state.subscribe()

        async def stream() -> AsyncIterator[str]:
            try:
                while True:
                    try:
                        event = await asyncio.wait_for(queue.get(), KEEP_ALIVE)
                    except TimeoutError:
                        yield ": still here\n\n"
                        continue
                    if event is None:
                        return
                    yield f"data: {event}\n\n"
            finally:
                self.state.unsubscribe(queue)

        return StreamingResponse(stream(), media_type="text/event-stream", headers=HEADERS)

    async def file(self, request: Request) -> Response:
        raw = request.scope.get("raw_path") or request.url.path.encode()
        target = output_file(self.out, raw.split(b"?", 1)[0], request.url.path)
        if target is None:
            return PlainTextResponse("not found\n", 404, headers=HEADERS)
        try:
            data = read_bytes(target, SERVED_LIMIT, inside=self.out.resolve())
        except Unsafe:
            return PlainTextResponse("not found\n", 404, headers=HEADERS)
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("image/svg+xml", "application/javascript"):
            kind += "; charset=utf-8"
        return Response(data, media_type=None, headers={**HEADERS, "content-type": kind})


class _Title(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inside = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.text += data


def _title(out: Path, brief: str, lang: str) -> str | None:
    """The <title> of a built page (None when it is not built), from its first 64 KiB."""
    try:
        html = resolve_inside(out, document_name(brief, lang, "html"))
        with html.open("rb") as handle:
            head = handle.read(1 << 16).decode("utf-8", "replace")
    except (Unsafe, OSError):
        return None
    parser = _Title()
    parser.feed(head)
    return parser.text.strip() or None
