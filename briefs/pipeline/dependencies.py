"""What one brief depends on: the shared records it uses, and fingerprints of everything else.

The snapshot of shared content embedded in each PDF says what this brief was built from, and
nothing it did not use; so a PDF changes when, and only when, something it uses changed.
"""

from __future__ import annotations

from typing import Any

import yaml

from briefs.compliance.conflicts import named_securities
from briefs.load.loaded import LoadedBrief, Project
from briefs.source.texts import source_language

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter: 10 times faster


def used_shared(project: Project, loaded: LoadedBrief, lang: str | None = None) -> dict[str, Any]:
    """The shared records one brief uses, as plain data in a stable order; with ``lang``, those
    its edition in that language prints: its jurisdiction's disclaimers, and the phrase table a
    derived edition's text is converted with."""
    lib, brief = project.library, loaded.brief
    kind = lib.kind(brief.kind)
    assert kind is not None
    people = [lib.analyst(a) for a in (*brief.analysts, *brief.contacts)]
    used: dict[str, Any] = {
        # the translation notices are listed below, only the one this brief prints
        "house": lib.house.model_dump(mode="json", exclude={"translation_notice"}),
        # a kind's own template (kinds.yaml ``template:``) is listed only when it names one, and
        # ``company`` only for a company note's kind
        "kind": kind.model_dump(
            mode="json",
            exclude={
                k
                for k, v in (
                    ("template", kind.template),
                    ("company", kind.company),
                    ("disclosures", kind.disclosures != "full"),
                )
                if not v
            },
        ),
        "analysts": [p.model_dump(mode="json") for p in people if p is not None],
        "disclaimers": [
            d.model_dump(mode="json")
            for d in (lib.disclaimer(i) for i in (lib.disclaimer_ids(kind, lang) if lang else kind.disclaimers))
            if d is not None
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
    if lib.conflicts is not None:  # the wording, and the entries of the securities it names (only those)
        named = [ticker for ticker, _, _ in named_securities(brief)]
        used["conflicts"] = {
            "statements": lib.conflicts.statements.model_dump(mode="json", by_alias=True),
            "securities": [
                e.model_dump(mode="json", by_alias=True) for e in lib.conflicts.securities if e.ticker in named
            ],
        }
    table = lib.phrases.get(lang) if lang is not None and lang not in project.config.languages else None
    if table:
        used["phrases"] = {"phrases": dict(table.phrases), "quotes": dict(table.quotes)}
    if brief.security is not None:  # a company note prints the ledger up to its date
        used["recommendations"] = [e.record() for e in project.ledger.entries if e.date <= brief.date]
    notice = lib.house.translation_notice.get(source_language(project.config, loaded))
    if notice is not None:
        used["translation_notice"] = notice
    return used


def shared_snapshot(project: Project, loaded: LoadedBrief, lang: str | None = None) -> bytes:
    """YAML of :func:`used_shared`, with a header saying what it is (embedded in the PDF)."""
    header = (
        f"# Shared content used by brief '{loaded.brief.id}', as resolved at build time\n"
        f"# (from content/_shared/*.yaml; disclaimer ids and versions included).\n"
    )
    body = yaml.dump(used_shared(project, loaded, lang), Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=100)
    return (header + body).encode("utf-8")
