"""The text of each tagged piece of a page (marked content with an MCID), read back from the PDF.

Used by render/pdf_tags.py to give /Lang to the structure elements whose text is in another
script than the document's language (a Chinese name in an English brief). WeasyPrint writes
Type 0 fonts with Identity-H (two-byte codes) and a ``/ToUnicode`` CMap of ``bfchar`` and
``bfrange`` entries; a simple font is read one byte a code. Only what WeasyPrint (and
render/fontpack.py) write needs reading here; anything else reads as nothing.
"""

from __future__ import annotations

import re

import pikepdf

_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")
_READ = frozenset(pikepdf.Operator(op) for op in ("BDC", "BMC", "EMC", "Tf", "Tj", "TJ", "'", '"'))


CMap = tuple[dict[int, str], int]  # code → text, and the code's width in bytes
Instruction = pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage


def _unicode(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode("ascii")).decode("utf-16-be", "replace")


def _cmap(font: pikepdf.Object) -> CMap:
    """A font's code → text map and its code width in bytes."""
    width = 2 if font.get("/Subtype") == "/Type0" else 1
    table: dict[int, str] = {}
    stream = font.get("/ToUnicode")
    if not isinstance(stream, pikepdf.Stream):
        return table, width
    data = stream.read_bytes()
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        values = _HEX.findall(block)
        for code, text in zip(values[0::2], values[1::2], strict=False):
            table[int(code, 16)] = _unicode(text)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for line in block.splitlines():
            values = _HEX.findall(line)
            if len(values) == 3 and b"[" not in line:
                low, high = int(values[0], 16), int(values[1], 16)
                base = bytes.fromhex(values[2].decode("ascii"))
                for offset in range(high - low + 1):
                    tail = (int.from_bytes(base[-2:], "big") + offset).to_bytes(2, "big")
                    table[low + offset] = (base[:-2] + tail).decode("utf-16-be", "replace")
    return table, width


def _decode(data: bytes, cmap: tuple[dict[int, str], int]) -> str:
    table, width = cmap
    codes = (int.from_bytes(data[i : i + width], "big") for i in range(0, len(data) - width + 1, width))
    return "".join(table.get(code, "") for code in codes)


def mcid_texts(
    page: pikepdf.Page,
    instructions: list[Instruction] | None = None,
    cmaps: dict[tuple[int, int], CMap] | None = None,
) -> dict[int, str]:
    """The text shown inside each MCID's marked content on ``page`` (its own content stream; its
    ``instructions`` if already parsed; ``cmaps`` caches fonts across pages)."""
    fonts = page.obj.get("/Resources", pikepdf.Dictionary()).get("/Font", pikepdf.Dictionary())
    cmaps = {} if cmaps is None else cmaps
    texts: dict[int, str] = {}
    stack: list[int | None] = []
    font: CMap = ({}, 2)
    for instruction in pikepdf.parse_content_stream(page.obj) if instructions is None else instructions:
        if instruction.operator not in _READ:
            continue
        operands, operator = instruction.operands, str(instruction.operator)
        if operator == "BDC":
            properties = operands[1]
            mcid = properties.get("/MCID") if isinstance(properties, pikepdf.Dictionary) else None
            stack.append(int(mcid) if mcid is not None else None)
        elif operator == "BMC":
            stack.append(None)
        elif operator == "EMC" and stack:
            stack.pop()
        elif operator == "Tf":
            resource = fonts.get(str(operands[0]), pikepdf.Dictionary())
            key = resource.objgen if resource.is_indirect else (0, id(resource))
            if key not in cmaps:
                cmaps[key] = _cmap(resource)
            font = cmaps[key]
        elif operator in ("Tj", "TJ", "'", '"'):
            current = next((m for m in reversed(stack) if m is not None), None)
            if current is None:
                continue
            shown = operands[-1]
            pieces = list(shown) if isinstance(shown, pikepdf.Array) else [shown]
            pieces = [p for p in pieces if isinstance(p, pikepdf.String)]
            texts[current] = texts.get(current, "") + "".join(_decode(bytes(p), font) for p in pieces)
    return texts
