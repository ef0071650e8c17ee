"""What the preview server refuses before anything else runs.

- **DNS rebinding.** A page on any web site can make a browser send requests to 127.0.0.1 under
  the site's own name, once that name resolves to 127.0.0.1. Such a request carries the foreign
  name in its ``Host`` header (and, when scripted, a foreign ``Origin``): only the loopback names
  with the server's own port are answered (421 for a foreign Host, 403 for a foreign Origin).
- **The output folder only.** A file is served only from inside the output folder, with every
  symlink followed (:func:`briefs.source.safefiles.resolve_inside`); a path with ``..``, an encoded dot,
  slash, backslash or NUL, or a dotfile or dot-folder anywhere (``.briefs/`` holds the build's
  manifest and lock) is refused before the file system is asked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from briefs.source.safefiles import Unsafe, resolve_inside

LOOPBACK = ("localhost", "127.0.0.1", "[::1]")
_ENCODED = re.compile(rb"%(2e|2f|5c|00)", re.IGNORECASE)  # '.', '/', '\', NUL written as %xx


def allowed_hosts(port: int, extra: Iterable[str] = ()) -> frozenset[str]:
    """The Host header values answered: each loopback name (and ``extra`` names, e.g. the address
    given to --host) with the port, or without it on port 80."""
    names = (*LOOPBACK, *extra)
    hosts = {f"{name}:{port}" for name in names}
    if port == 80:
        hosts |= set(names)
    return frozenset(h.lower() for h in hosts)


class LocalOnly:
    """ASGI middleware: answer only requests addressed to this machine by a loopback name."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts
        self.origins = frozenset(f"http://{h}" for h in hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan, which the server does not use
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "").strip().lower()
        origin = headers.get("origin")
        if host not in self.hosts:
            await _refuse(send, 421, "this preview answers only to localhost or 127.0.0.1 with its port")
        elif origin is not None and origin.strip().lower() not in self.origins:
            await _refuse(send, 403, "requests from other sites are refused")
        else:
            await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, reason: str) -> None:
    body = f"{status}: {reason}\n".encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def output_file(out: Path, raw_path: bytes, path: str) -> Path | None:
    """The file of the output folder ``out`` a request path names, or None when it must not be
    served (or is missing). ``raw_path`` is the path as sent, ``path`` as decoded."""
    if _ENCODED.search(raw_path) or "\\" in path or "\x00" in path:
        return None
    parts = path.split("/")[1:]  # after the leading '/'
    if not parts or any(p == "" or p.startswith(".") for p in parts):  # '//', '.', '..', dotfiles
        return None
    try:
        target = resolve_inside(out, "/".join(parts))
    except Unsafe:
        return None
    inside = target.relative_to(out.resolve()).parts
    if any(p.startswith(".") for p in inside):  # a link within the folder to its .briefs/
        return None
    return target
