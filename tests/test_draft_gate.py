"""The draft gate: whether a document is a draft comes from the brief's approval, is recorded in
the manifest, and is what distribute decides from; no template can open the gate."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from briefs.authoring.approval import approve
from briefs.compliance.draftmark import missing_marks
from briefs.distribute.recipients import load_recipients
from briefs.distribute.stamp import distribute
from briefs.errors import BriefsError
from briefs.pipeline.run import build
from briefs.project.config import load_config

from .conftest import ROOT, approve_again, edit


@pytest.fixture
def project(small_project: Path) -> Path:
    """In this module ``project`` is the small project (tests/conftest.py SMALL: four of the
    example briefs, one of them the draft): these tests are about the draft gate, not about the
    examples."""
    return small_project


DRAFT = "deepseek-efficiency-not-deflation"  # an example brief without compliance approval
APPROVED = "compute-etf-note"
LISTING = "recipients:\n  - {id: client-b, name: Jane Doe, organisation: Alpha Capital, lang: en}\n"
KEYWORD = """_("DRAFT") if b.draft else '', """
MARKS = ('<div class="draft-mark" aria-hidden="true"><span>{{ _("DRAFT") }}</span></div>',
         '<p class="draft-banner" role="note">{{ _("Draft: not yet approved by compliance. '
         'Not for distribution.") }}</p>')


def theme_template() -> Path:
    """The shipped brief template, wherever the theme keeps it."""
    for path in (ROOT / "briefs" / "themes" / "default" / "brief.html", ROOT / "templates" / "brief.html"):
        if path.is_file():
            return path
    raise AssertionError("no brief.html in the theme")


def override(project: Path, remove: tuple[str, ...] = (KEYWORD, *MARKS)) -> Path:
    """A project override of brief.html: the theme's own, with the given parts of the mark cut."""
    target = project / "templates" / "brief.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(theme_template(), target)
    for part in remove:
        edit(target, part, "")
    return target


def lines(text: str, prefix: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(prefix)]


def test_an_override_without_the_draft_mark_fails_the_build_of_the_draft(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    override(project)
    result = run_cli(project, "build", "--format", "html", "--lang", "en", f"content/{DRAFT}")
    assert result.exit_code == 1 and "Traceback" not in result.output
    found = lines(result.stderr, f"content/{DRAFT}/brief.yaml:1:1: en output of this draft lacks "
                  "the draft mark (rule draft-mark)")
    assert found, result.output
    assert "templates/brief.html" in found[0]
    assert all(part in found[0] for part in ("'DRAFT' in <meta name=\"keywords\">",
                                             'class "draft-banner"', 'class "draft-mark"'))
    assert not (project / "output" / DRAFT).exists()
    # the same override is fine for an approved brief: the rule asks a draft's mark of drafts only
    result = run_cli(project, "build", "--format", "html", "--lang", "en", f"content/{APPROVED}")
    assert result.exit_code == 0, result.output
    page = (project / "output" / APPROVED / f"{APPROVED}.en.html").read_text("utf-8")
    assert len(missing_marks(page, "DRAFT")) == 3  # no keyword, banner or watermark: none needed


@pytest.mark.parametrize(("removed", "named"), [
    ((MARKS[0],), 'missing an element of class "draft-mark"; the template'),  # the watermark alone
    ((KEYWORD,), "missing the keyword '草稿' in <meta"),                     # the keyword, zh-CN
])
def test_any_one_part_of_the_mark_missing_fails_the_build(project: Path, run_cli,  # type: ignore[no-untyped-def]
                                                          removed: tuple[str, ...], named: str) -> None:
    override(project, removed)
    result = run_cli(project, "build", "--format", "html", f"content/{DRAFT}")
    assert result.exit_code == 1 and "Traceback" not in result.output
    found = lines(result.stderr, f"content/{DRAFT}/brief.yaml:1:1: ")
    assert found and "rule draft-mark" in found[0] and named in found[0], result.output


@pytest.mark.pdf
def test_distribute_refuses_a_draft_whose_template_drops_the_mark(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    override(project)
    (project / "clients.yaml").write_text(LISTING, "utf-8")
    result = run_cli(project, "distribute", f"content/{DRAFT}", "--recipients", "clients.yaml")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"content/{DRAFT}/brief.yaml:1:1: en output of this draft lacks the draft mark" in result.stderr
    assert not (project / "output" / "distribution.jsonl").exists()
    assert not list((project / "output").glob("*/distribution/*"))


def _build_pdfs(project: Path, *brief_ids: str) -> Path:
    out = project / "output"
    result = build(load_config(project), [project / "content" / b for b in brief_ids], ("en",),
                   ("pdf",), out)
    assert not result.failed, result.failed
    return out


def _refused(project: Path, out: Path, brief_id: str) -> str:
    """distribute() called on the output folder as it is (no build first): its refusal."""
    config = load_config(project)
    (project / "clients.yaml").write_text(LISTING, "utf-8")
    with pytest.raises(BriefsError) as refused:
        distribute(config, [project / "content" / brief_id], out,
                   load_recipients(config, project / "clients.yaml"))
    assert not (out / "distribution.jsonl").exists()
    assert not list(out.glob("*/distribution/*"))
    return str(refused.value)


@pytest.mark.pdf
def test_an_approved_looking_pdf_in_place_of_a_draft_is_refused(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    out = _build_pdfs(project, DRAFT, APPROVED)
    base = out / DRAFT / f"{DRAFT}.en.pdf"
    base.write_bytes((out / APPROVED / f"{APPROVED}.en.pdf").read_bytes())  # no DRAFT anywhere in it
    message = _refused(project, out, DRAFT)
    assert f"content/{DRAFT}/brief.yaml:1:1: brief '{DRAFT}' is not approved" in message
    # through the command too (it builds first, then refuses)
    (project / "clients.yaml").write_text(LISTING, "utf-8")
    result = run_cli(project, "distribute", f"content/{DRAFT}", "--recipients", "clients.yaml")
    assert result.exit_code == 1 and f"brief '{DRAFT}' is not approved" in result.stderr
    assert not (out / "distribution.jsonl").exists()


@pytest.mark.pdf
def test_the_manifest_decides_whether_a_base_pdf_was_built_and_from_what(project: Path) -> None:
    out = _build_pdfs(project, DRAFT, APPROVED)
    manifest = json.loads((out / ".briefs" / "manifest.json").read_text("utf-8"))["outputs"]
    assert manifest[f"{DRAFT}/{DRAFT}.en.pdf"]["draft"] is True
    assert manifest[f"{APPROVED}/{APPROVED}.en.pdf"]["draft"] is False
    # Approved after the build: the brief now says approved, the PDF on record was a draft.
    brief = project / "content" / DRAFT / "brief.yaml"
    approve(load_config(project), DRAFT, "gu-wenjing", dt.date(2025, 3, 3))
    assert "approval: {by: gu-wenjing, date: 2025-03-03}" in brief.read_text("utf-8")
    message = _refused(project, out, DRAFT)
    assert f"{DRAFT}.en.pdf: base PDF built as a draft (so says the manifest)" in message, message
    # An approved brief's PDF that some other tool wrote: not the file briefs built.
    approved_pdf = out / APPROVED / f"{APPROVED}.en.pdf"
    approved_pdf.write_bytes(approved_pdf.read_bytes() + b"\n%")
    assert "base PDF not the file briefs built" in _refused(project, out, APPROVED)
    # A PDF the manifest does not list at all.
    (out / ".briefs" / "manifest.json").unlink()
    assert "base PDF not built by briefs (the manifest does not list it)" in _refused(project, out, APPROVED)


@pytest.mark.pdf
def test_a_pdf_built_from_other_inputs_is_refused(project: Path) -> None:
    out = _build_pdfs(project, APPROVED)
    brief = project / "content" / APPROVED / "brief.yaml"
    edit(brief, "en: AI compute}", "en: AI compute (revised)}")  # after the build
    approve_again(project, APPROVED)  # approved again, as edited: but its PDFs were not built again
    message = _refused(project, out, APPROVED)
    assert f"{APPROVED}.en.pdf: base PDF not built from the current inputs" in message, message
