"""In-process memory of what loading derives from a file's or a text's content.

``briefs check``, a build, ``briefs watch`` and the live preview load the whole project on every
run, and most of the project is unchanged from one run to the next: the shared files, the briefs
nobody is editing, their data files and Markdown texts. Within one process, what is derived from
such a text (parsed YAML, a data file's cells, the Markdown checks' findings) is remembered here.

An entry is found by the text's content (its SHA-256, or the text itself), never by a file's name
or modification time: an edit, however quickly it follows the last read, is a different content
and so a different entry, and the file is read again every time (it is the read that gives the
key). Whatever else decides the result is part of the key too (the parser used, the limits).
What is remembered never names a file (the same text in two projects is one entry; the caller
puts its own path back), and is never an object two callers could both change: immutable values
(tuples, frozen records) or a pickle that each caller unpacks into its own copy. Only successful
results are remembered; a text with an error is parsed again, and its error worded again, each
time. Each cache holds a bounded amount (least recently used entries go first), so a preview
left running for days does not grow.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class ContentCache(Generic[V]):
    """At most ``capacity`` units (characters or bytes, as the caller weighs its entries) of
    immutable values by key, least recently used first out. Safe to share between threads."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: Hashable, value: V, weight: int) -> None:
        """Remember ``value`` (immutable) under ``key``; an entry heavier than the whole
        capacity is not kept."""
        if weight > self.capacity:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._weight -= old[1]
            self._entries[key] = (value, weight)
            self._weight += weight
            while self._weight > self.capacity and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._weight -= dropped

    def remembered(self, key: Hashable, make: Callable[[], V], weight: int) -> V:
        """The value under ``key``, made (and remembered) if there is none; an exception from
        ``make`` is not remembered."""
        found = self.get(key)
        if found is None:
            found = make()
            self.put(key, found, weight)
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._weight = 0

    def __len__(self) -> int:
        return len(self._entries)


def digest(text: str) -> bytes:
    """The key of a text: SHA-256 of its UTF-8 (lone surrogates kept, never an error)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
