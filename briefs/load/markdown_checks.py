"""The checks on a brief's Markdown (in its YAML and in its body files): link targets, in-page
links, HTML comments, and the images it shows (inside the brief's folder, of an image kind, within
the size limit, with a text alternative). Each problem is reported at its line.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from briefs.compliance.rules import suggest
from briefs.errors import Diagnostics, SourceLocation
from briefs.exhibits.images import read_image
from briefs.exhibits.numbering import reference_targets
from briefs.load.loaded import MarkdownSource
from briefs.model import brief as m
from briefs.project.config import MAX_RESOURCE_BYTES
from briefs.render.markdown import image_problem, link_problem, shown_url
from briefs.source.markdown_limits import markdown_facts
from briefs.source.safefiles import Unsafe, resolve_inside
from briefs.source.texts import markdown_texts
from briefs.source.yamlsource import YamlDocument

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")  # what a brief's text may show


def check_links(
    brief: m.Brief, doc: YamlDocument, bodies: dict[tuple[str, str], MarkdownSource], diags: Diagnostics
) -> tuple[Path, ...]:
    """Every link and image of the brief's Markdown, in its YAML and in its body files; returns
    the image files shown."""
    known = reference_targets(brief)
    sources = [source for source in bodies.values() if source.origin.path != doc.path]
    sources += [MarkdownSource.in_yaml(doc, key_path, text) for key_path, text in markdown_texts(doc)]
    images = {image for source in sources for image in check_markdown(source, diags, known, doc.path.parent)}
    return tuple(sorted(images))


def check_markdown(
    source: MarkdownSource, diags: Diagnostics, known: set[str] | None = None, folder: Path | None = None
) -> list[Path]:
    """Refuse unsafe link targets, images from outside ``folder`` and images without a text
    alternative, each at its line; returns the image files that passed, as paths in ``folder``.

    An in-page link ``[](#name)`` must name an exhibit, section, chain or companies when ``known``
    is given. Images need a brief ``folder``: shared texts are printed in every brief and have none.
    """
    facts = markdown_facts(source.text)
    if (excess := facts.excess) is not None:  # refused before markdown-it parses it
        where = source.at_line(excess.line)
        if where.path.suffix.lower() not in (".yaml", ".yml"):  # a Markdown file: exact columns
            where = SourceLocation(where.path, where.line, excess.column)
        diags.error(where, excess.message)
        return []
    images: list[Path] = []
    for line in facts.comments:
        diags.error(
            source.at_line(line),
            "an HTML comment (<!-- … -->) would be printed as text, "
            "and the source files are embedded in the PDF: delete it, and keep notes "
            "outside content/",
        )
    for link in facts.links:
        where = source.at_line(link.line)
        if link.image:
            problem = _image_problem(link.url, folder) or (
                None
                if link.alt.strip()
                else (
                    "image has no text alternative; say what it shows, e.g. ![Exhibit: GPU "
                    "shipments 2024](chart.png), for screen readers and the PDF's tags"
                )
            )
        elif link.url.startswith("#"):
            target = link.url[1:]
            problem = (
                None
                if known is None or target in known
                else (f"link to unknown exhibit or section '#{target}'{suggest(target, known)}")
            )
        else:
            problem = link_problem(link.url)
        if problem:
            diags.error(where, problem)
        elif link.image and folder is not None:
            images.append(Path(os.path.normpath(folder / unquote(urlsplit(link.url).path))))
    return images


def _image_problem(url: str, folder: Path | None) -> str | None:
    problem = image_problem(url)
    if problem or folder is None:
        return problem or f"image '{shown_url(url)}': images may only be used in a brief's own texts"
    relative = unquote(urlsplit(url).path)
    try:
        target = resolve_inside(folder, relative)
    except Unsafe as exc:
        return f"image '{shown_url(url)}' {exc.reason}" + (
            " in the brief's folder" if exc.reason == "not found" else ""
        )
    if ".." in Path(relative).parts:  # published under this name: it must name the file itself
        return (
            f"image '{shown_url(url)}': a path with '..' is not allowed; "
            "name the picture by its place in the brief's folder"
        )
    named = Path(relative).name  # as published beside the HTML
    if not all(n.lower().endswith(IMAGE_SUFFIXES) for n in (named, target.name)):
        # (so a published image can never take the name of a page or PDF)
        return (
            f"image '{shown_url(url)}' must be a PNG, JPEG, GIF, WebP or SVG file (ending {', '.join(IMAGE_SUFFIXES)})"
        )
    if (size := target.stat().st_size) > MAX_RESOURCE_BYTES:
        return f"image '{shown_url(url)}' is {size / 2**20:.1f} MiB; the limit is {MAX_RESOURCE_BYTES // 2**20} MiB"
    try:
        read_image(folder, relative)  # its bytes: the check publishing and the PDF apply (images.py)
    except Unsafe as exc:
        return f"image '{shown_url(url)}' {exc.reason}"
    return None
