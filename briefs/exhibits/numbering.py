"""Exhibits: numbered charts and tables from data files, and the numbering of every exhibit.

Three jobs, one per stage:

- **load** (:func:`resolve_exhibits`): check each exhibit's placement, data file, columns, chart
  series and every cell against its declared type; problems are located at the YAML line that
  declares them or at the data file's row. The typed data rides on ``LoadedBrief.exhibits`` and the
  data files join ``LoadedBrief.files`` (embedded in the PDF, hashed for incremental builds).
- **number** (:func:`numbering`): figures and tables are numbered per brief in reading order —
  each section's exhibits after it, then the thesis-chain figure, then the companies table.
- **localize** (:func:`references` here; :func:`briefs.exhibits.views.exhibit_view`): captions
  (图1 / Figure 1 through gettext patterns), table cells formatted per locale with Babel, charts
  drawn as SVG in the language.

References from Markdown: a link to ``#<exhibit-id>`` (or ``#chain``, ``#companies``, or a section
id) points at the exhibit; with empty text, ``[](#r1-vs-o1)``, the text becomes its number label
("图1", "Figure 1"). Links are rewritten on markdown-it's tokens; content is never a template.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from briefs.compliance.rules import suggest
from briefs.errors import BriefsError, Diagnostics
from briefs.exhibits.cells import Cell, CellFormat, convert_rows, has_han
from briefs.exhibits.tables import RawData, read_data
from briefs.localize.i18n import Edition
from briefs.model import brief as m
from briefs.source.yamlsource import YamlDocument, locate

DATA_SUFFIXES = (".csv", ".yaml", ".yml")
# What one exhibit may print or draw (the example briefs' exhibits have at most 5 rows). A table
# of 500 rows fills a dozen A4 pages. The chart column is about 500 points wide, so 500 bars are
# each under a point wide and 2,000 line points are four to a point: more cannot be seen, and
# drawing cost grows with every bar (matplotlib makes one object per bar, about 1.5 ms each).
MAX_TABLE_ROWS = 500
MAX_CHART_BARS = 500  # bars of a bar or grouped-bar chart: rows × series
MAX_CHART_POINTS = 2_000  # points of a line chart: rows × series
RESERVED = {"chain": "the thesis-chain figure", "companies": "the related-companies table"}
CHAIN_ANCHOR = "fig-chain"
COMPANIES_ANCHOR = "tab-companies"


@dataclass(frozen=True)
class ExhibitData:
    """An exhibit with its typed rows (declared columns only) and the data file they came from."""

    exhibit: m.Exhibit
    file: Path
    rows: tuple[dict[str, Cell], ...]


def anchor(exhibit_id: str, kind: str) -> str:
    """The HTML id of an exhibit: ``fig-<id>`` for a chart, ``tab-<id>`` for a table."""
    return f"{'fig' if kind == 'chart' else 'tab'}-{exhibit_id}"


# ============================================================================ load


def resolve_exhibits(
    brief: m.Brief, doc: YamlDocument, diags: Diagnostics
) -> tuple[dict[str, ExhibitData], list[Path]]:
    """Check and read every exhibit of a brief; returns the typed data and the data files read."""
    folder = doc.path.parent.resolve()
    found: dict[str, ExhibitData] = {}
    files: list[Path] = []
    sections = [s.id for s in brief.sections]
    for i, section_id in enumerate(sections):  # [](#id) must name one thing
        if section_id in RESERVED:
            diags.error(
                doc.location(("sections", i, "id")), f"section id '{section_id}' is reserved for {RESERVED[section_id]}"
            )
    for i, exhibit in enumerate(brief.exhibits):
        here = ("exhibits", i)
        if exhibit.id in RESERVED:
            diags.error(
                doc.location((*here, "id")), f"exhibit id '{exhibit.id}' is reserved for {RESERVED[exhibit.id]}"
            )
        elif exhibit.id in sections:
            diags.error(
                doc.location((*here, "id")),
                f"exhibit id '{exhibit.id}' is also a section's id; a link [](#{exhibit.id}) must name one of them",
            )
        if exhibit.after not in sections:
            diags.error(
                doc.location((*here, "after")), f"unknown section '{exhibit.after}'{_suggest(exhibit.after, sections)}"
            )
        target = data_file(exhibit.data, folder, doc, (*here, "data"), diags)
        if target is None:
            continue
        try:
            raw = read_data(target)
        except BriefsError as exc:
            diags.extend(exc.diagnostics)
            continue
        if target not in files:
            files.append(target)
        rows = _typed_rows(exhibit, raw, doc, here, diags)
        if rows is not None:
            found[exhibit.id] = ExhibitData(exhibit, target, rows)
    return found, files


def data_file(
    written: str, folder: Path, doc: YamlDocument, key_path: tuple[str | int, ...], diags: Diagnostics
) -> Path | None:
    """The data file named at ``key_path`` of brief.yaml (CSV or YAML, inside the brief's folder,
    not brief.yaml itself), or None with the problem recorded there."""
    where = doc.location(key_path)
    relative = written.strip()
    located = locate(folder, relative)
    if located is None:
        diags.error(where, f"data file '{relative[:80]}' is not a usable file name")
        return None
    target, inside, found = located
    if not inside:
        diags.error(where, f"data file '{relative}' is outside the brief's folder")
    elif target.suffix.lower() not in DATA_SUFFIXES:
        diags.error(where, f"data file '{relative}' must be CSV (.csv) or YAML (.yaml)")
    elif target == doc.path.resolve():
        diags.error(where, "the data file cannot be brief.yaml itself")
    elif not found:
        diags.error(where, f"data file '{relative}' not found")
    else:
        return target
    return None


def _typed_rows(
    exhibit: m.Exhibit, raw: RawData, doc: YamlDocument, here: tuple[str | int, ...], diags: Diagnostics
) -> tuple[dict[str, Cell], ...] | None:
    errors_before = len(diags.errors)
    if not raw.rows:
        diags.error(raw.origin, f"data file {raw.path.name} has no data rows")
        return None
    known = list(raw.names)
    formats: dict[str, CellFormat] = {}
    type_columns: dict[str, str] = {}
    for j, column in enumerate(exhibit.columns):
        where = doc.location((*here, "columns", j, "column"))
        if column.column not in known:
            diags.error(where, f"unknown column '{column.column}' in {raw.path.name}{_suggest(column.column, known)}")
            continue
        if column.column in formats:
            diags.error(where, f"column '{column.column}' is declared twice")
        formats[column.column] = CellFormat(column.type, column.digits, column.currency, column.date_style or "medium")
        if column.type_column is not None:
            if column.type_column not in known:
                diags.error(
                    doc.location((*here, "columns", j, "type_column")),
                    f"unknown column '{column.type_column}' in {raw.path.name}{_suggest(column.type_column, known)}",
                )
                continue
            type_columns[column.column] = column.type_column
    if exhibit.chart is not None:
        _check_chart(exhibit, exhibit.chart, doc, here, diags)
    _check_size(exhibit, raw, doc, here, diags)
    if len(diags.errors) > errors_before:
        return None
    rows = convert_rows(raw, formats, type_columns, diags)
    for j, column in enumerate(exhibit.columns):
        if column.type not in ("text", "mixed"):
            continue
        for row in rows:
            cell = row[column.column]
            if cell.value is None or cell.fmt.type != "text":  # (a mixed column's text rows)
                continue
            if column.labels is not None:
                if cell.value not in column.labels:
                    diags.error(
                        cell.where,
                        f"no label for '{cell.value}' in column '{column.column}'"
                        f" (add it under the column's 'labels' in brief.yaml, line "
                        f"{doc.location((*here, 'columns', j, 'labels')).line})",
                    )
            elif has_han(cell.value):
                diags.error(
                    cell.where,
                    f"Chinese text '{cell.value}' in column '{column.column}' would "
                    f"print in every language; translate it with 'labels' in brief.yaml",
                )
    if len(diags.errors) > errors_before:
        return None
    return rows


def _check_chart(
    exhibit: m.Exhibit, chart: m.ChartSpec, doc: YamlDocument, here: tuple[str | int, ...], diags: Diagnostics
) -> None:
    declared = {c.column: c for c in exhibit.columns}
    if chart.x not in declared:
        diags.error(
            doc.location((*here, "chart", "x")),
            f"chart x '{chart.x}' is not one of the exhibit's columns{_suggest(chart.x, declared)}",
        )
    elif declared[chart.x].type == "mixed":
        diags.error(doc.location((*here, "chart", "x")), "the chart's x column cannot be of type mixed")
    types = set()
    for k, name in enumerate(chart.y):
        where = doc.location((*here, "chart", "y", k))
        column = declared.get(name)
        if column is None:
            diags.error(where, f"chart series '{name}' is not one of the exhibit's columns{_suggest(name, declared)}")
        elif column.type not in ("integer", "number", "percent", "currency", "compact"):
            diags.error(where, f"chart series '{name}' must be a numeric column, not {column.type}")
        else:
            types.add((column.type, column.currency))
    if len(types) > 1:
        diags.error(
            doc.location((*here, "chart", "y")), "a chart's series share one value axis: give them the same type"
        )


def _check_size(
    exhibit: m.Exhibit, raw: RawData, doc: YamlDocument, here: tuple[str | int, ...], diags: Diagnostics
) -> None:
    """No more rows than a page can print, or bars and points than a chart can show."""
    rows, chart = len(raw.rows), exhibit.chart
    where = doc.location((*here, "data"))
    if chart is None:
        if rows > MAX_TABLE_ROWS:
            diags.error(
                where,
                f"table '{exhibit.id}' would print the {rows:,} rows of "
                f"{raw.path.name}; the limit is {MAX_TABLE_ROWS:,} (about a dozen pages): "
                "print a selection or a summary",
            )
        return
    marks, limit = ("points", MAX_CHART_POINTS) if chart.type == "line" else ("bars", MAX_CHART_BARS)
    count = rows * max(1, len(chart.y))
    if count > limit:
        diags.error(
            where,
            f"chart '{exhibit.id}' would draw {count:,} {marks} ({rows:,} rows of "
            f"{raw.path.name} × {len(chart.y)} series); the limit is {limit:,}, more than "
            "the printed chart can show: aggregate the data (e.g. by month rather than by day)",
        )


def _suggest(name: str, known: Iterable[str]) -> str:
    return suggest(name, known)


# ============================================================================ numbering


@dataclass(frozen=True)
class Ref:
    """Where a reference points (an HTML id) and the text an empty link gets."""

    anchor: str
    label: str


def numbering(brief: m.Brief) -> dict[str, tuple[str, int]]:
    """Exhibit key → (kind, number) in reading order; keys are exhibit ids, ``chain``, ``companies``."""
    order: list[tuple[str, str]] = []
    for section in brief.sections:
        order.extend(
            (e.id, "figure" if e.kind == "chart" else "table") for e in brief.exhibits if e.after == section.id
        )
    if brief.chain is not None:
        order.append(("chain", "figure"))
    if brief.companies:
        order.append(("companies", "table"))
    counts = {"figure": 0, "table": 0}
    numbers: dict[str, tuple[str, int]] = {}
    for key, kind in order:
        counts[kind] += 1
        numbers[key] = (kind, counts[kind])
    return numbers


def number_label(kind: str, number: int, tr: gettext.NullTranslations) -> str:
    """图1 / Figure 1, 表1 / Table 1 (gettext patterns, so a catalog can reorder them)."""
    if kind == "figure":
        return tr.gettext("Figure %(number)s") % {"number": number}
    return tr.gettext("Table %(number)s") % {"number": number}


def references(brief: m.Brief, t: Edition, tr: gettext.NullTranslations) -> dict[str, Ref]:
    """Every target a Markdown link ``#id`` may name, with its anchor and number label."""
    refs = {s.id: Ref(f"section-{s.id}", t.text(s.heading)) for s in brief.sections}
    kinds = {e.id: e.kind for e in brief.exhibits}
    for key, (kind, number) in numbering(brief).items():
        if key == "chain":
            target = CHAIN_ANCHOR
        elif key == "companies":
            target = COMPANIES_ANCHOR
        else:
            target = anchor(key, kinds[key])
        refs[key] = Ref(target, number_label(kind, number, tr))
    return refs


def reference_targets(brief: m.Brief) -> set[str]:
    """The names a Markdown link ``#name`` may use in this brief (same keys as :func:`references`)."""
    # Every exhibit id counts, even one misplaced (its own error says so; no cascade of link errors).
    return {s.id for s in brief.sections} | {e.id for e in brief.exhibits} | set(numbering(brief))
