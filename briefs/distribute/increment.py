"""A stamped copy as the base PDF followed by an incremental update: the base is never re-saved.

A copy's bytes are the base PDF's bytes, unchanged, and then a few objects appended after them
(ISO 32000-1, 7.5.6), ending in a cross-reference stream whose ``/Prev`` points at the base's:

- each page again, its content wrapped as ``q`` … ``Q`` and followed by a stream that paints the
  stamp, centred at the foot of the page's trim box, inside ``/Artifact`` marked content
  (``/Pagination``, ``/Watermark``): the base's PDF/UA structure tree is left whole, and a screen
  reader passes the stamp by as it passes a running footer;
- the stamp, one form XObject named ``/BriefsRecipientStamp`` on every page, with its font, and
  ``/BriefsRecipient`` (the recipient's id) in it and in the document information, so two
  recipients whose stamps read the same still get copies whose SHA-256 differs.

The base is parsed once per worker with pikepdf (:func:`prepared`, kept by its SHA-256): the
pages and the streams that place the stamp are the same bytes in every copy of that base, so a
copy costs only the recipient's objects and the cross-reference stream. The same base and the
same stamp give the same bytes, wherever and however often they are made.
"""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

import pikepdf

from briefs.distribute.lettering import Lettering, StampError, pdf_number

FORM = b"/BriefsRecipientStamp"
_ARTIFACT = b"/Artifact << /Type /Pagination /Subtype /Watermark >> BDC"
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*\Z")
_KEEP = 16  # bases a worker keeps parsed (one per brief and edition it stamps)
_cache: OrderedDict[str, Base] = OrderedDict()


class NotAppendable(StampError):
    """A base PDF that cannot take an update (encrypted, or not ending as a PDF does)."""


@dataclass(frozen=True)
class Base:
    """What every copy of one base PDF shares, computed once."""

    digest: str  # the base's SHA-256: a copy is only ever appended to these bytes
    length: int
    fixed: bytes  # the update's first objects (pages, the stamp's placement), the same in every copy
    offsets: tuple[tuple[int, int, int], ...]  # (number, generation, offset in the update) of those
    first: int  # the number of the first per-copy object
    info: tuple[int, int] | None  # the document information's number and generation, if it has one
    info_entries: bytes  # its entries, without /BriefsRecipient
    trailer: bytes  # /Root and /ID, as the base's trailer gives them
    prev: int  # the offset of the base's cross-reference section


def kept(digest: str) -> Base | None:
    """The base of that SHA-256 if this process has prepared it already."""
    base = _cache.get(digest)
    if base is not None:
        _cache.move_to_end(digest)
    return base


def prepared(data: bytes) -> Base:
    """The shared part of every copy of the base PDF ``data`` (parsed once, then kept)."""
    digest = hashlib.sha256(data).hexdigest()
    base = _cache.get(digest)
    if base is None:
        base = _prepare(data, digest)
        _cache[digest] = base
        while len(_cache) > _KEEP:
            _cache.popitem(last=False)
    _cache.move_to_end(digest)
    return base


def _prepare(data: bytes, digest: str) -> Base:
    found = _STARTXREF.search(data[-1024:])
    if found is None:
        raise NotAppendable("the base PDF does not end with startxref and %%EOF")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if pdf.is_encrypted:
            raise NotAppendable("the base PDF is encrypted")
        size = int(pdf.trailer.Size)
        pages = list(pdf.pages)
        boxes = sorted({tuple(float(v) for v in page.trimbox) for page in pages})
        open_number = size  # "q": the page's own drawing isolated from the stamp
        place = {box: size + 1 + i for i, box in enumerate(boxes)}
        first = size + 1 + len(boxes)
        objects: list[tuple[int, int, bytes]] = [(open_number, 0, _stream_object(b"q\n"))]
        for (x0, y0, x1, _), number in place.items():
            paint = b"\nQ q 1 0 0 1 %s %s cm %s %s Do EMC Q\n" % (
                pdf_number((x0 + x1) / 2),
                pdf_number(y0),
                _ARTIFACT,
                FORM,
            )
            objects.append((number, 0, _stream_object(paint)))
        for page in pages:
            box = tuple(float(v) for v in page.trimbox)
            objects.append((*page.obj.objgen, _page(page, open_number, place[box], first)))
        info = pdf.trailer.get("/Info")
        info_ref = info.objgen if info is not None and info.is_indirect else None
        entries = b""
        if info is not None:
            entries = b" ".join(
                pikepdf.Name(key).unparse() + b" " + _syntax(value)
                for key, value in info.items()
                if key != "/BriefsRecipient"
            )
        trailer = b"/Root %s" % pdf.trailer.Root.unparse()
        if "/ID" in pdf.trailer:
            trailer += b" /ID %s" % pdf.trailer.ID.unparse()
    lead = b"" if data.endswith((b"\n", b"\r")) else b"\n"
    fixed, offsets = _serialize(objects, len(lead))
    return Base(digest, len(data), lead + fixed, offsets, first, info_ref, entries, trailer, int(found[1]))


def _page(page: pikepdf.Page, open_number: int, place_number: int, form_number: int) -> bytes:
    """The page's dictionary again: its content between the two streams, and the stamp's form
    added to (a direct copy of) its resources; every other entry as it was."""
    obj = page.obj
    entries = [
        pikepdf.Name(key).unparse() + b" " + _syntax(value)
        for key, value in obj.items()
        if key not in ("/Contents", "/Resources")
    ]
    contents = obj.get("/Contents")
    parts = [] if contents is None else list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    streams = b" ".join([b"%d 0 R" % open_number, *(_syntax(part) for part in parts), b"%d 0 R" % place_number])
    entries.append(b"/Contents [ %s ]" % streams)
    resources = _inherited(obj, "/Resources")
    listed = []
    xobjects = b""
    if resources is not None:
        for key, value in resources.items():
            if key == "/XObject":
                xobjects = b" ".join(
                    pikepdf.Name(k).unparse() + b" " + _syntax(v) for k, v in value.items() if k != FORM.decode()
                )
            else:
                listed.append(pikepdf.Name(key).unparse() + b" " + _syntax(value))
    listed.append(b"/XObject << %s %s %d 0 R >>" % (xobjects, FORM, form_number))
    entries.append(b"/Resources << %s >>" % b" ".join(listed))
    return b"<< %s >>" % b" ".join(entries)


def _syntax(value: object) -> bytes:
    """A value of a parsed dictionary as PDF syntax (an indirect object as its reference);
    pikepdf hands numbers and booleans over as Python's own."""
    if isinstance(value, pikepdf.Object):
        return value.unparse()
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, Decimal):
        return pdf_number(float(value)) if value != value.to_integral_value() else b"%d" % int(value)
    if isinstance(value, int):
        return b"%d" % value
    return pikepdf.Array([value]).unparse()[1:-1].strip()


def _inherited(obj: pikepdf.Object, key: str) -> pikepdf.Object | None:
    """``key`` of a page, or of the nearest page-tree node above it that has it."""
    node: pikepdf.Object | None = obj
    for _ in range(64):  # a page tree deeper than this is a loop
        if node is None:
            break
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


def update(base: Base, stamp: Lettering, recipient_id: str) -> bytes:
    """The bytes to append to the base for one recipient's copy."""
    n = base.first
    mark = _text(recipient_id)
    fonts = b" ".join(b"/F%d %d 0 R" % (k, n + 1 + 5 * k) for k in range(len(stamp.fonts)))
    bbox = b" ".join(pdf_number(v) for v in stamp.bbox)
    form = b"<< /Type /XObject /Subtype /Form /BBox [ %s ] /Resources << /Font << %s >> >> " % (bbox, fonts)
    form += b"/BriefsRecipient %s /Length %d >>\nstream\n%s\nendstream" % (mark, len(stamp.content), stamp.content)
    objects = [(n, 0, form)]
    for k, font in enumerate(stamp.fonts):
        first = n + 1 + 5 * k  # the Type 0 font, its CIDFont, descriptor, program and ToUnicode map
        refs = {b"{cid}": first + 1, b"{descriptor}": first + 2, b"{program}": first + 3, b"{tounicode}": first + 4}
        parts = [font.font, font.cid_font, font.descriptor]
        for key, number in refs.items():
            parts = [part.replace(key, b"%d 0 R" % number) for part in parts]
        objects += [(first + i, 0, part) for i, part in enumerate([*parts, font.program, font.to_unicode])]
    after = n + 1 + 5 * len(stamp.fonts)
    info = base.info or (after, 0)
    objects.append((*info, b"<< %s /BriefsRecipient %s >>" % (base.info_entries, mark)))
    body, offsets = _serialize(objects, len(base.fixed))
    xref_number = max(after, info[0]) + 1
    entries = sorted([*base.offsets, *offsets, (xref_number, 0, len(base.fixed) + len(body))])
    rows = b"".join(b"\x01" + (base.length + at).to_bytes(4, "big") + gen.to_bytes(2, "big") for _, gen, at in entries)
    index = b" ".join(b"%d %d" % run for run in _runs([number for number, _, _ in entries]))
    packed = zlib.compress(rows, 6)
    xref = b"<< /Type /XRef /Size %d /Index [ %s ] /W [ 1 4 2 ] %s /Info %d %d R /Prev %d" % (
        xref_number + 1,
        index,
        base.trailer,
        *info,
        base.prev,
    )
    xref += b" /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (len(packed), packed)
    start = base.length + len(base.fixed) + len(body)
    tail = b"%d 0 obj\n%s\nendobj\nstartxref\n%d\n%%%%EOF\n" % (xref_number, xref, start)
    return base.fixed + body + tail


def _serialize(objects: list[tuple[int, int, bytes]], at: int) -> tuple[bytes, tuple[tuple[int, int, int], ...]]:
    """Indirect objects one after another, and each one's (number, generation, offset from ``at``)."""
    out = io.BytesIO()
    offsets = []
    for number, generation, body in objects:
        offsets.append((number, generation, at + out.tell()))
        out.write(b"%d %d obj\n%s\nendobj\n" % (number, generation, body))
    return out.getvalue(), tuple(offsets)


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Sorted object numbers as (first, count) runs, for a cross-reference stream's /Index."""
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and runs[-1][0] + runs[-1][1] == number:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((number, 1))
    return runs


def _stream_object(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data)


def _text(value: str) -> bytes:
    """A PDF text string, as hex (no escaping to get wrong): PDFDocEncoding for ASCII, else UTF-16."""
    raw = value.encode("ascii") if value.isascii() else b"\xfe\xff" + value.encode("utf-16-be")
    return b"<%s>" % raw.hex().encode("ascii")
