"""Exhibits in one language (the localize stage of :mod:`briefs.exhibits.numbering`): captions (图1 /
Figure 1 through gettext patterns), table cells formatted per locale with Babel, charts drawn as
SVG in the language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from briefs.exhibits.cells import Cell, CellFormat, format_cell
from briefs.exhibits.numbering import ExhibitData, Ref
from briefs.localize.i18n import Edition
from briefs.model import brief as m


@dataclass(frozen=True)
class HeaderView:
    """A column header and how its cells align."""

    text: str
    numeric: bool


@dataclass(frozen=True)
class CellView:
    """A printed cell."""

    text: str
    numeric: bool


@dataclass(frozen=True)
class TableView:
    """A table's header row and body rows, formatted for one language."""

    headers: tuple[HeaderView, ...]
    rows: tuple[tuple[CellView, ...], ...]


@dataclass(frozen=True)
class ExhibitView:
    """A numbered chart or table as printed in one language."""

    id: str
    anchor: str
    kind: str  # chart | table
    label: str  # 图1 / Figure 1
    title: str
    source: str
    note: str | None
    svg: Markup | None = None
    svg_narrow: Markup | None = None  # the same chart drawn for a phone's width (screen CSS picks)
    table: TableView | None = None
    chart_type: str | None = None


def _cell_text(cell: Cell, column: m.Column, t: Edition, short: bool = False) -> str:
    if column.labels is not None and cell.value is not None:
        return t.text(column.labels[cell.value])
    text = format_cell(cell.value, cell.fmt, t.lang, short)
    return t.derive(text) if cell.fmt.type == "text" else text


def exhibit_view(data: ExhibitData, t: Edition, ref: Ref, font: str) -> ExhibitView:
    """Localize one exhibit: caption texts, formatted cells, and for a chart its SVG."""
    exhibit = data.exhibit
    title = t.text(exhibit.title)
    chart = exhibit.chart
    return ExhibitView(
        id=exhibit.id,
        anchor=ref.anchor,
        kind=exhibit.kind,
        label=ref.label,
        title=title,
        source=t.text(exhibit.source),
        note=t.text(exhibit.note) if exhibit.note else None,
        # The SVG is built by charts.py from escaped text (matplotlib's XML writer): safe Markup.
        svg=Markup(chart_svg(data, t, ref.anchor, title, font)) if chart else None,  # noqa: S704
        svg_narrow=Markup(chart_svg(data, t, ref.anchor, title, font, narrow=True)) if chart else None,  # noqa: S704
        table=table_view(data, t) if chart is None else None,
        chart_type=chart.type if chart else None,
    )


def table_view(data: ExhibitData, t: Edition) -> TableView:
    """The exhibit's declared columns, headers and every cell formatted in the edition's locale."""
    columns = data.exhibit.columns

    def numeric(column: m.Column, row: Mapping[str, Cell] | None = None) -> bool:
        if row is not None:
            return row[column.column].fmt.numeric
        return column.type in ("integer", "number", "percent", "currency", "compact", "mixed")

    headers = tuple(HeaderView(t.text(c.header), numeric(c)) for c in columns)
    rows = tuple(
        tuple(CellView(_cell_text(row[c.column], c, t), numeric(c, row)) for c in columns) for row in data.rows
    )
    return TableView(headers, rows)


def chart_svg(data: ExhibitData, t: Edition, anchor_id: str, title: str, font: str, narrow: bool = False) -> str:
    """Draw the exhibit's chart in the edition's language (matplotlib is imported only here);
    ``narrow``: for a phone's width, so its labels keep a readable size there."""
    from briefs.exhibits.charts import (
        NARROW_HEIGHT_IN,
        NARROW_MIN_LABEL_PT,
        NARROW_WIDTH_IN,
        ChartData,
        Series,
        render_svg,
    )

    exhibit = data.exhibit
    chart = exhibit.chart
    assert chart is not None
    declared = {c.column: c for c in exhibit.columns}
    x = declared[chart.x]
    categories = tuple(_cell_text(row[chart.x], x, t) for row in data.rows)
    values = [row[chart.x].value for row in data.rows]
    # Numbers on the category axis (80 %, 90 %, 100 %…) stand at their values, not evenly spaced.
    numeric_x = x.labels is None and all(
        row[chart.x].fmt.numeric and v is not None for row, v in zip(data.rows, values, strict=True)
    )
    positions = tuple(float(v) for v in values) if numeric_x and values == sorted(set(values)) else None
    crowded = len(data.rows) * len(chart.y) > 24  # labels on every bar would collide
    value_labels = chart.value_labels if chart.value_labels is not None else chart.type != "line" and not crowded
    series = []
    for name in chart.y:
        column = declared[name]
        cells = [row[name] for row in data.rows]
        series.append(
            Series(
                label=t.text(column.header),
                values=tuple(None if c.value is None else float(c.value) for c in cells),
                # printed only as value labels: not formatted at all for a chart without them
                texts=tuple(_cell_text(c, column, t, short=True) for c in cells) if value_labels else (),
            )
        )
    first = declared[chart.y[0]]
    fmt = CellFormat(first.type, first.digits, first.currency)
    return render_svg(
        ChartData(
            chart.type,
            categories,
            tuple(series),
            fmt,
            t.lang,
            t.text(chart.y_label) if chart.y_label else None,
            t.text(chart.x_label) if chart.x_label else None,
            value_labels,
            positions,
            *((NARROW_WIDTH_IN, NARROW_HEIGHT_IN, NARROW_MIN_LABEL_PT) if narrow else ()),
        ),
        font=font,
        anchor=f"{anchor_id}-narrow" if narrow else anchor_id,
        title=title,
    )
