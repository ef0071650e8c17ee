"""briefs: bilingual (zh-CN / en) investment-research briefs from YAML and Markdown, as HTML and PDF.

The public API (see docs/api.md)::

    import briefs

    result = briefs.build("path/to/project", formats=["html"], out="site")
    for path in result.written:
        print(path)
    for problem in briefs.check("path/to/project").diagnostics:
        print(problem)  # path:line:col: message

Importing briefs is cheap: the libraries that render (WeasyPrint, pandas, matplotlib) are
imported when a build or check needs them.
"""

from briefs.api import BuildResult, CheckResult, build, check
from briefs.errors import BriefsError, Diagnostic, SourceLocation
from briefs.plugins import Registry, RenderedDocument, Renderer
from briefs.version import __version__

__all__ = [
    "BriefsError",
    "BuildResult",
    "CheckResult",
    "Diagnostic",
    "Registry",
    "RenderedDocument",
    "Renderer",
    "SourceLocation",
    "__version__",
    "build",
    "check",
]
