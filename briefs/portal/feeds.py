"""The Atom feed of one language (RFC 4287): one entry per approved brief, newest first.

Built as an element tree with lxml (every text escaped by the serializer, never by hand). Links
are relative to the feed's own location, as Atom allows, so the output folder can be published
anywhere. A draft is never in a feed, whatever the build.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from urllib.parse import urlsplit

from lxml import etree

from briefs.portal.entries import PortalEntry

ATOM = "http://www.w3.org/2005/Atom"
_NS = {None: ATOM}
_EPOCH = dt.date(1970, 1, 1)  # the "updated" of a feed with no entry yet: a fixed, valid instant


def _stamp(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")


def authority(website: str) -> str:
    """The tag: URI authority of the house (its website's host; a fixed one if it has none)."""
    host = urlsplit(website).hostname
    return host or "briefs.invalid"


def entry_id(host: str, entry: PortalEntry, lang: str) -> str:
    """A stable ``tag:`` URI (RFC 4151) for one brief in one language: the house's host, the
    brief's date and id. It never changes when the brief is edited or rebuilt."""
    return f"tag:{host},{entry.date.isoformat()}:brief/{entry.id}/{lang}"


def feed(
    lang: str,
    title: str,
    author: str,
    host: str,
    self_href: str,
    portal_href: str,
    entries: Sequence[tuple[PortalEntry, str]],
) -> bytes:
    """The feed document: ``entries`` are (entry, href of its HTML in ``lang``), newest first;
    drafts among them are left out."""
    approved = [(e, href) for e, href in entries if not e.draft]
    root = etree.Element(f"{{{ATOM}}}feed", nsmap=_NS)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", lang)

    def add(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
        child = etree.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
        if text is not None:
            child.text = text
        return child

    add(root, "id", f"tag:{host},2000:briefs/feed/{lang}")
    add(root, "title", title)
    add(root, "updated", _stamp(max((e.updated for e, _ in approved), default=_EPOCH)))
    add(add(root, "author"), "name", author)
    add(root, "link", rel="self", type="application/atom+xml", href=self_href)
    add(root, "link", rel="alternate", type="text/html", href=portal_href, hreflang=lang)
    add(root, "generator", "briefs")
    for entry, href in approved:
        item = add(root, "entry")
        add(item, "id", entry_id(host, entry, lang))
        add(item, "title", entry.title[lang])
        add(item, "published", _stamp(entry.date))
        add(item, "updated", _stamp(entry.updated))
        for person in entry.analysts:
            add(add(item, "author"), "name", person.label[lang])
        add(item, "link", rel="alternate", type="text/html", href=href, hreflang=lang)
        add(item, "category", term=entry.kind.id, label=entry.kind.label[lang])
        add(item, "summary", entry.summary[lang], type="text")
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return data
