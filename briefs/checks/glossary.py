"""The project's glossary (``content/_shared/glossary.yaml``): zh-CN terms and the English forms
that render them, read both ways. The fidelity check (:mod:`briefs.checks.fidelity`) warns when a
source text uses a term and its translation has none of the term's forms: a zh-CN source and its
English (any one English form will do), or an English source and its zh-CN (the term as written).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from briefs.errors import BriefsError, Diagnostics
from briefs.model.validation import validate
from briefs.project.config import ProjectConfig
from briefs.source.yamlsource import cached_yaml

GLOSSARY_FILE = "glossary.yaml"
CHINESE, ENGLISH = "zh-CN", "en"  # the glossary's two languages, as its file names them


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _check_forms(forms: list[str]) -> list[str]:
    if any(not form.strip() for form in forms):
        raise PydanticCustomError("briefs_glossary_blank", "a glossary term's 'en' form is blank", {})
    return forms


class GlossaryTerm(BaseModel):
    """One term: its zh-CN form and the English forms that render it (any one will do)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    zh: str = Field(alias="zh-CN", min_length=1)
    en: Annotated[list[str], BeforeValidator(_as_list), AfterValidator(_check_forms)] = Field(min_length=1)
    note: str | None = None


class Glossary(BaseModel):
    """content/_shared/glossary.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    terms: list[GlossaryTerm] = Field(min_length=1)


def load_glossary(config: ProjectConfig, diags: Diagnostics) -> Glossary | None:
    """The project's glossary, if it has one; problems go to ``diags`` as located errors."""
    path = config.shared / GLOSSARY_FILE
    if not path.is_file():
        return None
    try:
        doc = cached_yaml(path)
    except BriefsError as exc:
        diags.extend(exc.diagnostics)
        return None
    glossary = validate(doc, Glossary, config.languages, diags)
    if glossary is None:
        return None
    first: dict[str, int] = {}
    for i, term in enumerate(glossary.terms):
        where = doc.location(("terms", i, "zh-CN"))
        if term.zh.strip() in first:
            diags.error(where, f"duplicate glossary term '{term.zh}' (first defined on line {first[term.zh.strip()]})")
        first.setdefault(term.zh.strip(), where.line)
    return glossary


def glossary_uses(glossary: Glossary, text: str) -> list[tuple[GlossaryTerm, int]]:
    """Terms a zh-CN text uses, each with its first position; the longest term wins, so 推理算力
    is one use of 推理算力 and not also of 算力 (算力 elsewhere in the text still counts)."""
    work = text
    uses: list[tuple[GlossaryTerm, int]] = []
    for term in sorted(glossary.terms, key=lambda t: -len(t.zh)):
        first = work.find(term.zh)
        if first < 0:
            continue
        uses.append((term, first))
        work = work.replace(term.zh, "\0" * len(term.zh))
    return sorted(uses, key=lambda use: use[1])


def normalise_en(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[-‐‑–—_*]", " ", text)
    return re.sub(r"\s+", " ", text)


def has_form(en: str, form: str) -> bool:
    return re.search(r"(?<![a-z0-9])" + re.escape(normalise_en(form).strip()), en) is not None


def _form_pattern(form: str) -> re.Pattern[str]:
    """An English form found in a text as written: any case, hyphens or spaces between words, a
    plural or possessive ending but no other ("compute" is not found in "computers")."""
    words = normalise_en(form).split()
    gap = r"[\s\-‐‑–—_*]+"
    body = gap.join(re.escape(w) for w in words)
    return re.compile(rf"(?<![A-Za-z0-9]){body}(?:e?s|['’]s)?(?![A-Za-z0-9])", re.IGNORECASE)


def english_matches(glossary: Glossary, text: str) -> list[tuple[GlossaryTerm, int, int]]:
    """Every place an English text uses a term (any of its forms), as (term, start, end); the
    longest form wins, so "inference compute" is one use of 推理算力 and not also of 算力."""
    forms = sorted(((form, term) for term in glossary.terms for form in term.en), key=lambda f: -len(f[0]))
    work = text
    found: list[tuple[GlossaryTerm, int, int]] = []
    for form, term in forms:
        pattern = _form_pattern(form)
        spans = [m.span() for m in pattern.finditer(work)]
        if spans:
            found.extend((term, start, end) for start, end in spans)
            work = pattern.sub(lambda m: "\0" * len(m.group(0)), work)  # the longer form claimed them
    return sorted(found, key=lambda use: use[1])


def english_uses(glossary: Glossary, text: str) -> list[tuple[GlossaryTerm, int, str]]:
    """Terms an English text uses, each with its first position and the words found there."""
    first: dict[str, tuple[GlossaryTerm, int, str]] = {}
    for term, start, end in english_matches(glossary, text):
        first.setdefault(term.zh, (term, start, text[start:end]))
    return list(first.values())


def glossary_misses(glossary: Glossary, src: str, source: str, lang: str, target: str) -> list[tuple[int, str]]:
    """(position in the source, message) for each glossary term the ``src`` text uses that its
    ``lang`` translation does not render; nothing for a pair of languages the glossary has not."""
    misses: list[tuple[int, str]] = []
    if (src, lang) == (CHINESE, ENGLISH):
        english = normalise_en(target)
        for term, at in glossary_uses(glossary, source):
            if not any(has_form(english, form) for form in term.en):
                forms = " or ".join(f"'{form}'" for form in term.en)
                misses.append((at, f"glossary: the {src} text uses '{term.zh}' but the {lang} text has no {forms}"))
    elif (src, lang) == (ENGLISH, CHINESE):
        for term, at, used in english_uses(glossary, source):
            if term.zh not in target:
                misses.append((at, f"glossary: the {src} text uses '{used}' but the {lang} text has no '{term.zh}'"))
    return misses
