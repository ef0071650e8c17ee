"""Live-preview benchmark (issue 16): save -> the reloaded HTML in the browser, for one brief.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_serve.py [--edits N] [--format html,pdf]

Copies the example project to a temporary folder, starts ``briefs serve --port 0`` on one brief
(compute-etf-note) and opens its preview page in headless Chromium (tests/browser.py). Each edit
rewrites the brief's English title; the time measured runs from just before the file is written
to the moment the English frame's ``load`` event fires with the new title (the page's own clock,
``Date.now()``, against ``time.time()`` here: the same system clock). Before the next edit the
server is let finish the round (the check, and the PDF with ``--format html,pdf``, the default),
so each edit is measured from an idle server, as an author saving, reading, and saving again.
Target: 0.5 s.
"""

# ruff: noqa: T201 - a script that reports on stdout
from __future__ import annotations

import argparse
import os
import platform
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from browser import chromium, wait_for  # noqa: E402 - the tests' headless Chromium

BRIEF = "compute-etf-note"
TITLE = '  en: "Jensen Huang on the DeepSeek shock: inference is still compute-hungry"'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--format", default="html,pdf")
    args = parser.parse_args()
    project = Path(tempfile.mkdtemp(prefix="briefs-bench-serve-"))
    shutil.copytree(ROOT / "content", project / "content")
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    brief_yaml = project / "content" / BRIEF / "brief.yaml"
    original = brief_yaml.read_text("utf-8")
    assert TITLE in original
    lines: queue.Queue[str] = queue.Queue()
    server = subprocess.Popen(
        [sys.executable, "-m", "briefs", "serve", "--port", "0", "--format", args.format, f"content/{BRIEF}"],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "CI": "1", "PYTHONPATH": str(ROOT)})
    threading.Thread(target=lambda: [lines.put(line.rstrip()) for line in server.stdout or ()], daemon=True).start()
    ends_round = "built PDF" if "pdf" in args.format else "checked 1 brief(s)"

    def until(text: str) -> list[str]:
        seen = []
        while True:
            line = lines.get(timeout=300)
            seen.append(line)
            if text in line:
                return seen

    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, load "
          f"{os.getloadavg()[0]:.1f}, Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}")
    try:
        url = re.search(r"http://\S+/", until("serving the preview at")[-1])
        assert url
        until(ends_round)
        latencies: list[float] = []
        builds: list[float] = []
        events: list[float] = []
        with chromium() as browser:
            browser.get(f"{url.group(0)}_preview/{BRIEF}")
            frame = "return document.querySelector(\"iframe[data-lang='en']\").contentDocument.title"
            wait_for(browser, lambda b: "Jensen" in b.execute_script(frame), what="the first page")
            for i in range(args.edits):
                title = f"Edit {i}: inference is still compute-hungry"
                text = original.replace(TITLE, f'  en: "{title}"')
                saved = time.time()
                brief_yaml.write_text(text, "utf-8")
                wait_for(browser, lambda b, t=title: t in b.execute_script(frame), what=title)  # type: ignore[misc]
                loaded = browser.execute_script("return window.briefsLoaded.en") / 1000
                asked = browser.execute_script("return window.briefsReloadAsked") / 1000
                latencies.append(loaded - saved)
                events.append(asked - saved)
                printed = until(ends_round)
                built = next(line for line in printed if line.startswith("built HTML"))
                builds.append(float(re.findall(r"in ([\d.]+)s", built)[0]))
                print(f"edit {i + 1}: save -> reloaded HTML {latencies[-1]:.3f} s (HTML build {builds[-1]:.2f} s; "
                      f"save -> reload event in the page {events[-1]:.3f} s)")
        print(f"save -> reloaded HTML over {len(latencies)} edits: median {statistics.median(latencies):.3f} s, "
              f"min {min(latencies):.3f} s, max {max(latencies):.3f} s (target 0.5 s); "
              f"of which the HTML build: median {statistics.median(builds):.3f} s, save -> the page told to reload: "
              f"median {statistics.median(events):.3f} s")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
        shutil.rmtree(project, ignore_errors=True)


if __name__ == "__main__":
    main()
