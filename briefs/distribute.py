"""Per-recipient editions: lay a brief out once, stamp it for many recipients, log every file.

The base PDF comes from the ordinary (incremental) build. Each recipient's stamp is a one-page
WeasyPrint document holding only a margin-box line ("Prepared for …" / "仅供…使用"), so the
recipient's name is typeset with the brief's fonts; it is laid over every page of the base PDF
with pikepdf (qpdf) as one shared form XObject. No brief is laid out again per recipient.
Every stamped file is appended to ``<out>/distribution.jsonl``: the record compliance keeps.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from .config import ProjectConfig
from .errors import ContentError, Diagnostic, Diagnostics, SourceLocation
from .fonts import FONTS
from .i18n import Edition, translations
from .incremental import file_hash
from .load import discover, validate
from .model import _check_id
from .templates import css_string
from .write import write_atomic
from .yamlsource import load_yaml

LOG_NAME = "distribution.jsonl"


class Recipient(BaseModel):
    """One client on the distribution list."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, AfterValidator(_check_id)]
    name: str = Field(min_length=1)
    organisation: str = Field(min_length=1)
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
    return pdf


def is_draft(config: ProjectConfig, pdf: bytes, edition: Edition) -> bool:
    """Whether a built PDF is a draft: its /Keywords start with the edition's DRAFT word.

    The PDF about to be sent is the truth, whatever brief.yaml says now.
    """
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        keywords = str(doc.docinfo.get("/Keywords", ""))
    return keywords.split(",")[0].strip() == translations(config.templates, edition).gettext("DRAFT")


def overlay(base: bytes, stamp: bytes) -> bytes:
    """Lay the stamp's single page over every page of the base PDF (no re-layout)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(base)) as pdf, pikepdf.open(io.BytesIO(stamp)) as mark:
        for page in pdf.pages:
            page.add_overlay(mark.pages[0])
        buffer = io.BytesIO()
        pdf.save(buffer, static_id=True, deterministic_id=False)
    return buffer.getvalue()


def distribute(config: ProjectConfig, paths: Sequence[Path], out: Path,
               recipients: Sequence[Recipient], now: dt.datetime | None = None) -> DistributionResult:
    """Stamp each brief's base PDF for each recipient and append the log."""
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
    stamps: dict[str, bytes] = {}
    when = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    log_lines: list[str] = []
    for source in sources:
        brief_id = source.parent.name
        for recipient in recipients:
            base_path = out / brief_id / f"{brief_id}.{recipient.lang}.pdf"
            if recipient.id not in stamps:
                stamps[recipient.id] = stamp_pdf(config, edition(config, recipient.lang), recipient)
            base = base_path.read_bytes()
            target = out / brief_id / "distribution" / f"{brief_id}.{recipient.lang}.{recipient.id}.pdf"
            write_atomic(target, overlay(base, stamps[recipient.id]))
            entry = {"time": when, "brief": brief_id, "lang": recipient.lang,
                     "version": file_hash(base_path), "recipient": recipient.id,
                     "name": recipient.name, "organisation": recipient.organisation,
                     "file": target.relative_to(out).as_posix(), "sha256": file_hash(target)}
            result.written.append(target)
            result.log.append(entry)
            log_lines.append(json.dumps(entry, ensure_ascii=False, sort_keys=True))
    if log_lines:
        with (out / LOG_NAME).open("a", encoding="utf-8") as log:  # append-only record
            log.write("\n".join(log_lines) + "\n")
    return result
