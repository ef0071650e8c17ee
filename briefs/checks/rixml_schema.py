"""``briefs check --rixml-schema PATH``: every RIXML sidecar the build would write, validated
against an XSD the user has (the official RIXML schema may not be redistributed, so briefs ships
none; :mod:`briefs.render.rixml` writes the sidecars).

A schema that cannot be read or is not a valid XSD is one error at the schema's own line. Each
violation is an error at the brief.yaml key the element comes from (the title, the analysts, the
security …; the brief's first line for the rest), naming the sidecar, its line and the element.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from briefs.errors import BriefsError, Diagnostic, SourceLocation
from briefs.pipeline.outputs import RIXML_SUFFIX, document_file
from briefs.render.rixml import NAMESPACE, sidecar
from briefs.source.safefiles import Unsafe, read_bytes
from briefs.source.yamlsource import KeyPath, load_yaml

if TYPE_CHECKING:
    from briefs.pipeline.planning import Document
    from briefs.project.config import ProjectConfig

LANG = "<lang>"  # in a key path: the edition's language (a derived edition: the text it comes from)
# Where in brief.yaml the content of a sidecar's element comes from.
ELEMENT_KEYS: dict[str, KeyPath] = {
    "Title": ("title", LANG),
    "SubTitle": ("subtitle", LANG),
    "Abstract": ("key_points",),
    "PersonGroup": ("analysts",),
    "PersonGroupMember": ("analysts",),
    "Person": ("analysts",),
    "FamilyName": ("analysts",),
    "GivenName": ("analysts",),
    "DisplayName": ("analysts",),
    "PersonID": ("analysts",),
    "ContactInfo": ("analysts",),
    "Email": ("analysts",),
    "StatusInfo": ("approval",),
    "Security": ("security",),
    "SecurityID": ("security", "ticker"),
    "TradingExchange": ("security", "ticker"),
    "IssuerName": ("security", "name"),
    "NameValue": ("security", "name"),
    "Rating": ("rating",),
    "PublisherDefinedValue": ("rating",),
    "SecurityFinancials": ("target_price",),
    "FinancialValue": ("target_price",),
    "Currency": ("security", "currency"),
    "ProductCategory": ("kind",),
}
MAX_SCHEMA_BYTES = 20 * 1024 * 1024  # the official schema is well under 1 MB


def load_schema(path: Path) -> etree.XMLSchema:
    """The XSD at ``path``; a located :class:`BriefsError` if it cannot be read or is not a schema."""
    where = SourceLocation(path, 0, 0)
    try:
        data = read_bytes(path, MAX_SCHEMA_BYTES)
    except Unsafe as exc:
        raise BriefsError(Diagnostic(where, f"cannot read the RIXML schema: {exc}")) from None
    except OSError as exc:
        raise BriefsError(Diagnostic(where, f"cannot read the RIXML schema: {exc.strerror or exc}")) from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        tree = etree.fromstring(data, parser, base_url=str(path.resolve()))
        return etree.XMLSchema(etree.ElementTree(tree))
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (0, 0)
        raise BriefsError(
            Diagnostic(SourceLocation(path, line, col), f"the RIXML schema is not XML: {exc.msg}")
        ) from None
    except etree.XMLSchemaParseError as exc:
        entry = exc.error_log.last_error if exc.error_log else None
        located = SourceLocation(path, entry.line, entry.column) if entry is not None else where
        message = entry.message if entry is not None else str(exc)
        raise BriefsError(Diagnostic(located, f"not a usable XML schema: {message}")) from None


def validate_sidecars(
    documents: Sequence[Document], config: ProjectConfig, schema: etree.XMLSchema
) -> list[Diagnostic]:
    """One error per schema violation of each document's sidecar."""
    found: list[Diagnostic] = []
    for document in documents:
        data = sidecar(document.rendered(config))
        tree = etree.fromstring(data)
        if schema.validate(tree):
            continue
        doc = load_yaml(document.source)
        name = document_file(document.brief_id, document.lang, RIXML_SUFFIX)
        for error in schema.error_log:
            element = _element_at(tree, error.line)
            key = tuple(document.lang if part == LANG else part for part in ELEMENT_KEYS.get(element, ()))
            where = doc.location(key) if key else SourceLocation(document.source, 1, 1)
            message = error.message.replace(f"{{{NAMESPACE}}}", "")
            found.append(Diagnostic(where, f"RIXML sidecar {name}, line {error.line}: {message}"))
    return found


def _element_at(tree: etree._Element, line: int) -> str:
    """The local name of the element that starts on ``line`` of the sidecar (or encloses it)."""
    best = tree
    for element in tree.iter():
        if isinstance(element.tag, str) and element.sourceline is not None and element.sourceline <= line:
            best = element
    name: str = etree.QName(best).localname
    return name
