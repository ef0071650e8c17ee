"""The field types of the content model (ids, texts, licences, e-mail addresses, tickers, URLs,
dates) and :class:`Record`, the base of every record: frozen, unknown keys are errors.

Texts are mappings from language tag to string; which languages are required comes from the
project configuration, passed as pydantic validation context (``{"languages": (...)}``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

from briefs.project.languages import DEFAULT_LANGUAGES, KNOWN_LANGUAGES, LANGUAGES

ID_RE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_LICENCE_RE = re.compile(r"S[0-9]{13}")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_TICKER_RE = re.compile(r"[0-9A-Z]{1,6}(?:\.[A-Z]{1,2})")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_URL_RE = re.compile(r"https://[^\s<>\"]+")


def check_id(value: str) -> str:
    if not ID_RE.fullmatch(value) or len(value) > 64:
        if ID_RE.fullmatch(value.lower()) and len(value) <= 64:  # written in the wrong case
            raise PydanticCustomError(
                "briefs_id",
                "invalid id '{value}': ids are written in lower case; did you mean '{lower}'?",
                {"value": value, "lower": value.lower()},
            )
        raise PydanticCustomError(
            "briefs_id",
            "invalid id '{value}': use lower-case letters, digits and single '-', starting with a letter",
            {"value": value},
        )
    return value


def _check_text(value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
    required = tuple((info.context or {}).get("languages", DEFAULT_LANGUAGES))
    for lang in value:
        if lang not in KNOWN_LANGUAGES:
            raise PydanticCustomError(
                "briefs_language",
                "unknown language '{lang}' (languages are {known})",
                {"lang": lang, "known": ", ".join(KNOWN_LANGUAGES)},
            )
    for lang in required:
        if lang not in value:
            raise PydanticCustomError("briefs_missing_language", "missing the '{lang}' text", {"lang": lang})
        if not value[lang].strip():
            raise PydanticCustomError("briefs_blank_language", "the '{lang}' text is blank", {"lang": lang})
    return value


def check_source(value: str, info: ValidationInfo) -> str:
    """A brief's ``source:``: one of the project's own languages (not a derived edition)."""
    languages = tuple((info.context or {}).get("languages", DEFAULT_LANGUAGES))
    if value not in KNOWN_LANGUAGES:
        raise PydanticCustomError(
            "briefs_source",
            "unknown source language '{lang}': a brief is written first in one of the project's "
            "languages ({languages})",
            {"lang": value, "languages": ", ".join(languages)},
        )
    derivation = LANGUAGES[value].derivation
    if value not in languages and derivation is not None:
        raise PydanticCustomError(
            "briefs_source",
            "source '{lang}' is an edition converted from {base}, so it cannot be a brief's source: "
            "write the brief in one of the project's languages ({languages})",
            {"lang": value, "base": derivation.source, "languages": ", ".join(languages)},
        )
    if value not in languages:
        raise PydanticCustomError(
            "briefs_source",
            "source '{lang}' is not one of the project's languages ({languages})",
            {"lang": value, "languages": ", ".join(languages)},
        )
    return value


def _check_licence(value: str) -> str:
    if not _LICENCE_RE.fullmatch(value):
        raise PydanticCustomError(
            "briefs_licence",
            "malformed licence number '{value}': expected 'S' followed by 13 digits, e.g. S0990523010001",
            {"value": value},
        )
    return value


def _check_email(value: str) -> str:
    if not _EMAIL_RE.fullmatch(value):
        raise PydanticCustomError("briefs_email", "malformed e-mail address '{value}'", {"value": value})
    return value


def _check_ticker(value: str) -> str:
    if not _TICKER_RE.fullmatch(value):
        raise PydanticCustomError(
            "briefs_ticker",
            "malformed ticker '{value}': expected CODE.EXCHANGE such as 600941.SH, 0700.HK or KC.O",
            {"value": value},
        )
    return value


def _check_url(value: str) -> str:
    if not _URL_RE.fullmatch(value):
        raise PydanticCustomError("briefs_url", "URL must start with https:// ('{value}')", {"value": value})
    return value


def _check_date_text(value: Any) -> Any:
    if not (isinstance(value, str) and _DATE_RE.fullmatch(value)):
        raise PydanticCustomError("briefs_date", "dates are written YYYY-MM-DD, not '{value}'", {"value": value})
    return value


Id = Annotated[str, AfterValidator(check_id)]
# Only the text form YYYY-MM-DD: pydantic alone would also take 1739664000 or a date-time.
Date = Annotated[dt.date, BeforeValidator(_check_date_text)]
Text = Annotated[dict[str, str], AfterValidator(_check_text)]
Licence = Annotated[str, AfterValidator(_check_licence)]
Email = Annotated[str, AfterValidator(_check_email)]
Ticker = Annotated[str, AfterValidator(_check_ticker)]
Url = Annotated[str, AfterValidator(_check_url)]


class Record(BaseModel):
    """Base of every content record: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)
