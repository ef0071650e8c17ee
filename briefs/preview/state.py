"""What the preview's builds left, shared by the builder thread and the server's event loop.

Each brief keeps the diagnostics of its own last build, so fixing one brief clears its errors and
leaves another's standing; a build of every brief (a shared file, a template changed) replaces all
of them. Each change is sent to every open page as a server-sent event: one JSON object, the
whole state plus the briefs whose HTML has just been rebuilt (``reload``).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from briefs.errors import Diagnostic

Subscriber = tuple[asyncio.AbstractEventLoop, "asyncio.Queue[str | None]"]


@dataclass(frozen=True)
class Problem:
    """A diagnostic as ``briefs check`` prints it, and its severity ('error' or 'warning')."""

    text: str
    severity: str

    @classmethod
    def of(cls, diagnostic: Diagnostic) -> Problem:
        return cls(str(diagnostic), diagnostic.severity)


class PreviewState:
    """The briefs, their last diagnostics and PDF states, and the pages listening for changes."""

    def __init__(self, langs: Sequence[str], pdf: bool) -> None:
        self.langs = tuple(langs)
        self.pdf_enabled = pdf
        self.version = 0
        self.building = True
        self.briefs: tuple[str, ...] = ()
        self.problems: dict[str, tuple[Problem, ...]] = {}
        self.general: tuple[Problem, ...] = ()  # problems of a build that found no brief at all
        self.pdf: dict[str, tuple[str, int]] = {}  # id -> (building|ready|failed, version)
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []

    # ------------------------------------------------------------------ the builder's side

    def start(self) -> None:
        """A build has begun."""
        with self._lock:
            self.building = True
            self._publish(())

    def built(self, briefs: Sequence[str], scope: Sequence[str], problems: Sequence[Problem]) -> None:
        """The HTML of ``scope`` is built (or failed with ``problems``); pages reload it."""
        with self._lock:
            self.briefs = tuple(briefs)
            self.building = False
            self._record(scope, problems)
            self._publish(scope)

    def checked(self, scope: Sequence[str], problems: Sequence[Problem]) -> None:
        """The check of ``scope`` found ``problems`` (warnings, at most)."""
        with self._lock:
            self._record(scope, problems)
            self._publish(())

    def pdf_status(self, scope: Iterable[str], status: str) -> None:
        """The PDFs of ``scope`` are 'building', 'ready' or 'failed'."""
        with self._lock:
            self.version += 1
            for brief in scope:
                self.pdf[brief] = (status, self.version)
            self._publish((), bump=False)

    def _record(self, scope: Sequence[str], problems: Sequence[Problem]) -> None:
        if not scope:
            self.general = tuple(problems)
            return
        self.general = ()
        for brief in scope:
            self.problems[brief] = tuple(problems)

    # ------------------------------------------------------------------ the server's side

    def snapshot(self, reload: Sequence[str] = ()) -> dict[str, object]:
        """The state as JSON-ready data."""
        seen: dict[Problem, None] = dict.fromkeys(self.general)
        for brief in self.briefs:
            seen.update(dict.fromkeys(self.problems.get(brief, ())))
        return {
            "version": self.version,
            "building": self.building,
            "reload": list(reload),
            "briefs": list(self.briefs),
            "problems": [{"text": p.text, "severity": p.severity} for p in seen],
            "pdf": {brief: {"status": status, "version": v} for brief, (status, v) in self.pdf.items()},
        }

    def subscribe(self) -> asyncio.Queue[str | None]:
        """A queue of events (JSON text; None: the server is closing) for one page."""
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        with self._lock:
            self._subscribers.append((asyncio.get_running_loop(), queue))
            queue.put_nowait(json.dumps(self.snapshot()))
        return queue

    def unsubscribe(self, queue: asyncio.Queue[str | None]) -> None:
        """Forget a page that went away."""
        with self._lock:
            self._subscribers = [s for s in self._subscribers if s[1] is not queue]

    def close(self) -> None:
        """End every event stream (the server is stopping)."""
        with self._lock:
            self._send(None)

    def _publish(self, reload: Sequence[str], bump: bool = True) -> None:
        if bump:
            self.version += 1
        self._send(json.dumps(self.snapshot(reload)))

    def _send(self, event: str | None) -> None:
        for loop, queue in self._subscribers:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, event)
            except RuntimeError:  # that loop has closed: the server is stopping
                pass
