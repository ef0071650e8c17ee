"""The distribution list, ``content/_distribution/recipients.yaml``: who gets a stamped copy,
in which edition, and the name and organisation printed in their stamp (plain visible text that
fits on the stamp's one line).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from briefs.distribute.faces import unprintable
from briefs.errors import Diagnostics, SourceLocation
from briefs.model.fields import check_id
from briefs.model.validation import validate
from briefs.project.config import ProjectConfig
from briefs.source.yamlsource import load_yaml

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
                "briefs_stamp_char",
                "{field} contains the invisible character U+{code} ({name}); type it as plain text",
                {"field": field, "code": f"{ord(char):04X}", "name": unicodedata.name(char, "a control character")},
            )
    if value != value.strip():
        raise PydanticCustomError("briefs_stamp_space", "{field} starts or ends with a space", {"field": field})
    limit = STAMP_COLUMNS.get(field, 30)
    if columns(value) > limit:
        raise PydanticCustomError(
            "briefs_stamp_long",
            "{field} is too long for the one-line stamp: {width} columns, at "
            "most {limit} (a Chinese character takes two); shorten or abbreviate it",
            {"field": field, "width": columns(value), "limit": limit},
        )
    return value


StampField = Annotated[str, Field(min_length=1), AfterValidator(_check_stamp_field)]


class Recipient(BaseModel):
    """One client on the distribution list."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, AfterValidator(check_id)]
    name: StampField
    organisation: StampField
    lang: str


class RecipientList(BaseModel):
    """content/_distribution/recipients.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    recipients: list[Recipient] = Field(min_length=1)


def load_recipients(config: ProjectConfig, path: Path | None = None, only: Sequence[str] = ()) -> list[Recipient]:
    """The distribution list (located errors for unknown languages, duplicates, bad ids), read
    whole: for lists up to a content file's size limit (1 MB). ``briefs distribute`` reads any
    length as a stream, with the same checks: :class:`briefs.distribute.listing.RecipientFile`."""
    path = path or config.content / "_distribution" / "recipients.yaml"
    doc = load_yaml(path)
    diags = Diagnostics()
    listed = validate(doc, RecipientList, config.languages, diags)
    diags.raise_if_errors()
    assert listed is not None
    for i, recipient in enumerate(listed.recipients):
        if recipient.lang not in config.editions:
            diags.error(
                doc.location(("recipients", i, "lang")),
                f"language '{recipient.lang}' is not one of the project's editions ({', '.join(config.editions)})",
            )
            continue
        for name in ("name", "organisation"):  # the stamp's font must have every character
            if why := unprintable(recipient.lang, getattr(recipient, name)):
                diags.error(doc.location(("recipients", i, name)), f"{name}: {why}")
    known = {r.id for r in listed.recipients}
    for wanted in only:
        if wanted not in known:
            diags.error(SourceLocation(path, 1, 1), f"no recipient '{wanted}' on the list")
    diags.raise_if_errors()
    return [r for r in listed.recipients if not only or r.id in only]
