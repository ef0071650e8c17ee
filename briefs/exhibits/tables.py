"""Exhibit data files: a CSV or YAML file → rows of cell text, every cell located.

CSV is read by pandas with ``dtype=str`` (YAML by our located YAML loader): nothing is guessed,
every cell arrives as the text the analyst wrote, with its place in the file (CSV: the line the
record starts on; YAML: the cell's own line). A file that cannot be read is our error, located,
never a pandas traceback. :mod:`briefs.exhibits.cells` then types and formats the cells.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from briefs.errors import ContentError, Diagnostic, Diagnostics, SourceLocation
from briefs.source.contentcache import ContentCache, digest
from briefs.source.yamlsource import cached_yaml, read_text

# Data files feed exhibits, and every row of an exhibit's file is printed or drawn; no exhibit
# may use more than 2,000 rows (a line chart's points, see exhibits.py), so a file never needs
# more. The example briefs' data files have at most 5 rows and 4 columns.
MAX_DATA_ROWS = 2_000
MAX_DATA_COLUMNS = 100


@dataclass(frozen=True)
class RawData:
    """A data file as text: column names in file order, rows of cell text, and where each cell is."""

    path: Path
    names: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    cells: tuple[tuple[SourceLocation, ...], ...]
    origin: SourceLocation

    def column(self, name: str) -> list[tuple[str, SourceLocation]]:
        """Every cell of a column with its location."""
        index = self.names.index(name)
        return [(row[index], where[index]) for row, where in zip(self.rows, self.cells, strict=True)]


# ----------------------------------------------------------------------------- reading


def read_data(path: Path) -> RawData:
    """Read a CSV or YAML data file (strict UTF-8, size-limited) or raise a located ContentError."""
    if path.suffix.lower() == ".csv":
        return _read_csv(path)
    return _read_yaml(path)


# A CSV file's cells by its content (:mod:`briefs.source.contentcache`), without its path: names,
# rows, each cell's (line, column), and the header's (line, column).
Shape = tuple[tuple[str, ...], tuple[tuple[str, ...], ...], tuple[tuple[tuple[int, int], ...], ...], tuple[int, int]]
_CSV: ContentCache[Shape] = ContentCache(16 * 2**20)  # characters of CSV text


def _read_csv(path: Path) -> RawData:
    text = read_text(path).removeprefix("\ufeff")  # read every time: the key is what it holds
    key = (digest(text), MAX_DATA_ROWS, MAX_DATA_COLUMNS)
    shape = _CSV.get(key)
    if shape is None:
        raw = _parse_csv(path, text)
        cells = tuple(tuple((c.line, c.column) for c in row) for row in raw.cells)
        _CSV.put(key, (raw.names, raw.rows, cells, (raw.origin.line, raw.origin.column)), len(text) + 100)
        return raw
    names, rows, places, origin = shape
    cells_at = tuple(tuple(SourceLocation(path, *place) for place in row) for row in places)
    return RawData(path, names, rows, cells_at, SourceLocation(path, *origin))


def _parse_csv(path: Path, text: str) -> RawData:
    import pandas as pd  # first use only: briefs with exhibits

    if "\r" in text and "\n" not in text:
        raise ContentError.at(
            path, 1, 1, "lines end in CR only (old Mac style); save the file with ordinary line endings (LF or CRLF)"
        )
    diags = Diagnostics()
    records = _record_lines(path, text)
    if not records:
        diags.error(SourceLocation(path, 1, 1), "data file is empty (expected a header row and data rows)")
        diags.raise_if_errors()
    header_line, header, _ = records[0]
    if len(records) - 1 > MAX_DATA_ROWS:
        raise too_many_rows(SourceLocation(path, records[MAX_DATA_ROWS + 1][0], 1), len(records) - 1)
    if len(header) > MAX_DATA_COLUMNS:
        raise too_many_columns(SourceLocation(path, header_line, 1), len(header))
    other = next((sep for sep in (";", "\t", "|") if len(header) == 1 and sep in header[0]), None)
    if other is not None:
        shown = "tabs" if other == "\t" else f"'{other}'"
        raise ContentError.at(
            path,
            header_line,
            1,
            f"the fields are separated by {shown}; save the "
            "file as comma-separated values (CSV, fields separated by ',')",
        )
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        name = name.strip()
        if not name:
            diags.error(SourceLocation(path, header_line, 1), f"column {i + 1} of the header row has no name")
        elif name in seen:
            diags.error(
                SourceLocation(path, header_line, 1),
                f"duplicate column '{name}' (columns {seen[name] + 1} and {i + 1})",
            )
        seen.setdefault(name, i)
    for line, fields, _ in records[1:]:
        if len(fields) > len(header):
            diags.error(SourceLocation(path, line, 1), f"row has {len(fields)} fields but the header has {len(header)}")
    diags.raise_if_errors()
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=True,
            skipinitialspace=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        found = re.search(r"line (\d+)", str(exc))
        row = re.search(r"starting at row (\d+)", str(exc))  # 0-based, the header being row 0
        line = (
            int(found.group(1))
            if found
            else records[int(row.group(1))][0]
            if row and int(row.group(1)) < len(records)
            else 1
        )
        message = str(exc).strip().removeprefix("Error tokenizing data. C error: ")
        if row:
            message = 'a quoted field is never closed (a " is missing)'
        raise ContentError.at(path, line, 1, f"unreadable CSV: {message}") from None
    rows = [
        tuple(("" if v is None else str(v)).strip() for v in record)
        for record in frame.itertuples(index=False, name=None)
    ]
    body = records[1:]
    if len(rows) != len(body):  # pandas and csv disagree on records: fall back to the file's start
        body = [(header_line, [], "")] * len(rows)
    cells = tuple(
        tuple(SourceLocation(path, line, column) for column in _field_columns(raw, len(header)))
        for line, _, raw in body
    )
    return RawData(
        path, tuple(str(c).strip() for c in frame.columns), tuple(rows), cells, SourceLocation(path, header_line, 1)
    )


def _record_lines(path: Path, text: str) -> list[tuple[int, list[str], str]]:
    """Each CSV record (blank lines skipped, as pandas does) with its first line and that line's text."""
    lines = text.split("\n")
    reader = csv.reader(io.StringIO(text))
    found: list[tuple[int, list[str], str]] = []
    start = 1
    try:
        for record in reader:
            if record:
                found.append((start, record, lines[start - 1] if start <= len(lines) else ""))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ContentError.at(path, start, 1, f"unreadable CSV: {exc}") from None
    return found


def _field_columns(raw: str, count: int) -> list[int]:
    """1-based character column of each of the first ``count`` fields of an unquoted CSV line
    (all 1 for a quoted one); a missing field points past the line's end. One pass per line."""
    if '"' in raw:
        return [1] * count
    parts = raw.split(",")
    columns: list[int] = []
    offset = 0
    for index in range(count):
        if index >= len(parts):
            columns.append(len(raw.rstrip("\r")) + 1 if index else 1)
            continue
        part = parts[index]
        columns.append(offset + (len(part) - len(part.lstrip())) + 1)
        offset += len(part) + 1
    return columns


def too_many_rows(where: SourceLocation, count: int) -> ContentError:
    """The error for a data file with more rows than any exhibit may use, at the first row over."""
    return ContentError(
        Diagnostic(
            where,
            (
                f"data file has {count:,} data rows; the limit is {MAX_DATA_ROWS:,}, more than any chart "
                "or table can show: aggregate the data (e.g. by month rather than by day)"
            ),
        )
    )


def too_many_columns(where: SourceLocation, count: int) -> ContentError:
    """The error for a data file with more columns than a page could hold."""
    return ContentError(
        Diagnostic(
            where,
            (f"data file has {count:,} columns; the limit is {MAX_DATA_COLUMNS:,}: keep the columns the brief uses"),
        )
    )


def _read_yaml(path: Path) -> RawData:
    doc = cached_yaml(path)
    diags = Diagnostics()
    data = doc.data
    if not isinstance(data, dict) or "rows" not in data:
        raise ContentError.at(
            path, 1, 1, "a YAML data file is a mapping with 'rows:', a list of mappings from column name to value"
        )
    unknown = [k for k in data if k != "rows"]
    for key in unknown:
        diags.error(doc.location((key,)), f"unknown key '{key}' (a data file has only 'rows')")
    rows_data = data["rows"]
    if not isinstance(rows_data, list):
        raise ContentError.at(path, *_line_col(doc.location(("rows",))), "'rows' must be a list")
    if len(rows_data) > MAX_DATA_ROWS:
        raise too_many_rows(doc.location(("rows", MAX_DATA_ROWS)), len(rows_data))
    names: list[str] = []
    for i, row in enumerate(rows_data):
        if not isinstance(row, dict):
            diags.error(doc.location(("rows", i)), "each row must be a mapping of column: value")
            continue
        if len(row) > MAX_DATA_COLUMNS:
            raise too_many_columns(doc.location(("rows", i)), len(row))
        for key, value in row.items():
            if isinstance(value, (dict, list)):
                diags.error(
                    doc.location(("rows", i, key)),
                    f"cell '{key}' must be a single value, "
                    f"not a {'mapping' if isinstance(value, dict) else 'list'}"
                    + (
                        " (translate text through the column's 'labels' in brief.yaml)"
                        if isinstance(value, dict)
                        else ""
                    ),
                )
            elif isinstance(value, bool):
                diags.error(doc.location(("rows", i, key)), f"cell '{key}' is true/false; quote it if it is text")
            if key not in names:
                names.append(key)
        if len(names) > MAX_DATA_COLUMNS:
            raise too_many_columns(doc.location(("rows", i)), len(names))
    diags.raise_if_errors()
    rows = tuple(tuple("" if row.get(n) is None else str(row.get(n)).strip() for n in names) for row in rows_data)
    cells = tuple(
        tuple(doc.location(("rows", i, n) if n in row else ("rows", i)) for n in names)
        for i, row in enumerate(rows_data)
    )
    return RawData(path, tuple(names), rows, cells, doc.location(("rows",)))


def _line_col(where: SourceLocation) -> tuple[int, int]:
    return where.line, where.column
