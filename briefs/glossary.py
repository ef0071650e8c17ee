"""The project's glossary (``content/_shared/glossary.yaml``): zh-CN terms and the English forms
that render them. The fidelity check (:mod:`briefs.checks.fidelity`) warns when a zh-CN text uses a
term and its English has none of the term's forms.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from briefs.errors import BriefsError, Diagnostics
from briefs.model.validation import validate
from briefs.project.config import ProjectConfig
from briefs.source.yamlsource import load_yaml

GLOSSARY_FILE = "glossary.yaml"


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
        doc = load_yaml(path)
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
