"""Visual regression: chosen PDF pages, rasterised in grey at 40 dpi, against committed references.

Per brief (the examples cover every kind of kinds.yaml) and language, three pages are compared:
the first (masthead, title block, sidebar, key points), the one where the important disclosures
begin, and the last. A page differs when more than TOLERANCE of its pixels changed by more than
LEVEL grey values, which catches a moved sidebar or a missing block, not anti-aliasing.

After an intended layout change, refresh the references and commit them:

    scripts/test tests/test_visual.py --refresh-visual
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from bs4 import BeautifulSoup
from PIL import Image
from pypdf import PdfReader

from briefs.load.project import load_project
from briefs.project.config import load_config

from .conftest import EXAMPLES, ROOT, Built

pytestmark = pytest.mark.pdf

REFERENCES = ROOT / "tests" / "visual"
FAILED = REFERENCES / "failed"  # actual and diff images of the last failing run (git-ignored)
REFRESH = "scripts/test tests/test_visual.py --refresh-visual"
DPI = 40
GREYS = 16  # references are stored with 16 grey levels (4-bit PNG): a few KB each
LEVEL = 64  # a pixel differs when its grey value moved by more than this (of 255)
TOLERANCE = 0.001  # a page differs when more than this fraction of its pixels differ
LANGS = ("zh-CN", "en", "zh-HK")  # zh-HK: the derived edition (OpenCC, HK fonts) looks right too
BRIEFS = list(EXAMPLES)
NAME = re.compile(r"^(?P<brief>.+)\.(?P<lang>[A-Za-z]{2}(?:-[A-Za-z]{2})?)\.(?P<page>[a-z]+)\.png$")


def quantize(image: Image.Image) -> np.ndarray:
    """Grey values rounded to GREYS levels (what a reference stores)."""
    step = 255 / (GREYS - 1)
    grey = np.asarray(image.convert("L"), dtype=np.float64)
    return (np.round(grey / step) * step).round().astype(np.uint8)


def save_reference(pixels: np.ndarray, path: Path) -> None:
    """A 4-bit palette PNG of quantized grey pixels."""
    step = 255 / (GREYS - 1)
    height, width = pixels.shape
    image = Image.frombytes("P", (width, height), np.round(pixels / step).astype(np.uint8).tobytes())
    image.putpalette([round(i * step) for i in range(GREYS) for _ in range(3)])
    image.save(path, "PNG", optimize=True, bits=4)


def rasterize(pdf: Path, page: int) -> np.ndarray:
    """One page (1-based) of a PDF as quantized grey pixels at DPI."""
    png = subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", "-f", str(page), "-l", str(page),
                          "-singlefile", str(pdf)], capture_output=True, check=True).stdout
    return quantize(Image.open(io.BytesIO(png)))


def chosen_pages(built: Built, brief_id: str, lang: str) -> dict[str, int]:
    """Role → 1-based page: first, disclosures (from the PDF outline), last; a page is taken once."""
    pdf = built.file(brief_id, lang, "pdf")
    reader = PdfReader(pdf)
    html = BeautifulSoup(built.file(brief_id, lang, "html").read_text("utf-8"), "html.parser")
    heading = html.select_one("#disclosures-heading").get_text(strip=True)

    def outline(items: list) -> int | None:  # type: ignore[type-arg]
        for item in items:
            found = outline(item) if isinstance(item, list) else (
                reader.get_destination_page_number(item) + 1 if item.title == heading else None)
            if found:
                return found
        return None

    disclosures = outline(reader.outline)
    assert disclosures, f"{pdf}: no bookmark {heading!r}"
    pages: dict[str, int] = {}
    for role, page in (("first", 1), ("disclosures", disclosures), ("last", len(reader.pages))):
        if page not in pages.values():
            pages[role] = page
    return pages


def difference(reference: np.ndarray, actual: np.ndarray) -> float:
    """The fraction of pixels whose grey value differs by more than LEVEL (1.0 if the sizes differ)."""
    if reference.shape != actual.shape:
        return 1.0
    return float((np.abs(reference.astype(np.int16) - actual.astype(np.int16)) > LEVEL).mean())


def diff_image(reference: np.ndarray, actual: np.ndarray) -> Image.Image:
    """The reference faded, with the pixels that differ in red (on the larger of the two sizes)."""
    h, w = max(reference.shape[0], actual.shape[0]), max(reference.shape[1], actual.shape[1])
    ref = np.full((h, w), 255, np.int16)
    act = np.full((h, w), 255, np.int16)
    ref[: reference.shape[0], : reference.shape[1]] = reference
    act[: actual.shape[0], : actual.shape[1]] = actual
    faded = (255 - (255 - ref) // 4).astype(np.uint8)
    rgb = np.stack([faded] * 3, axis=-1)
    rgb[np.abs(ref - act) > LEVEL] = (220, 0, 0)
    return Image.fromarray(rgb)


def check_page(name: str, actual: np.ndarray, references: Path = REFERENCES, failed: Path = FAILED) -> str | None:
    """None when ``actual`` matches its reference; else a message naming the actual and diff images."""
    reference_path = references / f"{name}.png"
    for stale in (failed / f"{name}.actual.png", failed / f"{name}.diff.png"):
        stale.unlink(missing_ok=True)
    if not reference_path.is_file():
        return f"{name}: no reference {reference_path}; create it with `{REFRESH}`"
    reference = quantize(Image.open(reference_path))
    changed = difference(reference, actual)
    if changed <= TOLERANCE:
        return None
    failed.mkdir(parents=True, exist_ok=True)
    save_reference(actual, failed / f"{name}.actual.png")
    diff_image(reference, actual).save(failed / f"{name}.diff.png", optimize=True)
    size = "" if reference.shape == actual.shape else f" (size {actual.shape[::-1]}, reference {reference.shape[::-1]})"
    return (f"{name}: {changed:.2%} of pixels differ from {reference_path} (tolerance {TOLERANCE:.2%}){size}; "
            f"see {failed / f'{name}.actual.png'} and {failed / f'{name}.diff.png'} (differences in red); "
            f"if the change is intended: `{REFRESH}`")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("brief_id", BRIEFS)
def test_pages_look_like_their_references(built: Built, brief_id: str, lang: str,
                                          request: pytest.FixtureRequest) -> None:
    pdf = built.file(brief_id, lang, "pdf")
    pages = {f"{brief_id}.{lang}.{role}": rasterize(pdf, page)
             for role, page in chosen_pages(built, brief_id, lang).items()}
    stored = {p.stem for p in REFERENCES.glob(f"{brief_id}.{lang}.*.png")}
    if request.config.getoption("--refresh-visual"):
        for stale in stored - pages.keys():
            (REFERENCES / f"{stale}.png").unlink()
        for name, pixels in pages.items():
            save_reference(pixels, REFERENCES / f"{name}.png")
        return
    problems = [m for name, pixels in pages.items() if (m := check_page(name, pixels))]
    problems += [f"{stale}: reference {REFERENCES / stale}.png no longer matches a chosen page; "
                 f"`{REFRESH}`" for stale in sorted(stored - pages.keys())]
    assert not problems, "\n".join(problems)


def test_every_reference_belongs_to_a_brief_and_every_kind_has_one(request: pytest.FixtureRequest) -> None:
    project = load_project(load_config(ROOT))
    kinds = {k.id for k in project.library.kinds.kinds}
    covered = {loaded.brief.kind for loaded in project.briefs}
    assert kinds <= covered, f"no example brief (and so no visual reference) of kind {sorted(kinds - covered)}"
    orphans = []
    for path in sorted(REFERENCES.glob("*.png")):
        match = NAME.match(path.name)
        if not match or match["brief"] not in BRIEFS or match["lang"] not in LANGS:
            orphans.append(path)
    if request.config.getoption("--refresh-visual"):
        for path in orphans:
            path.unlink()
        return
    assert not orphans, f"references of no brief: {', '.join(map(str, orphans))}; remove them with `{REFRESH}`"


def test_another_briefs_page_fails_and_leaves_actual_and_diff_images(built: Built, tmp_path: Path) -> None:
    references, failed = tmp_path / "references", tmp_path / "failed"
    references.mkdir()
    name = f"{BRIEFS[0]}.en.first"
    reference = rasterize(built.file(BRIEFS[0], "en", "pdf"), 1)
    save_reference(reference, references / f"{name}.png")
    assert check_page(name, reference, references, failed) is None
    assert not failed.exists()
    actual = rasterize(built.file(BRIEFS[1], "en", "pdf"), 1)
    message = check_page(name, actual, references, failed)
    assert message is not None
    written, diff = failed / f"{name}.actual.png", failed / f"{name}.diff.png"
    assert str(written) in message and str(diff) in message and REFRESH in message
    assert np.array_equal(quantize(Image.open(written)), actual)
    red = np.all(np.asarray(Image.open(diff).convert("RGB")) == (220, 0, 0), axis=-1).mean()
    assert red == pytest.approx(difference(reference, actual)) and red > 0.05
    assert "no reference" in (check_page("no-such-brief.en.first", actual, references, failed) or "")


def test_a_moved_sidebar_or_a_missing_line_fails_and_noise_does_not(built: Built) -> None:
    page = rasterize(built.file(BRIEFS[0], "zh-CN", "pdf"), 1)
    height, width = page.shape
    assert difference(page, page) == 0
    sidebar = int(width * 0.66)  # the sidebar is the right third of the first page
    moved = page.copy()
    moved[1:, sidebar:] = page[:-1, sidebar:]  # 1 px at 40 dpi: 0.6 mm
    assert difference(page, moved) > TOLERANCE
    column = int(width * 0.64)
    rows = [y for y in range(height) if (page[y, :column] < 128).sum() > column // 10]
    y = rows[len(rows) // 2]
    missing = page.copy()
    missing[y - 2 : y + 3, :column] = 255  # one line of body text gone
    assert difference(page, missing) > TOLERANCE
    noise = np.random.default_rng(0).integers(-LEVEL // 2, LEVEL // 2, page.shape)
    noisy = quantize(Image.fromarray(np.clip(page + noise, 0, 255).astype(np.uint8)))
    assert not np.array_equal(page, noisy) and difference(page, noisy) <= TOLERANCE
    assert difference(page, page[:, :-1]) == 1.0
