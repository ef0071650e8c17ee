"""Stage 4 (render HTML): LocalizedBrief + context → one self-contained HTML document."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from briefs.errors import TemplateError
from briefs.localize.brief import LocalizedBrief
from briefs.localize.i18n import Edition, is_cjk
from briefs.project.languages import FontSet
from briefs.render.templates import environment
from briefs.render.theme import DEFAULT_TEMPLATE, Theme
from briefs.render.typography import compress_punctuation, space_cjk_latin
from briefs.version import __version__


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
    company_css: Markup  # css/company.css, inlined in company notes only
    created: dt.datetime
    version: str = __version__


def load_css(theme: Theme, name: str = "brief.css") -> Markup:
    """A house stylesheet, inlined so every HTML file stands alone (a trusted template file): the
    first ``css/<name>`` along the theme's search path."""
    path = theme.find(f"css/{name}") or theme.folders[0] / "css" / name
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise TemplateError.at(path, 0, 0, f"cannot read stylesheet: {exc.strerror}") from None
    return Markup(text.replace("</", "<\\/"))  # noqa: S704 - trusted template file; no </style> breakout


def render_html(theme: Theme, context: RenderContext, template: str = DEFAULT_TEMPLATE) -> str:
    """Render the brief template; template mistakes become located :class:`TemplateError`."""
    env = environment(theme, context.edition)
    try:
        page = env.get_template(template).render(ctx=context, b=context.brief)
        if not is_cjk(context.brief.lang):
            return page
        return space_cjk_latin(compress_punctuation(page), context.brief.house.cjk_latin_spacing)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError.at(Path(exc.filename or template), exc.lineno, 0, exc.message or "syntax error") from None
    except jinja2.UndefinedError as exc:
        line, name = _template_frame(exc, theme)
        raise TemplateError.at(Path(name), line, 0, str(exc)) from None
    except jinja2.TemplateNotFound as exc:
        line, name = _template_frame(exc, theme)
        raise TemplateError.at(Path(name), line, 0, f"template not found: {exc.name}") from None
    except UnicodeDecodeError:
        raise TemplateError.at(theme.folders[0], 0, 0, "a template is not valid UTF-8 (save it as UTF-8)") from None
    except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as exc:
        # a mistake in template code (a division by zero, a filter given text, an include loop)
        line, name = _template_frame(exc, theme)
        raise TemplateError.at(Path(name), line, 0, f"template error: {type(exc).__name__}: {str(exc)[:200]}") from None


def _template_frame(exc: BaseException, theme: Theme) -> tuple[int, str]:
    """The innermost template line of a runtime template error (Jinja rewrites tracebacks)."""
    tb = exc.__traceback__
    found = (0, str(theme.folders[0]))
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if theme.located(filename):
            found = (tb.tb_lineno, filename)
        tb = tb.tb_next
    return found
