"""Loaded briefs kept between builds, so that a rebuild loads only the briefs whose inputs changed.

Loading (parsing YAML with its lines, validating, resolving bodies and exhibits, checking links
and citations) costs 15–25 ms a brief: at a thousand briefs an edit of one would spend most of
its time loading the 999 others again. A build keeps each brief it loaded in
``<out>/.briefs/loaded/``, under the key of everything loading it can depend on (its own folder,
every shared file, the configuration, the toolkit and the installed libraries: the brief's input
key without its date, :func:`briefs.pipeline.fingerprints.input_keys`), and takes it from there
while that key is the same. A brief with a different key, or with no entry, is loaded afresh.

The entries are pickles, and unpickling runs code: so each is signed (HMAC-SHA-256) with a
secret that lives outside the output folder (``$XDG_STATE_HOME/briefs/load-cache.key``, by default
under ``~/.local/state``, made on first use, readable by its owner only; not under ``~/.cache``,
which CI jobs often restore from a shared cache). An entry this user's builds did not write (an output
folder restored from a shared CI cache, copied from a colleague, or written by someone else) has
no valid signature and is never unpickled: it is loaded afresh and written again. Without a
usable secret (no writable home) nothing is kept. Like every record in ``.briefs/``, the entries
are only a cache: a missing, damaged or foreign one costs a load, never an error.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import pickle
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from briefs.errors import BriefsError
from briefs.load.loaded import LoadedBrief
from briefs.pipeline.write import STATE, release, stage
from briefs.source.safefiles import Unsafe, read_bytes

log = logging.getLogger(__name__)

FOLDER = Path(STATE) / "loaded"
MAGIC = b"briefs-loaded-1\n"
_LIMIT = 64 * 2**20  # far above any brief's entry (about 30 KB): a larger file is not one of ours
_KEY_BYTES = 32
_SIGNED = len(MAGIC) + hashlib.sha256().digest_size  # an entry: MAGIC, its signature, its key line, its pickle


def secret_path() -> Path:
    """Where this user's signing secret lives (outside every output folder)."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "briefs" / "load-cache.key"


def _secret() -> bytes | None:
    """This user's secret, made on first use (only its owner may read it); None if it cannot be
    read or made, or is not this user's private regular file."""
    path = secret_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except FileExistsError:
            pass
        else:
            try:
                os.write(fd, secrets.token_bytes(_KEY_BYTES))
            finally:
                os.close(fd)
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
                log.debug("load cache off: %s is not this user's private file", path)
                return None
            key = os.read(fd, _KEY_BYTES + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        log.debug("load cache off: %s: %s", path, exc)
        return None
    return key if len(key) == _KEY_BYTES else None


class LoadCache:
    """The loaded briefs of one output folder's builds, each under its folder's input key."""

    def __init__(self, out: Path, keys: Mapping[Path, str], *, read: bool = True) -> None:
        """``keys``: resolved brief folder -> its input key (briefs not in it are never kept);
        ``read`` false (``build --force``): every brief is loaded afresh, and kept again."""
        self.folder = out / FOLDER
        self.keys = keys
        self.read = read
        self.secret = _secret()
        self.hits = 0

    def _entry(self, brief_folder: Path) -> Path:
        return self.folder / (hashlib.sha256(os.fsencode(brief_folder)).hexdigest()[:32] + ".pickle")

    def _sign(self, key: str, body: bytes) -> bytes:
        assert self.secret is not None
        return hmac.new(self.secret, MAGIC + key.encode("ascii") + b"\n" + body, hashlib.sha256).digest()

    def get(self, path: Path) -> LoadedBrief | None:
        """The brief at ``path`` (its brief.yaml) as loaded by an earlier build from the same
        inputs; None if there is no such entry, or it is not one this user's builds signed."""
        folder = path.parent.resolve()
        key = self.keys.get(folder)
        if key is None or self.secret is None or not self.read:
            return None
        try:
            raw = read_bytes(self._entry(folder), _LIMIT)
        except (OSError, Unsafe):
            return None
        head = _SIGNED + len(key) + 1
        if raw[: len(MAGIC)] != MAGIC or raw[_SIGNED:head] != key.encode("ascii") + b"\n":
            return None  # another key (the brief or what it uses changed since), or not ours
        body = raw[head:]
        if not hmac.compare_digest(raw[len(MAGIC) : _SIGNED], self._sign(key, body)):
            log.debug("load cache: %s is not signed by this user's builds; loading again", path)
            return None
        try:
            loaded = pickle.loads(body)  # signed by this user's own build: see the module's note
        except (pickle.UnpicklingError, AttributeError, ImportError, EOFError, TypeError, ValueError):
            # (a class moved since: an upgrade changes every key anyway)
            return None
        if not isinstance(loaded, LoadedBrief) or loaded.path != path:
            return None
        self.hits += 1
        return loaded

    def put(self, path: Path, loaded: LoadedBrief) -> None:
        """Keep ``loaded`` for the next build (best effort: a failure only costs a later load)."""
        folder = path.parent.resolve()
        key = self.keys.get(folder)
        if key is None or self.secret is None:
            return
        body = pickle.dumps(loaded, pickle.HIGHEST_PROTOCOL)
        target = self._entry(folder)
        try:
            # Not fsynced: an entry cut short by a crash fails its signature and is loaded again.
            release(
                stage(target, MAGIC + self._sign(key, body) + key.encode("ascii") + b"\n" + body, sync=False), target
            )
        except (OSError, BriefsError) as exc:
            log.debug("load cache: cannot keep %s: %s", path, exc)

    def keep_only(self, paths: list[Path]) -> None:
        """Remove the entries of briefs no longer in the project (after a full load)."""
        wanted = {self._entry(p.parent.resolve()).name for p in paths}
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if name.endswith(".pickle") and name not in wanted:
                try:
                    os.unlink(self.folder / name)
                except OSError:
                    pass
