"""Draft and approval: DRAFT on every page until compliance signs; --final and distribute refuse drafts."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from PIL import Image
from pypdf import PdfReader

from briefs.load.project import load_project
from briefs.project.config import load_config
from briefs.render.theme import PACKAGE_THEME

from .conftest import LANGS, ROOT, Built, edit, line_of


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about approval, not about the
    examples."""
    return small_project


CATALOG = PACKAGE_THEME / "locales" / "zh_CN" / "LC_MESSAGES" / "messages.po"


def draft_word(lang: str) -> str:
    """The DRAFT mark in a language, from the catalog (never from the output)."""
    if lang == "en":
        return "DRAFT"
    with CATALOG.open("rb") as f:
        return str(read_po(f).get("DRAFT").string)


def approvals() -> dict[str, bool]:
    project = load_project(load_config(ROOT))
    return {b.brief.id: not b.brief.draft for b in project.briefs}


def marked_pages(path: Path, tmp: Path) -> list[bool]:
    """Whether each page shows the diagonal mark: its pale red (11 % of rgb(180, 35, 24) on white)
    covers a fair part of the page. The mark is drawn as outlines, so no extractor reads it
    (tests/test_pdf_tags.py); the pixels are what a reader sees."""
    subprocess.run(["pdftoppm", "-png", "-r", "20", str(path), str(tmp / "page")], check=True)
    marked = []
    for png in sorted(tmp.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
        rgb = np.asarray(Image.open(png).convert("RGB"), dtype=int)
        red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        pale_red = (red - green >= 10) & (abs(green - blue) <= 4) & (red >= 200)
        marked.append(int(pale_red.sum()) > 200)
        png.unlink()
    return marked


@pytest.mark.pdf
def test_drafts_say_so_on_every_page_and_approved_briefs_never(built: Built, tmp_path: Path) -> None:
    status = approvals()
    assert True in status.values() and False in status.values(), "the examples show both states"
    for brief_id, approved in status.items():
        for lang in LANGS:
            marked = marked_pages(built.file(brief_id, lang, "pdf"), tmp_path)
            assert marked and all(m != approved for m in marked), (brief_id, lang, marked)
            word = draft_word(lang)
            first = re.sub(r"\s+", "", PdfReader(built.file(brief_id, lang, "pdf")).pages[0].extract_text())
            assert (word.lower() in first.lower()) != approved, (brief_id, lang)  # the banner, on page 1
            soup = BeautifulSoup(built.file(brief_id, lang, "html").read_text("utf-8"), "html.parser")
            assert (soup.select_one(".draft-banner") is None) == approved, (brief_id, lang)


def _draft_id() -> str:
    return next(i for i, approved in approvals().items() if not approved)


def test_final_refuses_a_draft_and_writes_nothing(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    draft = _draft_id()
    result = run_cli(project, "build", "--final", "--format", "html")
    assert result.exit_code == 1
    assert f"content/{draft}/brief.yaml:1:1: brief '{draft}' is not approved" in result.output
    assert "Traceback" not in result.output
    assert not list((project / "output").glob("*/*.html"))


def test_final_builds_once_compliance_has_signed(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    draft = _draft_id()
    brief = project / "content" / draft / "brief.yaml"
    date = next(line for line in brief.read_text("utf-8").splitlines() if line.startswith("date:"))
    signed = run_cli(project, "approve", draft, "--by", "gu-wenjing", "--date", date.split()[1])
    assert signed.exit_code == 0, signed.output
    assert line_of(brief, f"approval: {{by: gu-wenjing, date: {date.split()[1]}}}") == line_of(brief, date) + 1
    result = run_cli(project, "build", "--final", "--format", "html", f"content/{draft}")
    assert result.exit_code == 0, result.output
    html = (project / "output" / draft / f"{draft}.en.html").read_text("utf-8")
    assert BeautifulSoup(html, "html.parser").select_one(".draft-banner") is None


@pytest.mark.parametrize(("approval", "field", "message"), [
    ("{by: gu-wenjng, date: 2025-02-01}", "by", "unknown reviewer 'gu-wenjng'; did you mean 'gu-wenjing'?"),
    ("{by: he-yu, date: 2025-02-01}", "by", "'he-yu' has role 'contact'; only a 'compliance' person"),
    ("{by: gu-wenjing, date: 2099-01-01}", "date", "approved on 2099-01-01, after the report date"),
    ("{by: gu-wenjing}", "approval", "date"),
    ("{by: gu-wenjing, date: 2025-02-01, note: ok}", "approval", "note"),
])
def test_a_bad_approval_is_a_located_error(project: Path, run_cli, approval: str, field: str,  # type: ignore[no-untyped-def]
                                           message: str) -> None:
    draft = _draft_id()
    brief = project / "content" / draft / "brief.yaml"
    date = next(line for line in brief.read_text("utf-8").splitlines() if line.startswith("date:"))
    line = edit(brief, date, f"{date}\napproval: {approval}") + 1
    result = run_cli(project, "check")
    assert result.exit_code == 1
    assert f"content/{draft}/brief.yaml:{line}:" in result.output, result.output
    assert message in result.output and "Traceback" not in result.output


@pytest.mark.pdf
def test_distribute_refuses_a_draft_and_stamps_nothing(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """With an approved brief and a draft in one run, not even the approved one is stamped."""
    draft = _draft_id()
    approved = next(i for i, ok in approvals().items() if ok)
    listing = project / "clients.yaml"
    listing.write_text("recipients:\n  - {id: client-a, name: Jane Doe, organisation: Fund A, lang: en}\n",
                       "utf-8")
    built = run_cli(project, "build", "--lang", "en", "--format", "pdf", f"content/{approved}",
                    f"content/{draft}")
    assert built.exit_code == 0, built.output
    result = run_cli(project, "distribute", f"content/{approved}", f"content/{draft}",
                     "--recipients", str(listing))
    assert result.exit_code == 1
    assert f"content/{draft}/brief.yaml:1:1: brief '{draft}' is not approved: {draft}.en.pdf is a draft" \
        in result.output
    assert not (project / "output" / "distribution.jsonl").exists()
    assert not list((project / "output").glob("*/distribution/*"))
    assert line_of(project / "content" / draft / "brief.yaml", "id:") == 1
