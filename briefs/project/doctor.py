"""``briefs doctor``: is this machine ready to build? Each check says what it found and, for a
problem, how to fix it.

The checks look at the real thing, the way a build would meet it: the fonts through fontconfig
(as WeasyPrint finds them), HarfBuzz's subsetter and Pango through WeasyPrint's own loader, the
output folder by creating and removing a file in it. Nothing here changes the machine.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from briefs.errors import BriefsError, display_path
from briefs.project.languages import LANGUAGES, FontSet

# WeasyPrint's documented minimum Pango (its installation guide): older ones lack what it calls.
MIN_PANGO = (1, 44, 0)
MIN_WEASYPRINT = (70,)  # pyproject.toml: weasyprint>=70
MIN_HARFBUZZ = (4, 1, 0)  # WeasyPrint subsets with HarfBuzz from 4.1.0, else with fontTools
MIN_JAVA = 11  # the Nu HTML checker (vnu.jar) runs on Java 11 or later
APT = "on Debian/Ubuntu: sudo apt-get install"


@dataclass(frozen=True)
class Finding:
    """The outcome of one check: ``ok``, else a problem with how to fix it."""

    name: str
    ok: bool
    found: str  # what was found, in a few words
    fix: str = ""  # for a problem: what to do
    required: bool = True  # a problem here fails ``briefs doctor`` (else it only warns)

    @property
    def status(self) -> str:
        """``ok``, ``problem`` (required) or ``warning``."""
        return "ok" if self.ok else "problem" if self.required else "warning"

    def __str__(self) -> str:
        line = f"{self.status:<8}{self.name}: {self.found}"
        return line if self.ok else f"{line}; fix: {self.fix}"


def examine(
    editions: Iterable[str], out: Path, fonts: Mapping[str, FontSet] | None = None, browser: bool = True
) -> list[Finding]:
    """Every check, in the order they are printed. ``fonts``: each edition's families (default:
    the language table's)."""
    families = fonts if fonts is not None else {tag: lang.fonts for tag, lang in LANGUAGES.items()}
    findings = check_fonts({tag: families[tag] for tag in editions if tag in families})
    findings += check_weasyprint()
    findings.append(check_output(out))
    findings.append(check_java())
    if browser:
        findings.append(check_browser())
    return findings


def check_fonts(editions: Mapping[str, FontSet]) -> list[Finding]:
    """Each edition's families, as fontconfig (WeasyPrint's font source) lists them."""
    from briefs.render.fonts import INSTALL_HINT, installed_families

    try:
        have = installed_families()
    except BriefsError:
        return [Finding("fonts", False, "fontconfig's fc-list is not installed", f"{APT} fontconfig; {INSTALL_HINT}")]
    findings = []
    for tag, fonts in editions.items():
        needed = dict.fromkeys((fonts.sans, fonts.serif))
        missing = [family for family in needed if family not in have]
        if missing:
            shown = ", ".join(f"'{family}'" for family in missing)
            findings.append(Finding(f"fonts {tag}", False, f"{shown} not installed", INSTALL_HINT))
        else:
            findings.append(Finding(f"fonts {tag}", True, ", ".join(needed)))
        if fonts.mono not in have:
            findings.append(
                Finding(
                    f"code font {tag}",
                    False,
                    f"'{fonts.mono}' not installed (code is set in a fallback font)",
                    INSTALL_HINT,
                    required=False,
                )
            )
    return findings


def check_weasyprint() -> list[Finding]:
    """WeasyPrint's version, Pango's, and HarfBuzz's subsetter as WeasyPrint loads them."""
    try:
        version = metadata.version("weasyprint")
    except metadata.PackageNotFoundError:
        return [Finding("WeasyPrint", False, "not installed", "pip install 'weasyprint>=70' in the project's venv")]
    findings = [
        Finding("WeasyPrint", True, version)
        if _numbers(version) >= MIN_WEASYPRINT
        else Finding("WeasyPrint", False, f"{version}, older than 70", "pip install --upgrade 'weasyprint>=70'")
    ]
    try:
        from weasyprint.text import ffi  # dlopens Pango, HarfBuzz and its subsetter, as a build would
    except OSError as exc:
        fix = f"{APT} libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
        return [*findings, Finding("Pango", False, f"cannot be loaded ({exc})", fix)]
    raw = int(ffi.pango.pango_version())
    pango = (raw // 10000, raw // 100 % 100, raw % 100)
    shown = ".".join(map(str, pango))
    if pango >= MIN_PANGO:
        findings.append(Finding("Pango", True, shown))
    else:
        need = ".".join(map(str, MIN_PANGO))
        findings.append(
            Finding(
                "Pango", False, f"{shown}, older than WeasyPrint's minimum {need}", f"{APT} libpango-1.0-0 (>= {need})"
            )
        )
    subset = ffi.harfbuzz_subset is not None and bool(ffi.harfbuzz.hb_version_atleast(*MIN_HARFBUZZ))
    findings.append(
        Finding("HarfBuzz subsetter", True, "found (libharfbuzz-subset, HarfBuzz 4.1 or later)")
        if subset
        else Finding(
            "HarfBuzz subsetter",
            False,
            "not found: WeasyPrint falls back on fontTools, and a Chinese PDF takes about ten times as long",
            f"{APT} libharfbuzz-subset0 (HarfBuzz {'.'.join(map(str, MIN_HARFBUZZ))} or later)",
        )
    )
    return findings


def check_output(out: Path) -> Finding:
    """Whether a build can write in ``out``: a file is made and removed there (or, for a folder
    yet to be made, in the nearest folder above it that exists)."""
    name = f"output folder {display_path(out)}"
    target = Path(os.path.abspath(out))
    existing = target
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        shown = display_path(existing)
        return Finding(
            name, False, f"{shown} is a file, not a folder", f"move {shown} away, or build into a folder (--out DIR)"
        )
    try:
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".briefs-doctor-"):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        shown = display_path(existing)
        if exc.errno == errno.EROFS:
            fix = f"{shown} is on a read-only file system: build into a writable folder (--out DIR)"
        else:
            fix = f"give yourself write access (chmod u+w '{shown}'), or build into another folder (--out DIR)"
        return Finding(name, False, f"cannot write in {display_path(existing)}: {reason}", fix)
    if existing != target:
        return Finding(name, True, f"does not exist yet; a build makes it in {display_path(existing)}")
    return Finding(name, True, "writable")


def check_java() -> Finding:
    """Java, for the Nu HTML checker (vnu.jar) the tests run over every page."""
    fix = f"{APT} default-jre-headless (only the HTML checker of the tests needs it)"
    java = shutil.which("java")
    if java is None:
        return Finding("Java", False, "not found (the HTML checker needs it)", fix, required=False)
    try:
        shown = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30, check=False).stderr
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Finding("Java", False, f"{java} does not run ({exc})", fix, required=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', shown)
    if match is None:
        return Finding("Java", False, f"{java} gives no version", fix, required=False)
    major = int(match.group(2) if match.group(1) == "1" and match.group(2) else match.group(1))
    if major < MIN_JAVA:
        return Finding("Java", False, f"Java {major}, older than {MIN_JAVA}", fix, required=False)
    return Finding("Java", True, f"Java {major} ({java})")


def check_browser() -> Finding:
    """Chromium and its driver, for the tests that drive a headless browser."""
    browser = next((p for name in ("chromium", "chromium-browser", "google-chrome") if (p := shutil.which(name))), None)
    driver = shutil.which("chromedriver")
    if browser and driver:
        return Finding("Chromium", True, f"{browser}, {driver}")
    missing = " and ".join(n for n, p in (("chromium", browser), ("chromedriver", driver)) if not p)
    return Finding(
        "Chromium",
        False,
        f"{missing} not found (only the browser tests need them)",
        f"{APT} chromium chromium-driver",
        required=False,
    )


def _numbers(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])
