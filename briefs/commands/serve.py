"""``briefs serve``: build, serve the output folder on this machine, rebuild and reload on save.

The builds run in one thread (:mod:`briefs.preview.builder`), the web server (uvicorn) in the
main one; Ctrl-C stops both. The address is 127.0.0.1 unless ``--host`` says otherwise; port 0
takes any free port. The URL is printed once the socket is bound, before the first build.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import socket
import threading
from collections.abc import Sequence
from pathlib import Path

import click

from briefs.commands import build, report
from briefs.errors import BriefsError, ConfigError, Diagnostic, SourceLocation
from briefs.project.config import project_config


def run(project: Path | None, paths: Sequence[Path], options: build.Options, host: str, port: int) -> int:
    """Serve until Ctrl-C; returns the exit status (1: no project, or the address cannot be bound)."""
    try:
        config = project_config(project)
        listening = _bind(host, port)
    except BriefsError as exc:
        report(exc)
        return 1
    import uvicorn

    from briefs.preview.builder import Builder
    from briefs.preview.guard import allowed_hosts
    from briefs.preview.server import application
    from briefs.preview.state import PreviewState

    logging.getLogger("watchfiles").setLevel(logging.ERROR)
    out = (options.out or config.output).resolve()
    bound = listening.getsockname()[1]
    state = PreviewState(options.langs, "pdf" in options.formats)
    named = _literal(host)
    app = application(out, state, allowed_hosts(bound, [named] if named else []))
    click.echo(f"serving the preview at http://{named or host}:{bound}/ (Ctrl-C to stop)")
    builder = Builder(config, paths, options, out, state)
    thread = threading.Thread(target=builder.run, name="briefs-preview-builder", daemon=True)
    thread.start()
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=1)
    )
    try:
        server.run(sockets=[listening])
    except KeyboardInterrupt:  # uvicorn passes Ctrl-C on once it has shut down
        pass
    finally:
        state.close()
        builder.stop()
        thread.join(timeout=2)
        listening.close()
    click.echo("stopped serving")
    return 0


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (port 0: any free port), or a located error."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        listening = socket.socket(family, kind, proto)
    except (OSError, UnicodeError) as exc:
        problem = f"cannot use the address {host!r}: {exc}"
        raise ConfigError(Diagnostic(SourceLocation(Path("--host")), problem)) from None
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(address)
        listening.listen(128)
    except OSError as exc:
        listening.close()
        reason = exc.strerror or str(exc)
        option = "--port" if exc.errno in (errno.EADDRINUSE, errno.EACCES) else "--host"  # else: not ours
        raise ConfigError(
            Diagnostic(SourceLocation(Path(option)), f"cannot listen on {host} port {port}: {reason}")
        ) from None
    return listening


def _literal(host: str) -> str | None:
    """The Host header name of an address given as an IP literal (other than a wildcard)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if address.is_unspecified:
        return None
    return f"[{address}]" if address.version == 6 else str(address)
