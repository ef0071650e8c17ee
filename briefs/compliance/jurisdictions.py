"""``content/_shared/jurisdictions.yaml`` checked against what it names: each jurisdiction's rule
pack is registered (by briefs or a plugin), the disclaimers it swaps in exist, it words every
element its pack wants worded and nothing else, and every edition the project publishes has its
jurisdiction described. Each problem at its line in the file.
"""

from __future__ import annotations

from collections.abc import Sequence

from briefs.compliance.rules import suggest
from briefs.errors import Diagnostic
from briefs.model import library_records as lib
from briefs.plugins import registry
from briefs.project.languages import LANGUAGES
from briefs.source.yamlsource import YamlDocument


def jurisdiction_problems(
    places: lib.JurisdictionList, disclaimers: Sequence[str], editions: Sequence[str], doc: YamlDocument
) -> list[Diagnostic]:
    """What is wrong with jurisdictions.yaml (``disclaimers``: the known disclaimer ids;
    ``editions``: every language the project can publish)."""
    found: list[Diagnostic] = []
    packs = registry().packs
    seen: set[str] = set()
    for i, place in enumerate(places.jurisdictions):
        if place.id in seen:
            found.append(Diagnostic(doc.location(("jurisdictions", i, "id")), f"jurisdiction '{place.id}' twice"))
        seen.add(place.id)
        pack = packs.get(place.pack)
        if pack is None:
            found.append(
                Diagnostic(
                    doc.location(("jurisdictions", i, "pack")),
                    f"unknown rule pack '{place.pack}'{suggest(place.pack, packs)}",
                )
            )
        for own, swapped in place.disclaimers.items():
            for j, ref in enumerate([own, *swapped]):
                if ref not in disclaimers:
                    key = ("jurisdictions", i, "disclaimers", own) + ((j - 1,) if j else ())
                    found.append(
                        Diagnostic(doc.location(key), f"unknown disclaimer '{ref}'{suggest(ref, disclaimers)}")
                    )
        if pack is not None:
            for name in pack.headings:
                if name not in place.headings:
                    found.append(
                        Diagnostic(
                            doc.location(("jurisdictions", i)),
                            f"jurisdiction '{place.id}' needs 'headings: {{{name}: …}}': the words that show "
                            f"that element of rule pack '{pack.name}'",
                        )
                    )
            for name in place.headings:
                if name not in pack.headings:
                    found.append(
                        Diagnostic(
                            doc.location(("jurisdictions", i, "headings", name)),
                            f"rule pack '{pack.name}' has no worded element '{name}'"
                            f"{suggest(name, pack.headings) if pack.headings else ' (it words none)'}",
                        )
                    )
    for lang in editions:
        wanted = LANGUAGES[lang].jurisdiction
        if wanted not in seen:
            found.append(
                Diagnostic(
                    doc.location(("jurisdictions",)),
                    f"no jurisdiction '{wanted}', where the {lang} edition is published "
                    "(briefs/project/languages.py); describe it here",
                )
            )
    return found
