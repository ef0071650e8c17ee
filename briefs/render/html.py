"""Stage 4 (render HTML): LocalizedBrief + context → one self-contained HTML document."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from .. import __version__
from ..errors import TemplateError
from ..fonts import FontSet
from ..i18n import Edition
from ..localize import LocalizedBrief
from ..templates import environment


@dataclass(frozen=True)
class Alternate:
    """A link to the same brief in another language."""

    lang: str
    label: str
    href: str


@dataclass(frozen=True)
class RenderContext:
    """What the templates receive besides the brief (never **locals())."""

    brief: LocalizedBrief
    edition: Edition
    alternates: tuple[Alternate, ...]
    fonts: FontSet
    css: Markup
    screen_css: Markup
    created: dt.datetime
    version: str = __version__


def load_css(templates: Path, name: str = "brief.css") -> Markup:
    """A house stylesheet, inlined so every HTML file stands alone (a trusted template file)."""
    path = templates / "css" / name
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise TemplateError.at(path, 0, 0, f"cannot read stylesheet: {exc.strerror}") from None
    return Markup(text.replace("</", "<\\/"))  # noqa: S704 - trusted template file; no </style> breakout


def render_html(templates: Path, context: RenderContext, template: str = "brief.html") -> str:
    """Render the brief template; template mistakes become located :class:`TemplateError`."""
    env = environment(templates, context.edition)
    try:
        return env.get_template(template).render(ctx=context, b=context.brief)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError.at(Path(exc.filename or template), exc.lineno, 0, exc.message or "syntax error") from None
    except jinja2.UndefinedError as exc:
        line, name = _template_frame(exc, templates)
        raise TemplateError.at(Path(name), line, 0, str(exc)) from None
    except jinja2.TemplateNotFound as exc:
        line, name = _template_frame(exc, templates)
        raise TemplateError.at(Path(name), line, 0, f"template not found: {exc.name}") from None
    except UnicodeDecodeError:
        raise TemplateError.at(templates, 0, 0, "a template is not valid UTF-8 (save it as UTF-8)") from None
    except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as exc:
        # a mistake in template code (a division by zero, a filter given text, an include loop)
        line, name = _template_frame(exc, templates)
        raise TemplateError.at(Path(name), line, 0,
                               f"template error: {type(exc).__name__}: {str(exc)[:200]}") from None


def _template_frame(exc: BaseException, templates: Path) -> tuple[int, str]:
    """The innermost template line of a runtime template error (Jinja rewrites tracebacks)."""
    tb = exc.__traceback__
    found = (0, str(templates))
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(str(templates)):
            found = (tb.tb_lineno, filename)
        tb = tb.tb_next
    return found
