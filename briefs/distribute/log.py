"""The distribution log, ``<out>/distribution.jsonl``: the record of every stamped copy.

One JSON object per line, one line per copy, appended and fsynced *before* the copy is renamed
to its final name, so a copy never exists without its line, whatever stops the run (a signal,
SIGKILL, a full disk). The lines of a batch of copies are appended with one write and one fsync
(:meth:`LogWriter.extend`), before any copy of the batch is renamed. What an interruption can
leave is harmless and known:

- a line whose copy is missing (stopped between the line and the rename): it names a copy that
  was never released;
- a torn last line (no newline: the disk filled during the write): its copy was never released
  either. The writer cuts it off at once when it can, else the next ``distribute`` does, and
  ``trace`` ignores it with a warning. (A last line that is a whole entry and lacks only its
  newline, as an editor may leave it, is kept, and ``distribute`` adds the newline.)

The reader checks every line (fields, formats, the copy's file name) and that one SHA-256 names
one copy: two lines with the same hash must agree on everything but the time (the same copy made
again), or the log has been altered and the lines are errors at their numbers.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from briefs.errors import ContentError, Diagnostic, Severity, SourceLocation
from briefs.model.fields import ID_RE
from briefs.pipeline.outputs import copy_name
from briefs.pipeline.write import cannot_write, open_private
from briefs.source.safefiles import file_kind, sha256

LOG_NAME = "distribution.jsonl"
FIELDS = ("brief", "file", "lang", "name", "organisation", "recipient", "sha256", "time", "version")
COPY_LIMIT = 1 << 30  # no stamped brief comes near 1 GiB; anything larger is not a copy
_HEX = re.compile(r"[0-9a-f]{64}")
_LANG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_CHUNK = 1 << 20
# Control and format characters, line and paragraph separators (what a recipient's name may not
# hold), and lone surrogates (which no text can print: trace failed with a UnicodeEncodeError).
_INVISIBLE = ("Cc", "Cf", "Zl", "Zp", "Cs")


def copy_file(brief: str, lang: str, recipient: str) -> str:
    """Where a copy lives, relative to the output folder (as the log's ``file`` names it)."""
    return copy_name(brief, lang, recipient)


def hash_file(path: Path, limit: int = COPY_LIMIT) -> str:
    """SHA-256 of the regular file ``path``, streamed; :class:`Unsafe` for anything else (a
    folder, a device, a socket or a file over ``limit`` is refused before a byte is read)."""

    def oversize(size: int | None) -> str:
        shown = "" if size is None else f" {size / 2**20:.0f} MiB,"
        return f"is{shown} larger than any copy (at most {limit >> 20} MiB)"

    return sha256(path, limit, oversize=oversize)


@dataclass
class LogRecord:
    """A log as read: its valid entries by line number, its problems, and a torn tail if any."""

    path: Path
    entries: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    torn: int = 0  # line number of a last line without its newline, 0 when there is none
    whole: int = 0  # bytes up to the end of the last line that has its newline
    complete_tail: bool = False  # that last line is a whole entry all the same (kept)

    def by_hash(self) -> dict[str, list[tuple[int, dict[str, str]]]]:
        found: dict[str, list[tuple[int, dict[str, str]]]] = {}
        for number, entry in self.entries:
            found.setdefault(entry["sha256"], []).append((number, entry))
        return found

    def at(self, line: int, message: str, severity: Severity = "error") -> Diagnostic:
        return Diagnostic(SourceLocation(self.path, line, 1), message, severity)

    def torn_note(self, action: str) -> Diagnostic:
        if self.complete_tail:
            return self.at(self.torn, f"{action} the missing newline of the log's last line", "warning")
        return self.at(
            self.torn, f"{action} a torn line left by an interrupted run (its copy was never released)", "warning"
        )


def _lines(fd: int) -> Iterator[tuple[bytes, int]]:
    """Each line of the file at ``fd`` with the offset after its newline (-1 for a last line
    without one), read from the start in pieces. A line longer than any entry (1 MiB) is given
    as its first megabyte, so a damaged log cannot fill the memory."""
    offset, buffer, at, overlong = 0, b"", 0, b""  # at: the file offset of buffer[0]
    while chunk := os.pread(fd, _CHUNK, offset):
        offset += len(chunk)
        buffer += chunk
        start = 0
        while (newline := buffer.find(b"\n", start)) >= 0:
            yield overlong or buffer[start:newline], at + newline + 1
            start, overlong = newline + 1, b""
        buffer, at = buffer[start:], at + start
        if len(buffer) > _CHUNK:  # no newline in sight: keep only the start of the line
            overlong = overlong or buffer[:_CHUNK]
            buffer, at = b"", at + len(buffer)
    if buffer or overlong:
        yield overlong or buffer, -1


def parse(path: Path, fd: int) -> LogRecord:
    """Read and check the log open at ``fd``."""
    record = LogRecord(path)
    number = 0
    for number, (raw, end) in enumerate(_lines(fd), start=1):
        if not raw.strip() and end >= 0:
            record.whole = end
            continue
        entry, problem = _entry(raw)
        if end < 0:  # a last line without its newline: a whole entry counts, anything else is torn
            record.torn, record.complete_tail = number, not problem
        else:
            record.whole = end
            if problem:
                record.problems.append(record.at(number, problem))
        if not problem:
            record.entries.append((number, entry))
    record.problems += _conflicts(record)
    return record


def _entry(raw: bytes) -> tuple[dict[str, str], str]:
    """A line's entry, or a description of what is wrong with it."""
    try:
        entry = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # RecursionError: brackets nested thousands deep
        return {}, "not a log entry (one JSON object per line)"
    if not isinstance(entry, dict):
        return {}, "not a log entry (one JSON object per line)"
    keys = sorted(entry)
    if keys != sorted(FIELDS):
        missing, extra = set(FIELDS) - set(keys), set(keys) - set(FIELDS)
        what = "; ".join(
            filter(
                None,
                [
                    f"missing {', '.join(sorted(missing))}" if missing else None,
                    f"unknown {', '.join(sorted(extra))}" if extra else None,
                ],
            )
        )
        return {}, f"not a log entry briefs wrote: {what}"
    bad = [k for k in FIELDS if not isinstance(entry[k], str) or not entry[k]]
    if bad:
        return {}, f"not a log entry briefs wrote: {', '.join(bad)} must be text"
    checks = [
        ("sha256", _HEX.fullmatch(entry["sha256"])),
        ("version", _HEX.fullmatch(entry["version"])),
        ("brief", ID_RE.fullmatch(entry["brief"])),
        ("recipient", ID_RE.fullmatch(entry["recipient"])),
        ("lang", _LANG.fullmatch(entry["lang"])),
        ("time", _is_time(entry["time"])),
    ]
    bad = [k for k, ok in checks if not ok]
    # A name or organisation is printed by trace: a line break or terminal escape in a forged
    # one would print a second, made-up answer. distribute never writes one (see Recipient).
    bad += [k for k in ("name", "organisation") if any(unicodedata.category(c) in _INVISIBLE for c in entry[k])]
    if bad:
        return {}, f"not a log entry briefs wrote: malformed {', '.join(bad)}"
    expected = copy_file(entry["brief"], entry["lang"], entry["recipient"])
    if entry["file"] != expected:
        return {}, f"not a log entry briefs wrote: file '{entry['file']}' is not {expected}"
    return entry, ""


def _is_time(text: str) -> bool:
    try:
        return dt.datetime.fromisoformat(text).tzinfo is not None
    except ValueError:
        return False


def _conflicts(record: LogRecord) -> list[Diagnostic]:
    """Lines whose SHA-256 an earlier line gave to another copy: one file cannot be two."""
    problems = []
    for lines in record.by_hash().values():
        first_line, first = lines[0]
        same = {k: v for k, v in first.items() if k != "time"}
        for number, entry in lines[1:]:
            if {k: v for k, v in entry.items() if k != "time"} != same:
                problems.append(
                    record.at(
                        number,
                        (
                            f"the SHA-256 of line {first_line} ({first['brief']} for [{first['recipient']}]) "
                            f"again, for {entry['brief']} ({entry['lang']}) for [{entry['recipient']}]: one file "
                            "cannot be two copies, so neither line can be trusted (the log was altered, or "
                            "an older briefs made these copies identical)"
                        ),
                    )
                )
                problems.append(record.at(first_line, f"its SHA-256 is claimed again on line {number}"))
    return sorted(set(problems), key=lambda d: d.location.line)


def read_log(path: Path) -> LogRecord:
    """Open and check a log for reading (``trace``): never through a symlink, never a FIFO."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise ContentError(
            Diagnostic(SourceLocation(path), "no distribution log here: briefs distribute writes it (or give --out)")
        ) from None
    except OSError as exc:
        reason = "it is a symbolic link; the log is a file briefs made" if exc.errno == errno.ELOOP else exc.strerror
        raise ContentError(Diagnostic(SourceLocation(path), f"cannot read the log: {reason}")) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ContentError(
                Diagnostic(SourceLocation(path), f"cannot read the log: it is a {file_kind(path)}, not a regular file")
            )
        return parse(path, fd)
    except OSError as exc:
        raise ContentError(Diagnostic(SourceLocation(path), f"cannot read the log: {exc.strerror}")) from None
    finally:
        os.close(fd)


class LogWriter:
    """Appends lines to the log of an output folder that the caller holds (``output_lock``).

    Opened without following a symlink (or writing through a hard link); a torn tail is cut
    off first, and a log with a damaged or altered line is refused: nothing is added to a record
    that cannot be read back."""

    def __init__(self, out: Path) -> None:
        self.path = out / LOG_NAME
        self.notes: list[Diagnostic] = []
        self._folder = os.open(out, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        self._fd = -1
        try:
            self._fd = open_private(self._folder, LOG_NAME, os.O_RDWR | os.O_APPEND, create=False)
        except FileNotFoundError:
            self.record = LogRecord(self.path)
            return
        except OSError as exc:
            self.close()
            raise cannot_write(self.path, exc) from None
        try:
            self.record = parse(self.path, self._fd)
            if self.record.complete_tail:  # only its newline is missing: a hand edit, not a tear
                os.write(self._fd, b"\n")
                os.fsync(self._fd)
                self.notes.append(self.record.torn_note("added"))
            elif self.record.torn:
                os.ftruncate(self._fd, self.record.whole)
                os.fsync(self._fd)
                self.notes.append(self.record.torn_note("removed"))
        except OSError as exc:
            self.close()
            raise cannot_write(self.path, exc) from None
        if self.record.problems:
            self.close()
            raise ContentError(
                [
                    *self.record.problems,
                    Diagnostic(
                        SourceLocation(self.path),
                        (
                            "the log cannot be read back as it is, so nothing is added to it; restore it "
                            "from a backup (or move it aside) and distribute again"
                        ),
                    ),
                ]
            )

    def recorded(self) -> set[tuple[str, str]]:
        """(file, sha256) of every line: the copies the log accounts for."""
        return {(e["file"], e["sha256"]) for _, e in self.record.entries}

    def append(self, entry: dict[str, str]) -> None:
        """Add one line and fsync it; on any failure the log is cut back to what it was."""
        self.extend([entry])

    def extend(self, entries: list[dict[str, str]]) -> None:
        """Add lines with one write and one fsync; on any failure the log is cut back to what it
        was (none of them is there: a batch is logged whole or not at all)."""
        if not entries:
            return
        lines = (json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n" for entry in entries)
        data = "".join(lines).encode("utf-8")
        try:
            if self._fd < 0:
                self._fd = open_private(self._folder, LOG_NAME, os.O_RDWR | os.O_APPEND)
            start = os.fstat(self._fd).st_size
        except OSError as exc:
            raise cannot_write(self.path, exc) from None
        try:
            view = memoryview(data)
            while view:  # a short write (disk full, a file-size limit) ends in the next one's error
                view = view[os.write(self._fd, view) :]
            os.fsync(self._fd)
        except BaseException as exc:
            try:
                os.ftruncate(self._fd, start)  # never leave a torn line behind
                os.fsync(self._fd)
            except OSError:
                pass  # the next distribute cuts it off
            if isinstance(exc, OSError):
                raise cannot_write(self.path, exc) from None
            raise

    def close(self) -> None:
        for fd in (self._fd, self._folder):
            if fd >= 0:
                os.close(fd)
        self._fd = self._folder = -1
