"""Where a build puts things: the one module that knows the names of output files.

Every document is ``<out>/<id>/<id>.<lang>.<suffix>`` (``suffix``: the output format's, ``html``
or ``pdf`` or a plugin's); the copies ``briefs distribute`` stamps for recipients are
``<out>/<id>/distribution/<id>.<lang>.<recipient>.pdf``. Names are relative to the output folder
(as the manifest and the distribution log record them) unless a function takes ``out``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

FORMATS = ("html", "pdf")  # what a build writes unless told otherwise; plugins add more (plugins.py)
COPIES = "distribution"  # the folder, beside a brief's documents, holding its stamped copies
RIXML_SUFFIX = "rixml.xml"  # the RIXML sidecar format's: <id>.<lang>.rixml.xml beside the HTML and PDF


def document_file(brief_id: str, lang: str, suffix: str) -> str:
    """The file name of one document (``<id>.<lang>.<suffix>``), as its siblings link to it."""
    return f"{brief_id}.{lang}.{suffix}"


def document_name(brief_id: str, lang: str, suffix: str) -> str:
    """One document, relative to the output folder: ``<id>/<id>.<lang>.<suffix>``."""
    return f"{brief_id}/{document_file(brief_id, lang, suffix)}"


def document_path(out: Path, brief_id: str, lang: str, suffix: str) -> Path:
    """One document in the output folder ``out``."""
    return out / brief_id / document_file(brief_id, lang, suffix)


def copy_name(brief_id: str, lang: str, recipient: str) -> str:
    """A recipient's stamped copy, relative to the output folder (as the log's ``file`` names it)."""
    return f"{brief_id}/{COPIES}/{brief_id}.{lang}.{recipient}.pdf"


def label(brief_id: str, lang: str) -> str:
    """How a build names one brief in one language (``<id>.<lang>``) in its list of planned documents."""
    return f"{brief_id}.{lang}"


# ----------------------------------------------------------------------------- the portal
# Beside the briefs' folders: the index of every language, its Atom feed, and Pagefind's search
# bundle (whose folder name no brief may have).

PORTAL_INDEX = "index.html"  # the project's first language, for a server's default page
SEARCH_FOLDER = "pagefind"  # Pagefind's bundle (its own names inside)


def portal_index_name(lang: str) -> str:
    """The index page of one language, relative to the output folder: ``index.<lang>.html``."""
    return f"index.{lang}.html"


def feed_name(lang: str) -> str:
    """The Atom feed of one language, relative to the output folder: ``feed.<lang>.xml``."""
    return f"feed.{lang}.xml"


def is_portal(name: str) -> bool:
    """Whether ``name`` (relative to the output folder) is one of the portal's files."""
    first, _, rest = name.partition("/")
    if first == SEARCH_FOLDER:
        return True
    if rest:
        return False
    return first == PORTAL_INDEX or any(
        first.startswith(start) and first.endswith(end) and len(first) > len(start) + len(end)
        for start, end in (("index.", ".html"), ("feed.", ".xml"))
    )


def flat_name(name: str) -> str:
    """An attachment's name without folders (``_shared/used.yaml`` → ``_shared--used.yaml``): PDF
    readers and tools (qpdf, pdfdetach) save an attachment under its name, and a slash in it
    makes them miss or refuse it. The path stays in the attachment's description."""
    return name.replace("\\", "/").replace("/", "--")


def flat_names(names: Sequence[str]) -> list[str]:
    """:func:`flat_name` of each, made unique (``a--b.yaml``, then ``a--b-2.yaml``), in order."""
    out: list[str] = []
    for name in names:
        flat = candidate = flat_name(name)
        number = 1
        while candidate in out:
            number += 1
            stem, dot, suffix = flat.rpartition(".")
            candidate = f"{stem}-{number}.{suffix}" if dot and stem else f"{flat}-{number}"
        out.append(candidate)
    return out
