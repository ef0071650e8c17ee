"""A client of Pagefind's indexing service (``pagefind_extended --service``), one request at a time.

Pagefind's own Python wrapper (``pagefind.index``) speaks to the same service, but its reader
sleeps 0.1 s before taking each reply off the pipe, and each page added is a request with a reply:
an index of 2,000 pages waited 200 s for 2 s of Pagefind's work (measured: 80 pages, 8.7 s of
waiting, 1.2 s of Pagefind's CPU). It also read replies through a 2 MiB stream limit that the
reply holding the whole bundle outgrows (a build of 100 briefs hung). This client writes one
request and reads its reply at once, with no limit but a deadline, and with no event loop, so a
build started from a server's loop needs no thread of its own. Only the binary is Pagefind's:
the wrapper's package finds it (``pagefind.service.get_executable``).

The service's messages, both ways, are JSON ``{"message_id": n, "payload": {...}}`` in base64,
each ending with a comma.
"""

from __future__ import annotations

import base64
import json
import os
import select
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping
from typing import Any

DEADLINE = 300.0  # seconds for one reply (indexing 2,000 pages takes a few)


class SearchServiceError(Exception):
    """The service failed, ended, or took longer than :data:`DEADLINE` to answer."""


class SearchService:
    """A running service, closed (and its process ended) on leaving a ``with`` block."""

    def __init__(self) -> None:
        from pagefind.service import get_executable

        binary = get_executable()
        if binary is None:
            raise SearchServiceError("the Pagefind binary is not installed (pip install 'pagefind[extended]')")
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close(), with the process
        try:
            self._process = subprocess.Popen(
                [str(binary), "--service"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._errors,
                close_fds=True,
            )
        except OSError as exc:
            self._errors.close()
            raise SearchServiceError(f"cannot start {binary}: {exc.strerror or exc}") from None
        self._pending = b""
        self._number = 0

    def __enter__(self) -> SearchService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout, self._errors):
            try:
                if stream is not None:
                    stream.close()
            except OSError:  # what was left unsent to a service that has ended
                pass

    def ask(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Send one request and return its reply's payload (an error reply raises)."""
        self._number += 1
        message = json.dumps({"message_id": self._number, "payload": payload}).encode("utf-8")
        stdin = self._process.stdin
        assert stdin is not None
        try:
            stdin.write(base64.b64encode(message) + b",")
            stdin.flush()
        except OSError as exc:
            try:
                ended = f"the service ended (status {self._process.wait(5)})"
            except subprocess.TimeoutExpired:
                ended = f"the service stopped reading ({exc.strerror or exc})"
            raise SearchServiceError(ended + self._said()) from None
        reply = json.loads(base64.b64decode(self._read_reply()))
        answer: dict[str, Any] = reply.get("payload") or {}
        if answer.get("type") == "Error":
            raise SearchServiceError(str(answer.get("message") or "an error without a message"))
        if reply.get("message_id") != self._number:
            raise SearchServiceError(f"a reply to message {reply.get('message_id')}, not {self._number}")
        return answer

    def _read_reply(self) -> bytes:
        stdout = self._process.stdout
        assert stdout is not None
        fd = stdout.fileno()
        deadline = time.monotonic() + DEADLINE
        chunks = [self._pending]
        while b"," not in chunks[-1]:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise SearchServiceError(f"no reply within {DEADLINE:.0f} s")
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise SearchServiceError(f"the service ended (status {self._process.wait()}){self._said()}")
            chunks.append(chunk)
        data = b"".join(chunks)
        reply, _, self._pending = data.partition(b",")
        return reply

    def _said(self) -> str:
        self._errors.seek(0)
        said = self._errors.read(2000).decode("utf-8", "replace").strip()
        return f": {said}" if said else ""


def index_pages(pages: Iterable[tuple[str, str]], config: Mapping[str, Any]) -> dict[str, bytes]:
    """Index ``pages`` ((URL, HTML text)), in their order, with ``config`` (Pagefind's options);
    returns the bundle's files by their path in it."""
    with SearchService() as service:
        index = service.ask({"type": "NewIndex", "config": dict(config)})["index_id"]
        for url, text in pages:
            service.ask({"type": "AddFile", "index_id": index, "url": url, "file_contents": text, "file_path": None})
        files = service.ask({"type": "GetFiles", "index_id": index})["files"]
    return {f["path"]: base64.b64decode(f["content"]) for f in files}
