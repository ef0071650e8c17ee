"""The ``citations`` check (``briefs check`` and every build): warnings about what a brief cites.

- **uncited source**: in a brief that cites (one of its sources has an ``id``, or its text has a
  ``[@id]``), a listed source its original text never cites, at that entry of ``sources``. A
  brief that cites nothing keeps a plain list of sources and gets no warning.
- **citation parity**: each translation of a Markdown text cites the same sources as its
  original, as often; a citation missing from a translation is reported where the original's
  would fall in it, one the original lacks where the translation has it.

Malformed and unknown citations are the loader's errors (:mod:`briefs.load.citation_checks`).
``--strict`` makes these warnings fail.
"""

from __future__ import annotations

from collections import Counter

from briefs.checks.figure_matching import aligned
from briefs.errors import Diagnostic, Diagnostics, by_place
from briefs.load.loaded import LoadedBrief, Project
from briefs.localize.citations import cited_ids, reading_order
from briefs.render.citations import column_of
from briefs.source.markdown_limits import markdown_facts
from briefs.source.texts import Entry, source_language, units
from briefs.source.yamlsource import cached_yaml


def check_citations(project: Project) -> list[Diagnostic]:
    """Every citation warning of the loaded briefs, sorted by place."""
    diags = Diagnostics()
    for loaded in project.briefs:
        source = source_language(project.config, loaded)
        _uncited(loaded, source, diags)
    for unit in units((), project.briefs, project.config):
        for entry in unit.entries():
            if entry.markdown:
                _parity(entry, unit.source, diags)
    return sorted(set(diags.items), key=by_place)


def _cites(loaded: LoadedBrief) -> bool:
    if any(s.id is not None for s in loaded.brief.sources):
        return True
    langs = {lang for point in loaded.brief.key_points for lang in point}
    return any(True for lang in langs for _ in cited_ids(reading_order(loaded, lang)))


def _uncited(loaded: LoadedBrief, source: str, diags: Diagnostics) -> None:
    if not loaded.brief.sources or not _cites(loaded):
        return
    cited = set(cited_ids(reading_order(loaded, source)))
    doc = loaded.doc or cached_yaml(loaded.path)
    for i, listed in enumerate(loaded.brief.sources):
        shown = listed.text.get(source) or next(iter(listed.text.values()))
        name = shown if len(shown) <= 40 else shown[:39] + "…"
        if listed.id is None:
            diags.warning(
                doc.location(("sources", i)),
                f"source '{name}' has no id, so the text cannot cite it: give it an id and cite it as "
                "[@id] where the text relies on it",
            )
        elif listed.id not in cited:
            diags.warning(
                doc.location(("sources", i, "id")),
                f"source '{listed.id}' ({name}) is never cited in the {source} text: cite it as "
                f"[@{listed.id}] where the text relies on it, or take it off the list",
            )


def _positions(text: str) -> list[tuple[str, int]]:
    """(source id, offset) of every citation of a text, in order."""
    found = markdown_facts(text).citations  # (none over budget, or in a text that cites nothing)
    return [
        (source_id, column_of(text, found, i))
        for i, citation in enumerate(found)
        if citation.problem is None
        for source_id in citation.ids
    ]


def _parity(entry: Entry, source: str, diags: Diagnostics) -> None:
    original = entry.texts.get(source)
    if original is None:
        return
    theirs = _positions(original)
    for lang, text in entry.texts.items():
        if lang == source:
            continue
        mine = _positions(text)
        missing = Counter(i for i, _ in theirs) - Counter(i for i, _ in mine)
        extra = Counter(i for i, _ in mine) - Counter(i for i, _ in theirs)
        site = entry.sites[lang]
        for source_id, at in reversed(theirs):  # the last ones of each id are the ones missing
            if missing[source_id] > 0:
                missing[source_id] -= 1
                diags.warning(
                    site.at(aligned(original, at, text)),
                    f"citation [@{source_id}] of the {source} text is missing from the {lang} text",
                )
        for source_id, at in reversed(mine):
            if extra[source_id] > 0:
                extra[source_id] -= 1
                diags.warning(site.at(at), f"citation [@{source_id}] of the {lang} text is not in the {source} text")
