"""``briefs serve``: the real server in a child process on a copy of the example project, looked at
through a headless Chromium and through raw HTTP requests (a browser normalises what these send)."""

from __future__ import annotations

import http.client
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from .browser import chromium, wait_for
from .conftest import copy_project, edit


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about the preview server, not about the
    examples."""
    return small_project


BRIEF = "compute-etf-note"
TITLE = "Jensen Huang on the DeepSeek shock: inference is still compute-hungry"


class Serving:
    """``briefs serve --port 0 --format FORMATS ARGS`` running in ``project``, its output read line by line."""

    def __init__(self, project: Path, *args: str, formats: str = "html") -> None:
        self.project = project
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "briefs", "serve", "--port", "0", "--format", formats, *args],
            cwd=project, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env={**os.environ, "CI": "1"}, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", self.until("serving the preview at")[-1])
        assert found, self.seen
        self.port = int(found.group(1))
        self.url = f"http://127.0.0.1:{self.port}/"

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put("\0")  # the process has ended

    def until(self, text: str, timeout: float = 120) -> list[str]:
        """The lines printed from now up to and including the first one containing ``text``."""
        deadline = time.monotonic() + timeout
        batch: list[str] = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            assert line != "\0", f"serve ended before {text!r}: {self.seen}"
            batch.append(line)
            self.seen.append(line)
            if text in line:
                return batch
        raise AssertionError(f"no {text!r} within {timeout} s; saw {self.seen}")

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """A raw GET of ``path`` as written (no normalisation), with the right Host unless given."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            for name, value in {"Host": f"127.0.0.1:{self.port}", **(headers or {})}.items():
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            if response.getheader("content-type", "").startswith("text/event-stream"):
                return response.status, b""  # a stream that does not end: its status is the answer
            return response.status, response.read()
        finally:
            connection.close()

    def stop(self) -> int:
        """Ctrl-C, as in a terminal; the exit status. The rest of the output is read into ``seen``."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self.reader.join(timeout=10)
            assert self.process.stdout is not None
            self.process.stdout.close()
            while not self.lines.empty():
                self.seen.append(self.lines.get())


def frame_title(browser: WebDriver, lang: str) -> str:
    """The title of the page shown in the preview's frame of ``lang`` ('' until it has loaded)."""
    return str(browser.execute_script(
        "const f = document.querySelector(`iframe[data-lang='${arguments[0]}']`);"
        "return f && f.contentDocument ? f.contentDocument.title : '';", lang))


def _check_lines(project: Path) -> list[str]:
    """What ``briefs check`` prints for the brief, line by line."""
    done = subprocess.run([sys.executable, "-m", "briefs", "check", f"content/{BRIEF}"], cwd=project, text=True,
                          capture_output=True, env={**os.environ, "CI": "1"}, timeout=120)
    return [line for line in (done.stderr + done.stdout).splitlines() if line]


# ----------------------------------------------------------------------------- in the browser


def test_preview_reloads_on_save_shows_errors_in_place_and_recovers(project: Path) -> None:
    brief_yaml = project / "content" / BRIEF / "brief.yaml"
    serving = Serving(project, f"content/{BRIEF}")
    try:
        serving.until("checked 1 brief(s)")
        with chromium() as browser:
            browser.get(serving.url + f"_preview/{BRIEF}")

            def problems() -> list[tuple[str, str]]:
                shown = browser.execute_script(
                    "const box = document.getElementById('problems'); if (box.hidden) return [];"
                    "return [...box.querySelectorAll('li')].map(li => [li.className, li.textContent]);")
                return [(str(kind), str(text)) for kind, text in shown]

            wait_for(browser, lambda _: TITLE in frame_title(browser, "en"), what="the en edition in its frame")
            assert "黄仁勋" in frame_title(browser, "zh-CN")  # the two editions side by side
            assert problems() == []
            pdf_links = browser.find_elements("css selector", "a.pdf")
            assert pdf_links == []  # --format html: no PDF to link to

            # 1. a new title: the frame reloads with it, the page around it stays
            browser.execute_script("window.notReloaded = true;")
            edit(brief_yaml, f'en: "{TITLE}"', 'en: "Edited in the preview: inference <b>still</b> needs compute"')
            wait_for(browser, lambda _: "Edited in the preview" in frame_title(browser, "en"), what="the new title")
            assert "inference <b>still</b> needs compute" in frame_title(browser, "en")  # text, not markup
            assert browser.execute_script("return window.notReloaded") is True
            # an edited translation is not yet reviewed: the warning `check` prints, in the page too
            assert serving.until("checked 1 brief(s)")[-1] == "checked 1 brief(s): 1 warning(s)"
            wait_for(browser, lambda _: problems(), what="the review warning in the page")
            [(kind, text)] = problems()
            assert kind == "warning" and "en text changed since review" in text, text
            # the translator marks it reviewed (the lock changes: another round), and the warning goes
            reviewed = subprocess.run(
                [sys.executable, "-m", "briefs", "translations", "--reviewed", f"content/{BRIEF}"],
                cwd=project, text=True, capture_output=True, timeout=120, check=False)
            assert reviewed.returncode == 0, reviewed.stderr
            assert serving.until("checked 1 brief(s)")[-1] == "checked 1 brief(s): no problems"
            wait_for(browser, lambda _: problems() == [], what="the warning cleared")

            # 2. broken YAML: the error, located as `briefs check` prints it, shows in the page
            edit(brief_yaml, "kind: fund-marketing", "kind: [fund-marketing")
            serving.until("the build failed")
            expected = [line for line in _check_lines(project) if "brief.yaml:" in line]
            assert expected and re.match(rf"content/{BRIEF}/brief\.yaml:\d+:\d+: ", expected[0]), expected
            wait_for(browser, lambda _: problems(), what="the error in the page")
            assert problems() == [("error", line) for line in expected]
            assert all(line in serving.seen for line in expected)  # on the console too, the same text
            assert "Edited in the preview" in frame_title(browser, "en")  # the last good page stays

            # 3. fixed: the error goes, the page shows the content again
            edit(brief_yaml, "kind: [fund-marketing", "kind: fund-marketing")
            wait_for(browser, lambda _: problems() == [], what="the error cleared")
            assert "Edited in the preview" in frame_title(browser, "en")
            assert browser.find_element("id", "problems").is_displayed() is False
    finally:
        assert serving.stop() == 0
    assert "stopped serving" in serving.seen[-2:]


def test_warnings_are_printed_and_shown_as_check_prints_them(project: Path) -> None:
    serving = Serving(project, f"content/{BRIEF}")
    try:
        serving.until("checked 1 brief(s): no problems")
        with chromium() as browser:
            browser.get(serving.url)
            assert browser.find_element("css selector", "a.preview").text == BRIEF
            edit(project / "content" / BRIEF / "etfs.zh-CN.md", "R4", "R5")  # the English is now stale
            printed = serving.until("checked 1 brief(s): 1 warning(s)")
            expected = _check_lines(project)
            warning = next(line for line in expected if "warning:" in line)
            assert warning in printed  # the same line, on the console
            assert printed[-1] == expected[-1] == "checked 1 brief(s): 1 warning(s)"
            assert re.match(rf"content/{BRIEF}/etfs\.en\.md:\d+:\d+: warning: ", warning)
            shown = wait_for(browser, lambda b: b.find_elements("css selector", "#problems li.warning"),
                             what="the warning in the list page")
            assert [li.text for li in shown] == [warning]
    finally:
        serving.stop()


@pytest.mark.pdf
def test_the_pdf_follows_the_html_and_its_link_updates(project: Path) -> None:
    serving = Serving(project, "--lang", "en", f"content/{BRIEF}", formats="html,pdf")
    try:
        serving.until("built PDF of 1 brief(s)")
        with chromium() as browser:
            browser.get(serving.url + f"_preview/{BRIEF}")
            link = wait_for(browser, lambda b: b.find_element("css selector", "a.pdf"), what="the PDF link")
            first = link.get_attribute("href")
            assert first and link.is_displayed()
            status, pdf = serving.get(first.removeprefix(serving.url[:-1]))
            assert status == 200 and pdf.startswith(b"%PDF-")

            edit(project / "content" / BRIEF / "brief.yaml", f'en: "{TITLE}"', 'en: "A new title for the PDF"')
            printed = serving.until("built PDF of 1 brief(s)")
            assert next(line for line in printed if line.startswith("built ")).startswith("built HTML")  # HTML 1st
            wait_for(browser, lambda b: "A new title" in b.execute_script(
                "return document.querySelector('iframe').contentDocument.title"), what="the new HTML")
            wait_for(browser, lambda _: link.get_attribute("href") != first, what="the PDF link updated")
            status, again = serving.get(str(link.get_attribute("href")).removeprefix(serving.url[:-1]))
            assert status == 200 and again.startswith(b"%PDF-") and again != pdf
            assert browser.find_element("css selector", ".pdf-status").text == ""
    finally:
        serving.stop()


# ----------------------------------------------------------------------------- raw HTTP


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serving]:
    project = copy_project(tmp_path_factory.mktemp("serve") / "project", theme=False)
    out = project / "output"
    serving = Serving(project, f"content/{BRIEF}")
    serving.until("checked 1 brief(s)")
    (project / "secret.txt").write_text("the project's secret", "utf-8")
    (out / "leak.txt").symlink_to(project / "secret.txt")
    (out / "leak-dir").symlink_to(project)
    (out / "state").symlink_to(out / ".briefs")
    yield serving
    serving.stop()


def test_a_foreign_host_is_refused(server: Serving) -> None:
    port = server.port
    assert server.get("/")[0] == 200
    for host in (f"localhost:{port}", f"[::1]:{port}"):
        assert server.get("/", {"Host": host})[0] == 200, host
    for host in (f"evil.example:{port}", "evil.example", f"localhost.evil.example:{port}", f"127.0.0.1:{port + 1}",
                 "127.0.0.1", f"127.0.0.1.nip.io:{port}", ""):
        status, body = server.get("/", {"Host": host})
        assert status == 421 and b"<html" not in body, host
    status, body = server.get(f"/{BRIEF}/{BRIEF}.en.html", {"Host": f"rebound.example:{port}"})
    assert status == 421 and TITLE.encode() not in body


def test_a_foreign_origin_is_refused(server: Serving) -> None:
    port = server.port
    assert server.get("/", {"Origin": f"http://127.0.0.1:{port}"})[0] == 200
    assert server.get("/_events", {"Origin": f"http://localhost:{port}"})[0] == 200
    for origin in ("http://evil.example", f"http://evil.example:{port}", "null", f"https://127.0.0.1:{port}",
                   f"http://127.0.0.1:{port + 1}"):
        status, body = server.get(f"/{BRIEF}/{BRIEF}.en.html", {"Origin": origin})
        assert status == 403 and TITLE.encode() not in body, origin
        assert server.get("/_events", {"Origin": origin})[0] == 403, origin


@pytest.mark.parametrize("path", [
    "/../pyproject.toml", f"/{BRIEF}/../../pyproject.toml", "/%2e%2e/pyproject.toml", "/%2E%2E/secret.txt",
    f"/{BRIEF}%2f..%2f..%2fsecret.txt", "/..%2fsecret.txt", "/..%5csecret.txt", "/.briefs/manifest.json",
    "/%2ebriefs/manifest.json", "/state/manifest.json", "/leak.txt", "/leak-dir/secret.txt",
    "/leak-dir/pyproject.toml", "//etc/passwd", "/%00", f"/{BRIEF}/.", "/_preview/..%2f..%2fsecret.txt",
])
def test_nothing_outside_the_output_folder_is_served(server: Serving, path: str) -> None:
    assert server.get(f"/{BRIEF}/{BRIEF}.en.html")[0] == 200  # what may be served is
    status, body = server.get(path)
    assert status in (400, 404), (path, status)
    assert b"secret" not in body and b"[tool.briefs]" not in body and b"root:" not in body, path


def test_not_reachable_on_another_interface(server: Serving) -> None:
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except OSError:  # the host name does not resolve
        addresses = set()
    addresses |= set(subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split())
    others = sorted(a for a in addresses if ":" not in a and not a.startswith("127."))
    if not others:
        pytest.skip("this machine has no address but loopback")
    for address in others:
        with pytest.raises(OSError), socket.create_connection((address, server.port), timeout=5):
            pass
    with socket.create_connection(("127.0.0.1", server.port), timeout=5):  # while it is up on loopback
        pass


def test_a_port_in_use_is_a_located_error(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "briefs", "serve", "--port", str(port)], cwd=project,
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"--port: cannot listen on 127.0.0.1 port {port}: Address already in use" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (project / "output").exists()  # nothing built


def test_an_address_not_of_this_machine_is_a_located_error(project: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "briefs", "serve", "--host", "192.0.2.99", "--port", "0"],
                          cwd=project, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "--host: cannot listen on 192.0.2.99 port 0: Cannot assign requested address" in done.stderr
    assert "Traceback" not in done.stderr
