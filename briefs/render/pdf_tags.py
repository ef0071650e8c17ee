"""Stage 5c: mend what WeasyPrint's tagging leaves short of PDF/UA-1, on the finished PDF (pikepdf).

WeasyPrint 70 tags the page (``pdf_variant="pdf/a-3a"``) but:

- it marks the text of the ``@page`` margin boxes (running header, footer, page numbers) with
  MCIDs whose structure elements hang from nothing (its own comment: an Artifact there "is only
  allowed in PDF 2.0"), so readers see tagged content outside the tree. Those sequences become
  ``/Artifact`` (pagination) here, and their ParentTree entries are dropped;
- it paints form XObjects (transparency groups) outside any marked content;
- it writes no ``/Scope`` on TH cells (it reads ``scope`` only to link cells to headers);
- it tags ``<dl><div><dt/><dd/></div></dl>`` as an L whose children are Divs;
- it keeps attachment names as given, does not sort the EmbeddedFiles name tree, and lists
  each attachment twice in the catalog's ``/AF``;
- its XMP claims PDF/A only.

Each mend is small and local; what cannot be fixed here is fed to WeasyPrint differently
(render/pdf.py, brief.html, render/watermark.py). The /ID and every other byte stay
deterministic (``deterministic_id``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf

from briefs.project.languages import run_language
from briefs.render.pdf_text import CMap, Instruction, mcid_texts

ARTIFACT = pikepdf.Name("/Artifact")


def _kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _elements(element: pikepdf.Object) -> Iterator[pikepdf.Object]:
    """``element`` and every structure element below it, depth first (document order)."""
    stack = [element]
    while stack:
        current = stack.pop()
        yield current
        children = [k for k in _kids(current) if isinstance(k, pikepdf.Dictionary) and "/S" in k]
        stack.extend(reversed(children))


def _parent_tree(root: pikepdf.Object) -> dict[int, pikepdf.Object]:
    tree: dict[int, pikepdf.Object] = {}
    stack = [root.ParentTree]
    while stack:
        node = stack.pop()
        nums = node.get("/Nums", pikepdf.Array())
        tree.update((int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2))
        stack.extend(node.get("/Kids", pikepdf.Array()))
    return tree


def _form_has_mcid(form: pikepdf.Object) -> bool:
    return b"/MCID" in form.read_bytes()


_BDC, _BMC, _EMC, _DO = (pikepdf.Operator(op) for op in ("BDC", "BMC", "EMC", "Do"))


def _mend_page(
    pdf: pikepdf.Pdf, page: pikepdf.Page, mcids: pikepdf.Object | None, reachable: set[tuple[int, int]]
) -> list[Instruction]:
    """Margin-box text → /Artifact; unmarked form XObjects without MCIDs → /Artifact. Returns the
    page's instructions as they now are."""
    xobjects = page.obj.get("/Resources", pikepdf.Dictionary()).get("/XObject", pikepdf.Dictionary())
    out: list[Instruction] = []
    depth = 0
    changed = False
    for instruction in pikepdf.parse_content_stream(page.obj):
        operator = instruction.operator
        if operator == _BDC:
            depth += 1
            properties = instruction.operands[1]
            if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                mcid = int(properties.MCID)
                element = mcids[mcid] if mcids is not None and 0 <= mcid < len(mcids) else None
                if not isinstance(element, pikepdf.Dictionary) or element.objgen not in reachable:
                    pagination = pikepdf.Dictionary(Type=pikepdf.Name("/Pagination"))
                    instruction = pikepdf.ContentStreamInstruction([ARTIFACT, pagination], _BDC)
                    if mcids is not None and 0 <= mcid < len(mcids):
                        mcids[mcid] = pikepdf.Object.parse(b"null")
                    changed = True
        elif operator == _BMC:
            depth += 1
        elif operator == _EMC:
            depth -= 1
        elif operator == _DO and depth == 0:
            form = xobjects.get(str(instruction.operands[0]))
            if form is not None and not _form_has_mcid(form):
                out.append(pikepdf.ContentStreamInstruction([ARTIFACT], _BMC))
                out.append(instruction)
                instruction = pikepdf.ContentStreamInstruction([], _EMC)
                changed = True
        out.append(instruction)
    if changed:
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))
    return out


def _scope_headers(tagged: list[pikepdf.Object]) -> None:
    """Every TH gets /Scope: Column in a head row or a row of headers only, Row beside data cells
    (the HTML's scope="row" cells, which WeasyPrint links to the TD of their row)."""
    for element in tagged:
        if element.get("/S") != "/TR":
            continue
        cells = [k for k in _kids(element) if isinstance(k, pikepdf.Dictionary)]
        has_data = any(c.get("/S") == "/TD" for c in cells)
        in_head = element.get("/P", pikepdf.Dictionary()).get("/S") == "/THead"
        for cell in cells:
            if cell.get("/S") != "/TH":
                continue
            attributes = cell.get("/A")
            if not isinstance(attributes, pikepdf.Dictionary):
                attributes = pikepdf.Dictionary(O=pikepdf.Name("/Table"))
                cell.A = attributes
            scope = "/Row" if has_data and not in_head else "/Column"
            attributes.Scope = pikepdf.Name(scope)


def _structure_lists(pdf: pikepdf.Pdf, tagged: list[pikepdf.Object]) -> None:
    """``dl > div > (dt, dd+)``, tagged L > Div > LI+, becomes L > LI > (Lbl, LBody): the term as
    the item's label, its definitions as its body."""
    for element in tagged:
        if element.get("/S") != "/L":
            continue
        for item in _kids(element):
            if not isinstance(item, pikepdf.Dictionary) or item.get("/S") != "/Div":
                continue
            parts = [k for k in _kids(item) if isinstance(k, pikepdf.Dictionary) and k.get("/S") == "/LI"]
            if not parts or len(parts) != len(_kids(item)):
                item.S = pikepdf.Name("/LI")  # a Div of something else: an item with one body
                body = _struct(pdf, "/LBody", item)
                for kid in _kids(item):
                    _adopt(body, kid)
                item.K = pikepdf.Array([body])
                continue
            item.S = pikepdf.Name("/LI")
            label, body = parts[0], parts[1] if len(parts) > 1 else _struct(pdf, "/LBody", item)
            for part, role in ((label, "/Lbl"), (body, "/LBody")):
                part.S, part.P = pikepdf.Name(role), item
            for index, part in enumerate(parts):
                bodies = [k for k in _kids(part) if isinstance(k, pikepdf.Dictionary) and k.get("/S") == "/LBody"]
                content = [c for b in bodies for c in _kids(b)] if bodies else _kids(part)
                target = label if index == 0 else body
                if index < 2:
                    target.K = pikepdf.Array()
                for child in content:
                    _adopt(target, child)
            new = [label, body] if _kids(body) else [label]
            item.K = pikepdf.Array(new)
        _regroup_list(pdf, element)


def _struct(pdf: pikepdf.Pdf, role: str, parent: pikepdf.Object) -> pikepdf.Object:
    element = pikepdf.Dictionary(Type=pikepdf.Name("/StructElem"), S=pikepdf.Name(role), P=parent, K=pikepdf.Array())
    return pdf.make_indirect(element)


def _adopt(target: pikepdf.Object, child: pikepdf.Object) -> None:
    target.K = pikepdf.Array([*_kids(target), child])
    if isinstance(child, pikepdf.Dictionary) and "/S" in child:
        child.P = target


def _regroup_list(pdf: pikepdf.Pdf, element: pikepdf.Object) -> None:
    """What else WeasyPrint puts in an L (the space between inline-block items) joins the body of
    the item before it, and what else it puts in an LI (an anonymous block after the body) joins
    that item's body: L holds only LI (or L, Caption), LI only Lbl and LBody."""
    kept: list[pikepdf.Object] = []
    for kid in _kids(element):
        role = kid.get("/S") if isinstance(kid, pikepdf.Dictionary) else None
        if role in ("/LI", "/L", "/Caption"):
            kept.append(kid)
            continue
        item = next((k for k in reversed(kept) if k.get("/S") == "/LI"), None)
        if item is None:
            item = _struct(pdf, "/LI", element)
            kept.append(item)
        bodies = [k for k in _kids(item) if isinstance(k, pikepdf.Dictionary) and k.get("/S") == "/LBody"]
        body = bodies[-1] if bodies else _struct(pdf, "/LBody", item)
        if not bodies:
            _adopt(item, body)
        _adopt(body, kid)
    element.K = pikepdf.Array(kept)
    for item in kept:
        if item.get("/S") != "/LI":
            continue
        parts: list[pikepdf.Object] = []
        for kid in _kids(item):
            role = kid.get("/S") if isinstance(kid, pikepdf.Dictionary) else None
            if role in ("/Lbl", "/LBody"):
                parts.append(kid)
                continue
            last = next((k for k in reversed(parts) if k.get("/S") == "/LBody"), None)
            if last is None:
                last = _struct(pdf, "/LBody", item)
                parts.append(last)
            _adopt(last, kid)
        item.K = pikepdf.Array(parts)


def _flat_attachments(pdf: pikepdf.Pdf) -> None:
    """One /AF entry per file, and the EmbeddedFiles name tree sorted by name (as PDF requires)."""
    names = pdf.Root.get("/Names", pikepdf.Dictionary()).get("/EmbeddedFiles")
    if names is not None and "/Names" in names:
        pairs = [(bytes(names.Names[i]), names.Names[i + 1]) for i in range(0, len(names.Names), 2)]
        pairs.sort(key=lambda pair: pair[0])
        names.Names = pikepdf.Array([x for key, spec in pairs for x in (pikepdf.String(key), spec)])
    if "/AF" in pdf.Root:
        seen: set[tuple[int, int]] = set()
        unique = []
        for spec in pdf.Root.AF:
            if spec.objgen not in seen:
                seen.add(spec.objgen)
                unique.append(spec)
        pdf.Root.AF = pikepdf.Array(unique)


_UA_SCHEMA = (
    '<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
    'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
    '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
    "<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>"
    "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>"
    "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>"
    '<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">'
    "<pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>"
    "<pdfaProperty:category>internal</pdfaProperty:category>"
    "<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>"
    "</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>"
    '<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"><pdfuaid:part>1</pdfuaid:part>'
    "</rdf:Description>"
)


def _claim_pdfua(pdf: pikepdf.Pdf) -> None:
    """Add pdfuaid:part=1 (and its PDF/A extension schema, which PDF/A-3 requires) to the XMP."""
    metadata = pdf.Root.get("/Metadata")
    if metadata is None:
        return
    xmp = metadata.read_bytes()
    if b"pdfuaid:part" in xmp or b"</rdf:RDF>" not in xmp:
        return
    metadata.write(xmp.replace(b"</rdf:RDF>", _UA_SCHEMA.encode("utf-8") + b"</rdf:RDF>", 1))


def _mark_languages(pdf: pikepdf.Pdf, page: pikepdf.Page, mcids: pikepdf.Object, texts: dict[int, str]) -> None:
    """/Lang on each tagged run of text in another script (see :func:`run_language`)."""
    document_language = str(pdf.Root.get("/Lang", ""))
    for mcid, text in texts.items():
        element = mcids[mcid] if 0 <= mcid < len(mcids) else None
        language = run_language(text, document_language)
        if language and isinstance(element, pikepdf.Dictionary) and "/Lang" not in element:
            element.Lang = pikepdf.String(language)


def mend_tags(pdf: pikepdf.Pdf) -> None:
    """Apply every mend (see module doc) to the open ``pdf``, in place."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is not None:
        document = root.K[0] if isinstance(root.K, pikepdf.Array) else root.K
        tagged = list(_elements(document))
        reachable = {element.objgen for element in tagged}
        tree = _parent_tree(root)
        cmaps: dict[tuple[int, int], CMap] = {}
        for page in pdf.pages:
            key = page.obj.get("/StructParents")
            mcids = tree.get(int(key)) if key is not None else None
            instructions = _mend_page(pdf, page, mcids, reachable)
            if mcids is not None:
                _mark_languages(pdf, page, mcids, mcid_texts(page, instructions, cmaps))
        _scope_headers(tagged)
        _structure_lists(pdf, tagged)
    _flat_attachments(pdf)
    _claim_pdfua(pdf)


def finish_pdf(data: bytes) -> bytes:
    """WeasyPrint's ``data`` with its fonts repacked (render/fontpack.py) and its tags mended."""
    import io

    from briefs.render.fontpack import repack, save

    with pikepdf.open(io.BytesIO(data)) as pdf:
        repack(pdf)
        for page in pdf.pages:
            page.contents_coalesce()
        mend_tags(pdf)
        return save(pdf)
