"""What one brief depends on: the shared records it uses, and fingerprints of everything else.

The snapshot of shared content embedded in each PDF says what this brief was built from, and
nothing it did not use; so a PDF changes when, and only when, something it uses changed.
"""

from __future__ import annotations

from typing import Any

import yaml

from briefs.load.loaded import LoadedBrief, Project
from briefs.source.texts import source_language

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter: 10 times faster


def used_shared(project: Project, loaded: LoadedBrief) -> dict[str, Any]:
    """The shared records one brief uses, as plain data in a stable order."""
    lib, brief = project.library, loaded.brief
    kind = lib.kind(brief.kind)
    assert kind is not None
    people = [lib.analyst(a) for a in (*brief.analysts, *brief.contacts)]
    used: dict[str, Any] = {
        # the translation notices are listed below, only the one this brief prints
        "house": lib.house.model_dump(mode="json", exclude={"translation_notice"}),
        # a kind's own template (kinds.yaml ``template:``) is listed only when it names one
        "kind": kind.model_dump(mode="json", exclude=None if kind.template else {"template"}),
        "analysts": [p.model_dump(mode="json") for p in people if p is not None],
        "disclaimers": [
            d.model_dump(mode="json") for d in (lib.disclaimer(i) for i in kind.disclaimers) if d is not None
        ],
        "risks": [
            r.model_dump(mode="json") for r in (lib.risk(i) for i in brief.risks if isinstance(i, str)) if r is not None
        ],
    }
    if brief.rating is not None or kind.rating_definitions:
        used["ratings"] = lib.ratings.model_dump(mode="json")
    if brief.chain is not None:
        chain = lib.chain(brief.chain.id)
        used["chain"] = chain.model_dump(mode="json") if chain else None
    notice = lib.house.translation_notice.get(source_language(project.config, loaded))
    if notice is not None:
        used["translation_notice"] = notice
    return used


def shared_snapshot(project: Project, loaded: LoadedBrief) -> bytes:
    """YAML of :func:`used_shared`, with a header saying what it is (embedded in the PDF)."""
    header = (
        f"# Shared content used by brief '{loaded.brief.id}', as resolved at build time\n"
        f"# (from content/_shared/*.yaml; disclaimer ids and versions included).\n"
    )
    body = yaml.dump(used_shared(project, loaded), Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=100)
    return (header + body).encode("utf-8")
