"""What the picture checks share (:mod:`briefs.exhibits.images` for raster pictures, :mod:`briefs.exhibits.svg`):
the refusal and the pixel budget."""

from __future__ import annotations

from briefs.source.safefiles import Unsafe

MAX_IMAGE_PIXELS = 40_000_000  # e.g. 8000 x 5000: far above print needs, far below a pixel bomb


class ImageRefused(Unsafe):
    """An image that must not be used; ``reason`` completes "image 'name' …"."""

    def __init__(self, what: str, line: int | None = None, why: str = "") -> None:
        where = f" at line {line} of the SVG" if line else ""
        super().__init__(f"{what}{where}: {why}" if why else f"{what}{where}")
        self.line = line
