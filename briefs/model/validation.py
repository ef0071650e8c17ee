"""Validating YAML into the model: pydantic's errors turned into located diagnostics
(``path:line:col: message``, with a suggestion where a name is close to a known one), and
duplicate ids found in every list of records.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from briefs.compliance.rules import suggest
from briefs.errors import Diagnostic, Diagnostics
from briefs.model import library_records as lib
from briefs.source.yamlsource import KeyPath, YamlDocument

T = TypeVar("T", bound=BaseModel)


def validate(doc: YamlDocument, schema: type[T], languages: Sequence[str], diags: Diagnostics) -> T | None:
    """Validate a YAML document against a model; problems go to ``diags`` with source lines."""
    try:
        record = schema.model_validate(doc.data, context={"languages": tuple(languages)})
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            diags.items.append(_diagnostic(doc, error, schema))
        return None
    _duplicate_ids(record, (), doc, diags)
    return record


def _duplicate_ids(record: BaseModel, path: KeyPath, doc: YamlDocument, diags: Diagnostics) -> None:
    """Ids must be unique within each list; report the duplicate at its own line.

    Segment ids are unique across a whole chain (companies refer to them without the stage).
    """
    for name in type(record).model_fields:
        value = getattr(record, name)
        items = value if isinstance(value, list) else [value]
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            if not isinstance(item, BaseModel):
                continue
            where = (*path, name, i) if isinstance(value, list) else (*path, name)
            item_id = getattr(item, "id", None)
            if isinstance(value, list) and isinstance(item_id, str):
                if item_id in seen:
                    diags.error(
                        doc.location((*where, "id")), f"duplicate id '{item_id}' (first used on line {seen[item_id]})"
                    )
                else:
                    seen[item_id] = doc.location((*where, "id")).line
            _duplicate_ids(item, where, doc, diags)
    if isinstance(record, lib.Chain):
        first: dict[str, int] = {}
        for i, stage in enumerate(record.stages):
            for j, segment in enumerate(stage.segments):
                place = doc.location((*path, "stages", i, "segments", j, "id"))
                if segment.id in first and first[segment.id] != place.line:
                    diags.error(
                        place,
                        f"segment id '{segment.id}' is already used on line "
                        f"{first[segment.id]} (segment ids are unique across a chain)",
                    )
                first.setdefault(segment.id, place.line)


def _diagnostic(doc: YamlDocument, error: Any, schema: type[BaseModel]) -> Diagnostic:
    loc: KeyPath = tuple(error["loc"])
    kind: str = error["type"]
    given = error.get("input")
    ctx = error.get("ctx") or {}
    where = doc.location(loc)
    lang = ctx.get("lang")
    if lang and (*loc, lang) in doc.lines and kind != "briefs_missing_language":
        where = doc.location((*loc, lang))
    field = next((str(p) for p in reversed(loc) if isinstance(p, str) and p not in _UNION_TAGS), "")
    if kind == "missing":
        message = f"missing required key '{field}'{_misspelt_as(doc, loc)}"
    elif kind == "extra_forbidden":
        message = f"unknown key '{field}'{_did_you_mean(field, keys_at(schema, loc[:-1]))}"
    elif kind.startswith("date") or kind == "briefs_date":
        message = f"'{field}' must be a date written YYYY-MM-DD, not {_describe(given)}"
    elif kind.startswith("briefs_"):
        message = error["msg"]
    elif given is None and kind.endswith("_type"):
        message = f"'{field}' is empty"
    elif kind in ("string_type", "dict_type", "list_type", "model_type", "tuple_type", "bool_type"):
        expected = {
            "string_type": "text",
            "dict_type": "a mapping",
            "model_type": "a mapping",
            "list_type": "a list",
            "tuple_type": "a list",
            "bool_type": "true or false",
        }[kind]
        message = f"'{field}' must be {expected}, not {_describe(given)}"
    elif kind in ("int_parsing", "float_parsing", "int_from_float"):
        message = f"'{field}' must be a number, not {_describe(given)}"
    elif kind == "literal_error":
        message = f"'{field}' must be {ctx.get('expected', '')}, not {_describe(given)}"
    elif kind == "too_short":
        message = f"'{field}' needs at least {ctx.get('min_length', 1)} item(s)"
    else:
        message = f"'{field}': {error['msg']}"
    return Diagnostic(where, message)


_UNION_TAGS = {"risk-id", "own-risk"}


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    return f"'{value}'"


_suggest = suggest  # (the compliance rules word their suggestions the same way)


# ----------------------------------------------------------------------------- misspelt keys


def keys_at(schema: type[BaseModel], loc: KeyPath) -> list[str]:
    """The keys (field names and aliases) a record accepts at ``loc`` (as pydantic reports
    locations: union tags included) in a document of ``schema``."""
    current: list[Any] = [schema]
    for part in loc:
        following: list[Any] = []
        for annotation in current:
            for option in _options(annotation):
                origin = get_origin(option)
                if isinstance(part, int) and origin in (list, tuple):
                    following.extend(get_args(option)[:1])
                elif isinstance(part, str) and origin is dict:
                    following.append(get_args(option)[1])
                elif isinstance(part, str) and _is_model(option):
                    fields = option.model_fields
                    field = fields.get(part) or next((f for f in fields.values() if f.alias == part), None)
                    following.append(field.annotation if field is not None else option)  # a union tag
        current = following
    keys: set[str] = set()
    for annotation in current:
        for option in _options(annotation):
            if _is_model(option):
                keys |= {field.alias or name for name, field in option.model_fields.items()}
    return sorted(keys)


def _options(annotation: Any) -> list[Any]:
    """The types an annotation allows, with Annotated, Optional and unions taken apart."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _options(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [option for arg in get_args(annotation) for option in _options(arg)]
    return [annotation]


def _is_model(option: Any) -> bool:
    return isinstance(option, type) and issubclass(option, BaseModel)


def _did_you_mean(key: str, known: Sequence[str]) -> str:
    """ "; did you mean 'sections'?" for a key close to one the record accepts."""
    folded = {k.casefold(): k for k in known}
    if key.casefold() in folded:
        return f"; did you mean '{folded[key.casefold()]}'? (keys are case-sensitive)"
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    return f"; did you mean '{close[0]}'?" if close else ""


def _misspelt_as(doc: YamlDocument, loc: KeyPath) -> str:
    """For a missing key: the key written instead, if one of the mapping's keys is close to it."""
    mapping: Any = doc.data
    for part in loc[:-1]:
        in_dict = isinstance(mapping, dict) and isinstance(part, str) and part in mapping
        if in_dict or (isinstance(mapping, list) and isinstance(part, int) and part < len(mapping)):
            mapping = mapping[part]
        elif part not in _UNION_TAGS:
            return ""
    if not isinstance(mapping, dict) or not isinstance(loc[-1], str):
        return ""
    written = [k for k in mapping if isinstance(k, str)]
    close = difflib.get_close_matches(loc[-1], written, n=1, cutoff=0.75)
    if not close:
        close = [k for k in written if k.casefold() == loc[-1].casefold()][:1]
    if not close:
        return ""
    line = doc.location((*loc[:-1], close[0])).line
    return f" ('{close[0]}' on line {line} is not a key: is it a misspelling?)"
