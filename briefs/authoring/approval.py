"""``briefs approve ID --by PERSON [--date D]``: compliance signs a brief off, bound to its content.

Checks the approver rules (a ``compliance`` person of analysts.yaml, not an author, on or before
the report date), writes ``content/ID/approval.yaml`` (:mod:`briefs.compliance.approvals`: a hash
of each part the brief's output depends on), then sets ``approval: {by, date}`` in brief.yaml.
Both files are written atomically; brief.yaml is edited as text, so its comments and layout stay:
only the ``approval:`` entry is replaced (or added after ``date:``). Either order of a crash leaves
a draft (the two records disagree), never a brief approved for content nobody saw.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from briefs.compliance.approvals import approver_problems, content_parts, record_path, record_text
from briefs.errors import ContentError, SourceLocation, display_path
from briefs.load.project import load_project
from briefs.model.fields import check_id
from briefs.pipeline.write import write_atomic
from briefs.project.config import ProjectConfig
from briefs.source.yamlsource import read_text


@dataclass(frozen=True)
class Approved:
    """What ``briefs approve`` did."""

    brief_id: str
    record: Path
    parts: int
    brief_changed: bool  # brief.yaml's approval entry was written (False: it already said so)


def _brief_file(config: ProjectConfig, brief_id: str) -> Path:
    """content/<id>/brief.yaml of an existing brief, or a plain error naming what is there."""
    try:
        check_id(brief_id)
        valid = True
    except ValueError:
        valid = False
    path = config.content / brief_id / "brief.yaml"
    if not valid or not path.is_file():
        known = sorted(p.parent.name for p in config.content.glob("*/brief.yaml"))
        raise ContentError.at(
            config.content,
            0,
            0,
            f"no brief '{brief_id}' in {display_path(config.content)}/ (briefs: {', '.join(known)})",
        )
    return path


def approve(config: ProjectConfig, brief_id: str, by: str, date: dt.date) -> Approved:
    """Record ``by``'s approval of the brief on ``date``, bound to its content as it is now."""
    path = _brief_file(config, brief_id)
    project = load_project(config, [path.parent], approvals=False)  # a broken record is rewritten
    loaded = project.briefs[0]
    problems = approver_problems(project.library, loaded.brief, by, date)
    if problems:
        where = SourceLocation(path, 1, 1)
        if loaded.doc is not None:
            where = loaded.doc.location(("approval",) if loaded.brief.approval else ("date",))
        raise ContentError.at(where.path, where.line, where.column, "cannot approve: " + "; ".join(problems))
    parts = content_parts(project, loaded)
    record = record_path(loaded)
    write_atomic(record, record_text(brief_id, by, date, parts).encode("utf-8"))
    text = read_text(path)
    edited = with_approval(text, path, by, date)
    if edited != text:
        write_atomic(path, edited.encode("utf-8"))
    return Approved(brief_id, record, len(parts), edited != text)


def with_approval(text: str, path: Path, by: str, date: dt.date) -> str:
    """brief.yaml's text with ``approval: {by, date}`` in place of its approval entry, or added
    after its ``date:`` entry; nothing else changes (comments, order, line endings)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    entry = f"approval: {{by: {by}, date: {date.isoformat()}}}"
    root = yaml.compose(text, Loader=yaml.SafeLoader)  # (its marks count characters, libyaml's bytes)
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise ContentError.at(path, 1, 1, "cannot place the approval: brief.yaml is not a block mapping")
    pairs = {key.value: (key, value) for key, value in root.value if isinstance(key, yaml.ScalarNode)}
    if "approval" in pairs:
        key, value = pairs["approval"]
        return text[: key.start_mark.index] + entry + text[_last_index(value) :]
    if "date" not in pairs:
        raise ContentError.at(path, 1, 1, "cannot place the approval: brief.yaml has no 'date:'")
    _, value = pairs["date"]
    after = _line_end(text, value.end_mark.index)
    after = after + len(newline) if text.startswith(newline, after) else after
    return text[:after] + ("" if text[:after].endswith(("\n", "\r")) else newline) + entry + newline + text[after:]


def _last_index(node: yaml.Node) -> int:
    """Where a value's own text ends: a block's end mark is the next key's start, past any
    comment lines before it, which stay."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        return int(node.end_mark.index)
    children: list[yaml.Node] = []
    for item in node.value:
        children.extend(item if isinstance(item, tuple) else (item,))
    return max((_last_index(child) for child in children), default=int(node.start_mark.index))


def _line_end(text: str, index: int) -> int:
    """The index of the end of the line ``index`` is on (before its line break)."""
    match = re.compile(r"\r?\n|\Z").search(text, index)
    assert match is not None
    return match.start()
