"""Per-recipient editions: lay a brief out once, stamp it for many recipients, log every file.

The base PDF comes from the ordinary (incremental) build. Each recipient's stamp is a one-page
WeasyPrint document holding only a margin-box line ("Prepared for …" / "仅供…使用"), so the
recipient's name is typeset with the brief's fonts; it is laid over every page of the base PDF
with pikepdf (qpdf) as one shared form XObject. No brief is laid out again per recipient.
Every stamped file is appended to ``<out>/distribution.jsonl``: the record compliance keeps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from .config import ProjectConfig
from .errors import ContentError, Diagnostic, Diagnostics, RenderError, SourceLocation
from .fonts import FONTS
from .i18n import Edition, translations
from .incremental import file_hash
from .load import discover, validate
from .model import _check_id
from .templates import css_string
from .write import cannot_write, output_lock, write_atomic
from .yamlsource import load_yaml

LOG_NAME = "distribution.jsonl"


# Widths in columns (a Chinese character takes two): together the name and the organisation
# leave the stamp on one line at its 6.5 pt, in every edition, below the page footer.
STAMP_COLUMNS = {"name": 30, "organisation": 70}


def columns(text: str) -> int:
    """Display width: two columns for a wide (East Asian) character, one for any other."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def _check_stamp_field(value: str, info: ValidationInfo) -> str:
    """A name or organisation printed in the stamp: plain visible text on one line.

    Control and format characters are refused: a right-to-left override (U+202E) in a name
    would print the rest of the stamp, "Not for onward distribution." included, backwards.
    """
    field = info.field_name or "text"
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            raise PydanticCustomError(
                "briefs_stamp_char", "{field} contains the invisible character U+{code} ({name}); "
                "type it as plain text", {"field": field, "code": f"{ord(char):04X}",
                                          "name": unicodedata.name(char, "a control character")})
    if value != value.strip():
        raise PydanticCustomError("briefs_stamp_space", "{field} starts or ends with a space",
                                  {"field": field})
    limit = STAMP_COLUMNS.get(field, 30)
    if columns(value) > limit:
        raise PydanticCustomError(
            "briefs_stamp_long", "{field} is too long for the one-line stamp: {width} columns, at "
            "most {limit} (a Chinese character takes two); shorten or abbreviate it",
            {"field": field, "width": columns(value), "limit": limit})
    return value


StampField = Annotated[str, Field(min_length=1), AfterValidator(_check_stamp_field)]


class Recipient(BaseModel):
    """One client on the distribution list."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, AfterValidator(_check_id)]
    name: StampField
    organisation: StampField
    lang: str


class RecipientList(BaseModel):
    """content/_distribution/recipients.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    recipients: list[Recipient] = Field(min_length=1)


@dataclass
class DistributionResult:
    """Stamped files written, with the log lines appended."""

    written: list[Path] = field(default_factory=list)
    log: list[dict[str, str]] = field(default_factory=list)


def load_recipients(config: ProjectConfig, path: Path | None = None,
                    only: Sequence[str] = ()) -> list[Recipient]:
    """The distribution list (located errors for unknown languages, duplicates, bad ids)."""
    path = path or config.content / "_distribution" / "recipients.yaml"
    doc = load_yaml(path)
    diags = Diagnostics()
    listed = validate(doc, RecipientList, config.languages, diags)
    diags.raise_if_errors()
    assert listed is not None
    for i, recipient in enumerate(listed.recipients):
        if recipient.lang not in config.editions:
            diags.error(doc.location(("recipients", i, "lang")),
                        f"language '{recipient.lang}' is not one of the project's editions "
                        f"({', '.join(config.editions)})")
    known = {r.id for r in listed.recipients}
    for wanted in only:
        if wanted not in known:
            diags.error(SourceLocation(path, 1, 1), f"no recipient '{wanted}' on the list")
    diags.raise_if_errors()
    return [r for r in listed.recipients if not only or r.id in only]


def stamp_pdf(config: ProjectConfig, edition: Edition, recipient: Recipient) -> bytes:
    """The one-page stamp for a recipient: a discreet line at the foot of every page."""
    import weasyprint

    tr = translations(config.templates, edition)
    text = tr.gettext("Prepared for %(name)s, %(organisation)s. Not for onward distribution.") % {
        "name": recipient.name, "organisation": recipient.organisation}
    font = FONTS[edition.lang].sans
    html = (f'<!DOCTYPE html><html lang="{edition.lang}"><head><style>'
            f"@page {{ size: A4; margin: 20mm 16mm 18mm 16mm; @bottom-center {{ content: "
            f"{css_string(text)}; font-family: {css_string(font)}; font-size: 6.5pt; color: #8a939c; "
            f"vertical-align: bottom; padding-bottom: 6mm; }} }}</style></head><body></body></html>")
    from .workers import font_config

    # One font configuration for every stamp: a new one per document costs time and is never
    # given back (3.5 MB a stamp, 700 MB for 200 recipients).
    pdf = weasyprint.HTML(string=html).write_pdf(font_config=font_config())
    assert isinstance(pdf, bytes)
    from .render.fontpack import repack_fonts

    return repack_fonts(pdf)  # the CJK font cut to the name's glyphs: 5 KB, not 115 KB


def is_draft(config: ProjectConfig, pdf: bytes, edition: Edition) -> bool:
    """Whether a built PDF is a draft: its /Keywords start with the edition's DRAFT word.

    The PDF about to be sent is the truth, whatever brief.yaml says now.
    """
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        keywords = str(doc.docinfo.get("/Keywords", ""))
    return keywords.split(",")[0].strip() == translations(config.templates, edition).gettext("DRAFT")


def overlay(base: bytes, stamp: bytes) -> bytes:
    """Lay the stamp's single page over every page of the base PDF (no re-layout).

    One form XObject shared by every page, under a fixed resource name: pikepdf's add_overlay
    picks a random name each time, which made every stamped copy's bytes differ from run to run.
    """
    import pikepdf
    from pikepdf import Name, Rectangle

    with pikepdf.open(io.BytesIO(base)) as pdf, pikepdf.open(io.BytesIO(stamp)) as mark:
        formx = pdf.copy_foreign(mark.pages[0].as_form_xobject())
        for page in pdf.pages:
            name = page.add_resource(formx, Name.XObject, Name("/BriefsRecipientStamp"))
            placed = page.calc_form_xobject_placement(formx, name, Rectangle(page.trimbox))
            page.contents_add(b"q\n", prepend=True)  # the page's own drawing, isolated
            page.contents_add(b"Q\n" + placed, prepend=False)
            page.contents_coalesce()
        buffer = io.BytesIO()
        pdf.save(buffer, static_id=True, deterministic_id=False)
    return buffer.getvalue()


def stamp_for(config: ProjectConfig, edition: Edition, recipient: Recipient,
              copies: Sequence[tuple[Path, Path]]) -> list[str]:
    """One recipient's work: render their stamp once, lay it over each ``(base, target)`` PDF
    and write the target; returns each target's SHA-256. Runs in a PDF worker, or here."""
    stamp = stamp_pdf(config, edition, recipient)
    hashes = []
    for base, target in copies:
        data = overlay(base.read_bytes(), stamp)
        write_atomic(target, data)
        hashes.append(hashlib.sha256(data).hexdigest())
    return hashes


def distribute(config: ProjectConfig, paths: Sequence[Path], out: Path,
               recipients: Sequence[Recipient], now: dt.datetime | None = None,
               jobs: int = 1) -> DistributionResult:
    """Stamp each brief's base PDF for each recipient and append the log.

    With ``jobs`` > 1 the recipients are shared out among warm PDF workers (each renders a
    recipient's stamp once and lays it over all of that recipient's briefs); the log lists the
    files in the same order either way.
    """
    # The output folder is held throughout, so no build can replace a base PDF between its draft
    # check, its stamping and the version hash logged for it: the log names what was sent.
    with output_lock(out):
        return _distribute(config, paths, out, recipients, now, jobs)


def _distribute(config: ProjectConfig, paths: Sequence[Path], out: Path,
                recipients: Sequence[Recipient], now: dt.datetime | None, jobs: int) -> DistributionResult:
    from .pipeline import edition

    result = DistributionResult()
    sources = discover(config, paths)
    langs = sorted({r.lang for r in recipients})
    # Every base PDF is checked before anything is written: a refusal leaves no stamped copy
    # without its log line.
    problems = Diagnostics()
    for source in sources:
        brief_id = source.parent.name
        for lang in langs:
            base_path = out / brief_id / f"{brief_id}.{lang}.pdf"
            if not base_path.is_file():
                problems.error(SourceLocation(base_path), "base PDF missing; build it first")
            elif is_draft(config, base_path.read_bytes(), edition(config, lang)):  # a draft never leaves the house
                problems.error(SourceLocation(source, 1, 1),
                               f"brief '{brief_id}' is not approved: {base_path.name} is a draft; add "
                               "the compliance approval and rebuild before distributing")
    problems.raise_if_errors()

    def files(brief_id: str, recipient: Recipient) -> tuple[Path, Path]:
        return (out / brief_id / f"{brief_id}.{recipient.lang}.pdf",
                out / brief_id / "distribution" / f"{brief_id}.{recipient.lang}.{recipient.id}.pdf")

    briefs = [source.parent.name for source in sources]
    work = [(recipient, [files(b, recipient) for b in briefs]) for recipient in recipients]
    hashes: dict[tuple[str, str], str] = {}
    for (recipient, _), done in zip(work, _stamp_all(config, work, jobs), strict=True):
        hashes.update({(brief_id, recipient.id): h for brief_id, h in zip(briefs, done, strict=True)})
    versions = {base: file_hash(base) for _, copies in work for base, _ in copies}
    when = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    log_lines: list[str] = []
    for brief_id in briefs:
        for recipient in recipients:
            base_path, target = files(brief_id, recipient)
            entry = {"time": when, "brief": brief_id, "lang": recipient.lang,
                     "version": versions[base_path], "recipient": recipient.id,
                     "name": recipient.name, "organisation": recipient.organisation,
                     "file": target.relative_to(out).as_posix(), "sha256": hashes[brief_id, recipient.id]}
            result.written.append(target)
            result.log.append(entry)
            log_lines.append(json.dumps(entry, ensure_ascii=False, sort_keys=True))
    if log_lines:
        try:
            with (out / LOG_NAME).open("a", encoding="utf-8") as log:  # append-only record
                log.write("\n".join(log_lines) + "\n")
        except OSError as exc:
            raise cannot_write(out / LOG_NAME, exc) from None
    return result


def _stamp_all(config: ProjectConfig, work: Sequence[tuple[Recipient, list[tuple[Path, Path]]]],
               jobs: int) -> list[list[str]]:
    """:func:`stamp_for` for every recipient, here or on ``jobs`` warm workers; in order."""
    from .pipeline import edition

    calls = [(config, edition(config, r.lang), r, copies) for r, copies in work]
    if jobs <= 1 or len(calls) <= 1:
        return [stamp_for(*call) for call in calls]
    from concurrent.futures.process import BrokenProcessPool

    from .workers import start_pool

    try:
        with start_pool(min(jobs, len(calls))) as pool:
            return list(pool.map(stamp_for, *zip(*calls, strict=True)))
    except BrokenProcessPool:
        raise RenderError(Diagnostic(SourceLocation(Path(LOG_NAME)),
                                     "a stamping worker died (out of memory or killed); nothing "
                                     "was logged; run briefs distribute again")) from None
