"""``briefs new brief``: a minimal brief of one kind that checks and builds as a draft at once.

It has every key the kind requires, in every language of the project: a title and a sector, one
key point, one section whose body is a Markdown file per language, one risk of its own, the
signing analysts (those given, or the first in analysts.yaml when the kind requires one) and,
when the kind requires a rating, a rating on the kind's scale. Every text it cannot know is a
placeholder (:mod:`briefs.compliance.placeholders`), so the brief is a draft that ``build --final`` and
``distribute`` refuse until each is written. Nothing is written unless all of it can be: a bad
id, an unknown kind or analyst, or a brief that exists already is a located error first.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefs.compliance.placeholders import CLOSE, KEYWORD, OPEN, placeholder
from briefs.compliance.rules import suggest
from briefs.errors import ContentError, Diagnostic, OutputError, SourceLocation
from briefs.load.loaded import Library
from briefs.model import library_records as lib
from briefs.model.fields import ID_RE
from briefs.project.config import ProjectConfig

SECTION = "thesis"  # the one section's id, and the stem of its Markdown files
MAX_ID = 64  # as briefs.model.fields.check_id


@dataclass(frozen=True)
class NewBrief:
    """What was written: the brief's folder and its files, in order."""

    folder: Path
    files: tuple[Path, ...]
    kind: str
    analysts: tuple[str, ...]


def _shown(value: str) -> str:
    return value if len(value) <= 40 else f"{value[:40]}… ({len(value)} characters)"


def check_brief_id(brief_id: str) -> None:
    """A located error unless ``brief_id`` is a valid brief id (the content model's id rule)."""
    if not ID_RE.fullmatch(brief_id) or len(brief_id) > MAX_ID:
        raise ContentError.at(
            Path("ID"),
            0,
            0,
            f"invalid brief id {_shown(brief_id)!r}: use lower-case letters, digits and single '-', "
            f"starting with a letter, at most {MAX_ID} characters (e.g. 'deepseek-r1-inference'); "
            "it becomes the folder's name",
        )


def _kind(library: Library, kind_id: str | None) -> lib.Kind:
    kinds = library.kinds.kinds
    if kind_id is None:
        return kinds[0]
    found = library.kind(kind_id)
    if found is None:
        raise ContentError.at(
            library.files["kinds"], 0, 0, f"unknown kind '{kind_id}'{suggest(kind_id, [k.id for k in kinds])}"
        )
    return found


def _analysts(library: Library, kind: lib.Kind, given: Sequence[str]) -> tuple[str, ...]:
    signing = [a.id for a in library.analysts.analysts if a.role == "analyst"]
    where = library.files["analysts"]
    problems = []
    for analyst_id in dict.fromkeys(given):
        person = library.analyst(analyst_id)
        if person is None:
            problems.append(f"unknown analyst '{analyst_id}'{suggest(analyst_id, signing)}")
        elif person.role != "analyst":
            problems.append(f"'{analyst_id}' has role '{person.role}': only a signing analyst can be given")
    if problems:
        raise ContentError([Diagnostic(SourceLocation(where), p) for p in problems])
    if given:
        return tuple(dict.fromkeys(given))
    if not kind.analysts_required:
        return ()
    if not signing:
        raise ContentError.at(
            where, 0, 0, f"a brief of kind '{kind.id}' needs a signing analyst, and analysts.yaml has none"
        )
    return (signing[0],)


def _text(languages: Sequence[str], zh: str, en: str, indent: int) -> str:
    """A Text as YAML lines: a placeholder per language (Chinese asks in Chinese)."""
    pad = " " * indent
    return "".join(
        f"{pad}{lang}: {json.dumps(placeholder(zh if lang.startswith('zh') else en), ensure_ascii=False)}\n"
        for lang in languages
    )


def _rating(library: Library, kind: lib.Kind) -> str:
    scale = library.ratings.scale(kind.rating_scale or "") or library.ratings.scales[0]
    values = ", ".join(v.id for v in scale.values)
    if kind.rating == "forbidden":
        return ""
    if kind.rating == "optional":
        return (
            "# A rating is optional for this kind; to give one, remove the '#'s and choose the value\n"
            f"# (one of {values}):\n#rating:\n#  scale: {scale.id}\n#  value: {scale.values[0].id}\n"
        )
    asked = placeholder(f"the rating: one of {values}")
    return f"rating:\n  scale: {scale.id}\n  value: {scale.values[0].id}   # {asked}\n"


def brief_yaml(
    brief_id: str, kind: lib.Kind, analysts: Sequence[str], library: Library, config: ProjectConfig, today: dt.date
) -> str:
    """The new brief.yaml."""
    langs = config.languages
    body_files = "".join(f"      {lang}: {SECTION}.{lang}.md\n" for lang in langs)
    return (
        f"# A new brief of kind '{kind.id}', written by `briefs new brief`. Replace each text\n"
        f"# between {OPEN} and {CLOSE} that starts with {KEYWORD} (a placeholder) with the real text:\n"
        "# a draft builds with them, but `briefs build --final` and `briefs distribute` refuse\n"
        "# each one, at its line.\n"
        "# It is a draft until compliance approves it: `briefs approve <id> --by <compliance id>`.\n"
        f"id: {brief_id}\n"
        f"kind: {kind.id}\n"
        f"date: {today.isoformat()}\n"
        "sector:\n" + _text(langs, "行业（中文）", "the sector", 2) + "title:\n"
        f"{_text(langs, '标题（中文）', 'the title', 2)}"
        f"{_rating(library, kind)}"
        f"analysts: [{', '.join(analysts)}]\n"
        "key_points:\n"
        f"{_text(langs, '核心观点（中文，Markdown）', 'the key point (Markdown)', 4).replace('    ', '  - ', 1)}"
        "sections:\n"
        f"  - id: {SECTION}\n"
        "    heading:\n"
        f"{_text(langs, '小标题（中文）', 'the heading', 6)}"
        "    body_file:\n"
        f"{body_files}"
        "risks:\n"
        "  - title:\n"
        f"{_text(langs, '风险名称（中文）', 'the risk', 6)}"
        "    text:\n"
        f"{_text(langs, '风险说明（中文，Markdown）', 'what the risk is (Markdown)', 6)}"
        "sources:  # the mainland rule pack wants every page to name its sources\n"
        "  - text:\n"
        f"{_text(langs, '资料来源（中文）', 'the source', 6)}"
    )


def body_markdown(lang: str) -> str:
    """One language's Markdown body of the new section."""
    if lang.startswith("zh"):
        return placeholder("正文（中文，Markdown：段落、列表、**加粗**、[链接](https://…)）") + "\n"
    return placeholder(f"the body in {lang} (Markdown: paragraphs, lists, **bold**, [links](https://…))") + "\n"


def new_brief(
    config: ProjectConfig,
    brief_id: str,
    kind_id: str | None = None,
    analysts: Sequence[str] = (),
    today: dt.date | None = None,
) -> NewBrief:
    """Write ``content/<brief_id>/`` (brief.yaml and one Markdown body per language) in the
    project of ``config``; raise a located :class:`ContentError` for a bad id, an unknown kind
    or analyst, or an existing brief, before anything is written."""
    from briefs.load.project import load_library

    check_brief_id(brief_id)
    if not config.content.is_dir():
        raise ContentError.at(
            config.content,
            0,
            0,
            "no content folder: run in a project (briefs new project DIR makes one) or give --project",
        )
    library = load_library(config)
    kind = _kind(library, kind_id)
    chosen = _analysts(library, kind, analysts)
    folder = config.content / brief_id
    if folder.exists() or folder.is_symlink():
        raise ContentError.at(
            folder / "brief.yaml" if (folder / "brief.yaml").is_file() else folder,
            0,
            0,
            f"brief '{brief_id}' exists already: choose another id, or edit it",
        )
    files = {"brief.yaml": brief_yaml(brief_id, kind, chosen, library, config, today or dt.date.today())}
    files.update({f"{SECTION}.{lang}.md": body_markdown(lang) for lang in config.languages})
    try:
        folder.mkdir()
        written = []
        for name, text in files.items():
            with open(folder / name, "x", encoding="utf-8") as handle:
                handle.write(text)
            written.append(folder / name)
    except OSError as exc:
        raise OutputError.at(folder, 0, 0, f"cannot write the new brief: {exc.strerror or exc}") from None
    return NewBrief(folder, tuple(written), kind.id, chosen)
