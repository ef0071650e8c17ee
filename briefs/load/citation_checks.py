"""The loader's checks on citations (``[@id]``, :mod:`briefs.render.citations`): errors, each at
the line and column of the citation as written (in the YAML value or the Markdown file).

- a malformed citation (``[@]``, ``[@a b]``, ``[@Foo]``);
- a citation of a source the brief does not list (with the closest id);
- a citation in a heading (it would print in the contents and the PDF's bookmarks) or in the
  text of a link or an image (a link cannot hold a link);
- a citation in a shared text (a disclaimer, a chain's narrative, a biography): only a brief's
  own text has sources to cite.

Sources never cited, and translations that cite other sources than their original, are the
``citations`` check's warnings (:mod:`briefs.checks.citations`).
"""

from __future__ import annotations

from collections.abc import Iterator

from briefs.compliance.rules import suggest
from briefs.errors import Diagnostics
from briefs.load.loaded import MarkdownSource
from briefs.model import brief as m
from briefs.render.citations import SYNTAX_HINT, Found, column_of
from briefs.source.markdown_limits import markdown_facts
from briefs.source.texts import Site, markdown_texts, yaml_site
from briefs.source.yamlsource import YamlDocument


def _texts(
    doc: YamlDocument, bodies: dict[tuple[str, str], MarkdownSource]
) -> Iterator[tuple[str, tuple[str | int, ...] | None, MarkdownSource]]:
    """Every Markdown text of a brief: (text, its key path in the YAML or None, its source)."""
    for key_path, text in markdown_texts(doc):
        yield text, key_path, MarkdownSource.in_yaml(doc, key_path, text)
    for body in bodies.values():
        if body.origin.path != doc.path:
            yield body.text, None, body


def _site(doc: YamlDocument, key_path: tuple[str | int, ...] | None, text: str, source: MarkdownSource) -> Site:
    if key_path is None:  # a Markdown file: its lines are the text's
        return Site(source.origin.path, text, 1, 1, "block")
    return yaml_site(doc, key_path, text)


def check_citations(
    brief: m.Brief, doc: YamlDocument, bodies: dict[tuple[str, str], MarkdownSource], diags: Diagnostics
) -> None:
    """Report every citation problem of the brief's Markdown (a repeated source id is the
    loader's general "duplicate id" error)."""
    known = {source.id: i for i, source in enumerate(brief.sources) if source.id is not None}
    for text, key_path, source in _texts(doc, bodies):
        found = markdown_facts(text).citations  # (none over budget: refused by the link checks)
        for index, citation in enumerate(found):
            problem = _problem(citation, known)
            if problem is not None:
                site = _site(doc, key_path, text, source)
                diags.error(site.at(column_of(text, found, index)), problem)


def _problem(citation: Found, known: dict[str, int]) -> str | None:
    if citation.problem is not None:
        return citation.problem
    if citation.in_heading:
        return (
            f"citation '{citation.raw}' in a heading: headings print in the contents and the PDF's "
            "bookmarks; cite the source in the text below the heading"
        )
    if citation.in_link:
        return (
            f"citation '{citation.raw}' inside the text of a link or an image: a link cannot hold a "
            "link; put the citation after it"
        )
    for source_id in citation.ids:
        if source_id not in known:
            if not known:
                return (
                    f"citation of unknown source '{source_id}': the brief's sources have no ids; give "
                    f"the source an id (sources: - id: {source_id}) to cite it"
                )
            return f"citation of unknown source '{source_id}'{suggest(source_id, known)}"
    return None


def shared_text_citations(doc: YamlDocument, diags: Diagnostics) -> None:
    """An error at every citation in a shared file's Markdown: only a brief's own text cites."""
    for key_path, text in markdown_texts(doc):
        found = markdown_facts(text).citations
        for index, citation in enumerate(found):
            site = yaml_site(doc, key_path, text)
            diags.error(
                site.at(column_of(text, found, index)),
                f"citation '{citation.raw}' in a shared text: only a brief's own text (key points, "
                f"sections, its own risks) cites the brief's sources; {SYNTAX_HINT} there",
            )
