"""The stamp drawn without a layout engine (issue 20): the catalog's line at the foot of every page,
an artifact for PDF/UA, a fallback font for a letter the family lacks, a located error for a
character nothing can print, and a copy that is its base PDF followed by an incremental update."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from briefs.distribute.dispatch import bounded
from briefs.distribute.faces import fallback
from briefs.distribute.lettering import Unprintable, letter
from briefs.distribute.recipients import Recipient
from briefs.distribute.stamp import distribute
from briefs.errors import ContentError
from briefs.localize.i18n import translations
from briefs.pipeline.planning import edition
from briefs.project.config import load_config
from briefs.render.theme import theme_of

from .conftest import copy_project, line_of
from .forkcli import run_briefs

BRIEF = "compute-etf-note"
MM = 72 / 25.4
WHO = {  # id: (name, organisation, edition)
    "client-zh": ("李明", "甲乙资产管理公司", "zh-CN"),
    "client-en": ("Łukasz Nowak", "Alpha Capital", "en"),  # Ł: not in Noto Sans CJK
    "client-hk": ("陳大文", "丙丁資產管理", "zh-HK"),
}


def listing(rows: dict[str, tuple[str, str, str]]) -> str:
    return "recipients:\n" + "".join(
        f'  - id: {rid}\n    name: "{name}"\n    organisation: "{org}"\n    lang: {lang}\n'
        for rid, (name, org, lang) in rows.items()
    )


@pytest.fixture(scope="module")
def sent(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, str]]]:
    """One brief sent to WHO by the real CLI: the project and the log's entries."""
    project = copy_project(tmp_path_factory.mktemp("stamp") / "project", briefs=(BRIEF,))
    (project / "clients.yaml").write_text(listing(WHO), "utf-8")
    result = run_briefs(project, "distribute", f"content/{BRIEF}", "--recipients", "clients.yaml", "--jobs", "2",
                        timeout=600)
    assert result.returncode == 0, result.stderr
    log = [json.loads(line) for line in (project / "output" / "distribution.jsonl").read_text("utf-8").splitlines()]
    return project, log


def expected_line(project: Path, entry: dict[str, str]) -> str:
    """The stamp's wording in the entry's edition, from the theme's catalog."""
    config = load_config(project)
    tr = translations(theme_of(config), edition(config, entry["lang"]))
    wording = tr.gettext("Prepared for %(name)s, %(organisation)s. Not for onward distribution.")
    return wording % {"name": entry["name"], "organisation": entry["organisation"]}


def base_of(project: Path, entry: dict[str, str]) -> Path:
    return project / "output" / BRIEF / f"{BRIEF}.{entry['lang']}.pdf"


def pages(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [p for p in out.split("\f") if p.strip()]


@pytest.mark.pdf
def test_every_page_ends_with_the_catalogs_line_for_the_recipient(sent: tuple[Path, list[dict[str, str]]]) -> None:
    project, log = sent
    assert sorted(e["recipient"] for e in log) == sorted(WHO)
    for entry in log:
        line = expected_line(project, entry)
        if entry["lang"] == "en":
            assert line.startswith("Prepared for Łukasz Nowak, Alpha Capital.")
        stamped, base = pages(project / "output" / entry["file"]), pages(base_of(project, entry))
        assert len(stamped) == len(base)
        for page, original in zip(stamped, base, strict=True):
            assert [text.strip() for text in page.splitlines() if line in text] == [line]
            assert line not in original


@pytest.mark.pdf
def test_the_line_sits_centred_6_mm_above_the_foot_of_every_page(sent: tuple[Path, list[dict[str, str]]]) -> None:
    project, log = sent
    for entry in log:
        bbox = subprocess.run(["pdftotext", "-bbox", str(project / "output" / entry["file"]), "-"],
                              capture_output=True, text=True, check=True).stdout
        first_word = expected_line(project, entry).split()[0]
        for page in re.findall(r"<page (.*?)</page>", bbox, re.S):
            width, height = (float(v) for v in re.findall(r'(?:width|height)="([\d.]+)"', page)[:2])
            words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page)]
            start = next(w for w in words if w[4] == first_word and w[1] > height - 12 * MM)
            line = [w for w in words if abs(w[1] - start[1]) < 0.01]
            left, right = min(w[0] for w in line), max(w[2] for w in line)
            assert abs((left + right) / 2 - width / 2) < 0.5, (entry["file"], left, right)
            assert abs(height - start[3] - 6 * MM) < 0.3  # the line's box 6 mm above the page's edge
            assert 6.5 <= start[3] - start[1] <= 6.5 * 1.5  # 6.5 pt type (the box adds the font's leading)


@pytest.mark.pdf
def test_a_copy_is_its_base_with_an_update_and_the_stamp_is_an_artifact(sent: tuple[Path, Any]) -> None:
    from pdfua import Severity, validate

    project, log = sent
    for entry in log:
        copy, base = project / "output" / entry["file"], base_of(project, entry)
        assert copy.read_bytes().startswith(base.read_bytes())  # the base's bytes, never re-saved
        check = subprocess.run(["qpdf", "--check", str(copy)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        # Content outside the structure tree and not an artifact is what PDF/UA forbids (UA-01-003)
        report = validate(str(copy))
        assert not [(f.rule_id, f.message) for f in report.findings if f.severity >= Severity.WARNING], entry["file"]
        with pikepdf.open(copy) as pdf:
            assert str(pdf.docinfo["/BriefsRecipient"]) == entry["recipient"]
            for page in pdf.pages:
                form = page.Resources.XObject["/BriefsRecipientStamp"]
                assert str(form.BriefsRecipient) == entry["recipient"]
                assert b"/Artifact" in page.Contents[-1].read_bytes()
                for font in form.Resources.Font.values():  # each an embedded subset of the line's glyphs
                    descendant = font.DescendantFonts[0]
                    assert re.fullmatch(r"/[A-Z]{6}\+\S+", str(font.BaseFont))
                    program = descendant.FontDescriptor.get("/FontFile3") or descendant.FontDescriptor.FontFile2
                    assert len(program.read_bytes()) < 20_000
            fonts = len(pdf.pages[0].Resources.XObject["/BriefsRecipientStamp"].Resources.Font)
        # Ł comes from a fallback face (a second font); the Chinese lines need only the family
        assert fonts == (2 if entry["lang"] == "en" else 1), entry["file"]


def test_the_stamp_is_the_same_for_the_same_line_composed_or_not() -> None:
    composed = letter("Prepared for José Núñez, A. Not for onward distribution.", "Noto Sans CJK SC", "en")
    decomposed = letter("Prepared for Jose\u0301 Nu\u0301n\u0303ez, A. Not for onward distribution.",
                        "Noto Sans CJK SC", "en")
    assert composed == decomposed
    if fallback("Noto Sans CJK SC", "Ł") is None:
        pytest.skip("no installed font has Ł")
    assert len(letter("Łukasz", "Noto Sans CJK SC", "en").fonts) == 2


@pytest.mark.parametrize("field, value, words", [
    ("name", "שרה כהן", ("U+05E9", "right to left")),
    ("organisation", "Alpha \u0378 Capital", ("U+0378", "no installed font has a glyph")),  # unassigned
    ("name", "Jane \U000f0000", ("U+F0000", "no installed font has a glyph")),  # private use
])
def test_a_name_no_font_can_print_is_refused_at_its_line(project: Path, run_cli: Any, field: str, value: str,
                                                          words: tuple[str, ...]) -> None:
    """Never an empty box in the stamp: the list is refused before anything is built or sent."""
    rows = dict(WHO)
    name, org, lang = rows["client-en"]
    rows["client-en"] = (value, org, lang) if field == "name" else (name, value, lang)
    path = project / "clients.yaml"
    path.write_text(listing(rows), "utf-8")
    result = run_cli(project, "distribute", f"content/{BRIEF}", "--recipients", str(path))
    assert result.exit_code == 1 and "Traceback" not in result.output
    located = [m for m in result.stderr.splitlines() if m.startswith("clients.yaml:")]
    line = line_of(path, f'{field}: "{value}"')
    assert located and located[0].startswith(f"clients.yaml:{line}:5: {field}: "), result.stderr
    assert all(w in located[0] for w in words), located
    assert not (project / "output").exists()


def test_the_python_api_refuses_an_unprintable_recipient_before_writing(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project", theme=False, briefs=(BRIEF,))
    out = project / "output"
    out.mkdir()
    who = [Recipient(id="client-a", name="Jane \u0378", organisation="Alpha Capital", lang="en")]
    with pytest.raises(ContentError) as refused:
        distribute(load_config(project), [project / "content" / BRIEF], out, who)
    assert "recipient client-a: name: no installed font has a glyph for '\u0378' (U+0378" in str(refused.value)
    assert not (out / "distribution.jsonl").exists()
    with pytest.raises(Unprintable):  # a worker never draws it either
        letter("Jane \u0378", "Noto Sans CJK SC", "en")


def test_a_task_stopped_at_one_recipient_returns_the_copies_before_it() -> None:
    def stamp(prefix: str, own: str) -> list[bytes]:
        if own == "c":
            letter("\u0378", "Noto Sans CJK SC", "en")
        return [f"{prefix}{own}".encode()]

    done = bounded(stamp, 10, {"en": ("copy-",)}, [("en", "a"), ("en", "b"), ("en", "c"), ("en", "d")])
    assert done.copies == ((b"copy-a",), (b"copy-b",))
    assert done.error.startswith("c: no installed font has a glyph for '\u0378'")
