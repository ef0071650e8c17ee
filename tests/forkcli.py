"""``python -m briefs ARGS`` in a child process, without paying for the interpreter's start.

Many tests run the real command line in a child process: so that a hang, a leak of memory or of
the environment, or an exit status shows as it would for a user. Each such run paid about 0.7 s
of CPU before doing anything (Python, pandas, Jinja, matplotlib and the rest imported again), and
a `briefs check` of one brief about 2 s in all.

Here each pytest process starts, once, a small server that has imported what the command line
imports and then only waits. Every run is a fork of that server: a new process (its own pid,
process group, environment, working folder, limits and standard streams, stdin from /dev/null)
that runs ``briefs.cli.main`` as ``python -m briefs`` does and leaves with its exit status. The
server holds no state of any run (nothing was ever run in it: no cache, no chart, no loaded
project), so each run starts as cold as a new interpreter, only with its modules imported.

What differs from a new interpreter is only what modules compute when imported; nothing in
briefs reads the environment then (tests/test_forkcli.py checks that a run sees its own
environment). Runs that need another interpreter (a plugin's venv, a server, a signal sent
mid-run) start a real one.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The server: imports, then forks one child per request line (JSON) and answers its pid, then its
# wait status. One request at a time (each pytest process has its own server).
SERVER = r"""
import json, os, resource, sys
sys.path[0] = ROOT
import importlib, pkgutil
import briefs.cli as cli
import briefs.commands
for found in pkgutil.iter_modules(briefs.commands.__path__, "briefs.commands."):
    importlib.import_module(found.name)  # every command, as the command line imports one
for name in ("briefs.pipeline.run", "briefs.pipeline.planning", "briefs.exhibits.charts",
             "matplotlib.figure", "matplotlib.backends.backend_svg"):
    importlib.import_module(name)
ready = sys.stdout
ready.write("ready\n"); ready.flush()
for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()  # its own process group: a run that hangs is stopped with its workers
            # (signals as a new interpreter sets them: the server is one, and has changed none)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
                out = os.open(path, os.O_WRONLY | os.O_TRUNC)
                os.dup2(out, fd)
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update(request["env"])
            sys.path[0] = os.getcwd()  # as python -m puts the working folder first
            for kind, limit in ((resource.RLIMIT_AS, request["address_space"]),
                                (resource.RLIMIT_FSIZE, request["file_size"])):
                if limit is not None:
                    resource.setrlimit(kind, (limit, limit))
            sys.stdin = open(0, closefd=False)
            sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
            sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
            import faulthandler, signal
            faulthandler.register(signal.SIGUSR1, all_threads=True)  # where a run that hangs is
            sys.argv = [os.path.join(os.path.dirname(cli.__file__), "__main__.py"), *request["argv"]]
            cli.main()
        except BaseException:
            import traceback
            traceback.print_exc()
            sys.stderr.flush()
        os._exit(70)
    sys.stdout.write(json.dumps({"pid": pid}) + "\n"); sys.stdout.flush()
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(json.dumps({"status": os.waitstatus_to_exitcode(status)}) + "\n"); sys.stdout.flush()
"""


class _Server:
    def __init__(self) -> None:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}  # (a math library's per-core threads)
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER.replace("sys.path[0] = ROOT", f"sys.path[0] = {str(ROOT)!r}")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env,
        )
        self.lock = threading.Lock()
        self.pending = b""  # read from the server's stdout, not yet a whole line
        assert self.line(180) == "ready"

    def line(self, timeout: float | None) -> str:
        """The server's next line, waiting at most ``timeout`` seconds (None: for ever). Read
        from the pipe itself: a run that ends at once writes its pid and status lines together,
        and a buffered reader would take both on the first readline, leaving select() nothing
        to see for the second (the run then seemed to hang until its timeout)."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = None if timeout is None else time.monotonic() + max(timeout, 0)
        while b"\n" not in self.pending:
            left = None if deadline is None else max(deadline - time.monotonic(), 0)
            if not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise RuntimeError("the test's command-line server ended")
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line.decode("utf-8")

    def reply(self, timeout: float | None) -> dict[str, int]:
        answer: dict[str, int] = json.loads(self.line(timeout))
        return answer

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class Hung(subprocess.TimeoutExpired):
    """A run over its time, reported with the end of its stderr (its stack when it hung)."""

    def __str__(self) -> str:
        tail = (self.stderr or b"")[-4000:].decode("utf-8", "backslashreplace")
        return f"{super().__str__()}; its stderr ends:\n{tail}"


_server: _Server | None = None


def _the_server() -> _Server:
    global _server
    if _server is None or _server.process.poll() is not None:
        _server = _Server()
        atexit.register(_server.close)
    return _server


def run_briefs(
    cwd: Path | str,
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
    address_space: int | None = None,
    file_size: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m briefs ARGS`` run in ``cwd`` (stdin from /dev/null), as :func:`subprocess.run`
    with ``capture_output=True, text=True`` answers it; ``env`` is the whole environment (default:
    this process's); ``address_space`` and ``file_size`` cap the run's (RLIMIT_AS, RLIMIT_FSIZE).
    A run over ``timeout`` is killed with every process of its group and raises
    :class:`subprocess.TimeoutExpired`."""
    server = _the_server()
    command = [sys.executable, "-m", "briefs", *args]
    with server.lock, tempfile.TemporaryDirectory(prefix="forkcli-") as streams:
        out, err = Path(streams, "stdout"), Path(streams, "stderr")
        out.touch()
        err.touch()
        request = {
            "argv": list(args),
            "cwd": str(Path(cwd).resolve()),
            "env": dict(os.environ if env is None else env),
            "address_space": address_space,
            "file_size": file_size,
            "stdout": str(out),
            "stderr": str(err),
        }
        assert server.process.stdin is not None
        server.process.stdin.write(json.dumps(request) + "\n")
        server.process.stdin.flush()
        pid = server.reply(30)["pid"]
        try:
            status = server.reply(timeout)["status"]
        except TimeoutError:
            try:
                os.kill(pid, signal.SIGUSR1)  # its stack on its stderr, for the report
                time.sleep(1)
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            server.reply(None)
            raise Hung(command, timeout, out.read_bytes(), err.read_bytes()) from None
        decode = {"encoding": "utf-8", "errors": "backslashreplace"}
        return subprocess.CompletedProcess(command, status, out.read_text(**decode), err.read_text(**decode))
