"""The one check an image's bytes pass before they are shown, rendered or published.

:func:`checked_image` is called by the loader (``briefs check``), by the build before it
publishes an image beside the HTML, and by the PDF's URL fetcher; each reads the file through
:mod:`briefs.source.safefiles` and uses only the bytes this function returns.

- **Raster pictures** (PNG, JPEG, GIF, WebP) are identified by Pillow from their header, among
  those four formats only; the format must be the one the name's suffix says (a browser opening
  the published file goes by the suffix), and width x height must be within
  :data:`MAX_IMAGE_PIXELS`. Nothing is decoded. The bytes are published as they are: a picture
  format runs no script, and re-encoding would alter the author's pixels and colour profile.
- **SVG pictures** are parsed by lxml with entities left unresolved, no DTD loaded and no network,
  and refused (never silently cleaned) when anything in them could run, fetch or expand:
  ``<script>``, ``<foreignObject>``, an ``on…`` event attribute, a reference (``href``,
  ``xlink:href``, ``src``, CSS ``url()``, ``@import``) to anything but a part of the same
  picture (``#id``), which covers ``javascript:``, the network, other files and nested
  ``data:`` pictures; a ``<!DOCTYPE>`` other than the W3C's public SVG one (which matplotlib
  and Illustrator write: no internal subset, so no entity, and never loaded), an entity, a
  processing instruction, an animation of a reference or handler, an element of another
  language than SVG (editors' metadata aside), an ``xml:base``, more than
  :data:`briefs.exhibits.svg.MAX_SVG_ELEMENTS` elements, more than
  :data:`briefs.exhibits.svg.MAX_SVG_DRAWN` once every ``<use>`` and
  ``url(#id)`` is followed (or a part that leads back to itself), a size beyond the pixel
  budget, or text that is not UTF-8. What passes is re-serialised from the
  parsed tree (UTF-8, comments dropped), so what is published and rendered is exactly what was
  checked, and the file is inert when opened from the output folder itself, whatever headers a
  web server would add.

A refusal is :class:`ImageRefused`, a :class:`~briefs.source.safefiles.Unsafe` whose ``reason``
completes a sentence about the image and names the SVG's own line where it has one.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterable
from pathlib import Path

from briefs.errors import Diagnostics, SourceLocation
from briefs.exhibits.image_errors import MAX_IMAGE_PIXELS, ImageRefused
from briefs.exhibits.svg import checked_svg
from briefs.project.config import MAX_RESOURCE_BYTES
from briefs.source.safefiles import Unsafe, read_inside

# What a suffix promises, and the Pillow formats that keep the promise (MPO: a camera's JPEG).
RASTER_FORMATS = {
    ".png": ("PNG",),
    ".jpg": ("JPEG", "MPO"),
    ".jpeg": ("JPEG", "MPO"),
    ".gif": ("GIF",),
    ".webp": ("WEBP",),
}
MIME_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}
_FORMAT_NAMES = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG", "GIF": "GIF", "WEBP": "WebP"}


def checked_image(name: str, data: bytes) -> bytes:
    """The bytes to use for the picture ``name`` (its suffix says its format), or :class:`ImageRefused`."""
    suffix = Path(name).suffix.lower()
    if suffix == ".svg":
        return checked_svg(data)
    if suffix in RASTER_FORMATS:
        _check_raster(suffix, data)
        return data
    raise ImageRefused(f"must be a PNG, JPEG, GIF, WebP or SVG file (ending {', '.join(MIME_TYPES)})")


def read_image(folder: Path, relative: str | Path, limit: int = MAX_RESOURCE_BYTES) -> tuple[Path, bytes]:
    """Read the picture ``relative`` (as written) from ``folder`` through :mod:`safefiles` and
    check it: (resolved path, bytes to use), or :class:`Unsafe` (:class:`ImageRefused` included)."""
    target, data = read_inside(folder, relative, limit)
    return target, checked_image(str(relative), data)


def published_images(folder: Path, names: Iterable[str]) -> list[tuple[str, bytes]]:
    """(name, bytes to publish) for each picture ``names`` (relative to ``folder``, as shown),
    read again and checked again at the moment of publishing, so that what is published is what
    passed the check even if a file changed since. A refusal is a :class:`ContentError` at the
    picture (at its own line, for an SVG)."""
    published: list[tuple[str, bytes]] = []
    diags = Diagnostics()
    for name in names:
        try:
            published.append((name, read_image(folder, name)[1]))
        except Unsafe as exc:
            line = exc.line if isinstance(exc, ImageRefused) else None
            diags.error(SourceLocation(folder / name, line or 0), f"image '{name}' {exc.reason}")
    diags.raise_if_errors()
    return published


def raster_problem(data: bytes) -> str | None:
    """For a file of any name that is a raster picture: why it must not be decoded (over the
    pixel budget), or None; None too for what is not a raster picture at all."""
    try:
        found = _raster_header(data)
    except ImageRefused as exc:
        return exc.reason
    if found and found[1] * found[2] > MAX_IMAGE_PIXELS:
        return f"is {found[1]} x {found[2]} pixels; the limit is {MAX_IMAGE_PIXELS:,} pixels"
    return None


# ----------------------------------------------------------------------------- raster


def _check_raster(suffix: str, data: bytes) -> None:
    expected = RASTER_FORMATS[suffix]
    found = _raster_header(data)
    if found is None:
        raise ImageRefused(f"is not a readable {_FORMAT_NAMES[expected[0]]} picture")
    kind, width, height = found
    if kind not in expected:
        raise ImageRefused(
            f"is a {_FORMAT_NAMES[kind]} picture named as a "
            f"{_FORMAT_NAMES[expected[0]]} ('{suffix}'): give it the suffix of its format"
        )
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageRefused(f"is {width} x {height} pixels; the limit is {MAX_IMAGE_PIXELS:,} pixels")


def _raster_header(data: bytes) -> tuple[str, int, int] | None:
    """(format, width, height) from the header, among the four formats only; None if it is
    none of them. Nothing is decoded."""
    # The *ImagePlugin modules are imported for what importing them does: register their formats.
    from PIL import (  # noqa: F401
        GifImagePlugin,
        Image,
        JpegImagePlugin,
        PngImagePlugin,
        UnidentifiedImageError,
        WebPImagePlugin,
    )

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we judge the size
            with Image.open(io.BytesIO(data), formats=["PNG", "JPEG", "GIF", "WEBP"]) as image:
                return image.format or "", image.size[0], image.size[1]
    except Image.DecompressionBombError as exc:  # Pillow's own limit, far above ours
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(pixels.group(1)):,} pixels" if pixels else "too many pixels"
        raise ImageRefused(f"is too large to decode safely: {size}; the limit is {MAX_IMAGE_PIXELS:,} pixels") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
