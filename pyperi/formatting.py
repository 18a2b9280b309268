"""Pure output formatting for the ``pyperi`` command: tables, CSV and JSON as text (no I/O)."""
from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping, Sequence

from . import stats
from .timeutil import format_timestamp

__all__ = ['FORMATS', 'Column', 'Output', 'FieldError', 'raw_column', 'display_width',
           'truncate', 'pad', 'compact_json', 'machine_value', 'csv_value', 'table_value',
           'format_table', 'can_encode', 'json_text', 'csv_text', 'check_fields', 'render']

FORMATS = ('table', 'json', 'jsonl', 'csv')


@dataclass(frozen=True)
class Column:
    """How to read one output field from a record, and what kind of value it is.

    ``kind`` is ``text``, ``number``, ``time`` (a datetime, shown as ISO 8601
    UTC), ``duration`` (seconds; ``H:MM:SS`` in tables) or ``bool``. ``limit``
    truncates the field in tables only.
    """

    get: Callable[[Mapping[str, Any]], Any]
    kind: str = 'text'
    limit: int | None = None


def raw_column(name: str, kind: str = 'text') -> Column:
    """A column that is the record's own ``name`` key."""
    return Column(lambda record: record.get(name), kind)


@dataclass
class Output:
    """What a command prints: records plus the fields that tables and CSV show by default.

    JSON without ``fields`` prints the records as they are; every other
    format (and JSON with ``fields``) reads fields through ``columns``,
    falling back to the record's own key for names not in ``columns``.
    ``single`` prints a JSON object instead of a one-item array, and a
    vertical ``field  value`` table.
    """

    records: Sequence[Mapping[str, Any]]
    columns: Mapping[str, Column]
    table_fields: Sequence[str]
    csv_fields: Sequence[str]
    single: bool = False
    extra_fields: Sequence[str] = ()   # computed fields the vertical table adds after the record
    vertical_limit: int | None = 100   # long values are cut in the vertical table (None: never)

    def column(self, name: str) -> Column:
        """The column for ``name``: a declared one, else the record's own key."""
        return self.columns.get(name) or raw_column(name)


class FieldError(ValueError):
    """A requested field exists in neither the columns nor the records."""


_CONTROL = {i: ' ' for i in range(32)}
_CONTROL.update({127: ' '})
_CSV_FORMULA_START = ('=', '+', '-', '@', '\t', '\r')


def display_width(text: str) -> int:
    """Terminal cells taken by ``text`` (wide East Asian characters and emoji take two)."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ('W', 'F') else 1
    return width


def truncate(text: str, limit: int | None) -> str:
    """``text`` cut to ``limit`` display cells, ending in ``…`` when cut (None: never cut)."""
    if limit is None or display_width(text) <= limit:
        return text
    out, width = [], 0
    for char in text:
        width += display_width(char)
        if width > limit - 1:
            break
        out.append(char)
    return ''.join(out) + '…'


def pad(text: str, width: int, right: bool) -> str:
    """``text`` padded with spaces to ``width`` display cells, on the left if ``right``."""
    gap = ' ' * max(0, width - display_width(text))
    return gap + text if right else text + gap


def compact_json(value: Any) -> str:
    """One-line JSON without spaces, non-ASCII kept."""
    return json.dumps(value, ensure_ascii=False, separators=(',', ':'), default=str)


def machine_value(value: Any, kind: str) -> Any:
    """A field for JSON: datetimes as ISO 8601 UTC, durations rounded to milliseconds."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return format_timestamp(value)
    if kind == 'duration' and isinstance(value, (int, float)):
        return round(float(value), 3)
    return value


def _seconds_text(value: float) -> str:
    return f'{value:.3f}'.rstrip('0').rstrip('.')


def csv_value(value: Any, kind: str) -> str:
    """A CSV cell: ISO timestamps, seconds, true/false, and no formula a spreadsheet would run."""
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, datetime):
        return format_timestamp(value)
    if kind == 'duration' and isinstance(value, (int, float)):
        return _seconds_text(float(value))
    if isinstance(value, (dict, list, tuple)):
        return compact_json(value)
    if isinstance(value, str):
        # Broadcast titles are written by strangers: a leading '=' would be a live formula.
        return "'" + value if value.startswith(_CSV_FORMULA_START) else value
    return str(value)


def table_value(value: Any, kind: str, limit: int | None) -> str:
    """A table cell: yes/no, ISO timestamps, ``H:MM:SS`` durations, no control characters."""
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    if isinstance(value, datetime):
        return format_timestamp(value)
    if kind == 'duration' and isinstance(value, (int, float)):
        return stats.format_duration(value)
    if isinstance(value, (dict, list, tuple)):
        text = compact_json(value)
    else:
        text = str(value)
    # Titles are written by strangers: no terminal control sequences.
    return truncate(text.translate(_CONTROL), limit)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]],
                 right: Iterable[int] = ()) -> list[str]:
    """Aligned columns separated by two spaces; columns listed in ``right`` right-aligned."""
    right = set(right)
    widths = [display_width(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))
    lines = []
    for row in [list(headers), *rows]:
        cells = [pad(cell, widths[i], i in right) for i, cell in enumerate(row)]
        lines.append('  '.join(cells).rstrip())
    return lines


def can_encode(text: str, encoding: str | None) -> bool:
    """True if ``text`` can be written in ``encoding`` (None means UTF-8)."""
    try:
        text.encode(encoding or 'utf-8')
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def json_text(data: Any, *, indent: int | None = 2, encoding: str | None = 'utf-8') -> str:
    """``data`` as JSON, keeping non-ASCII characters only if ``encoding`` can hold them."""
    text = json.dumps(data, indent=indent, default=str, ensure_ascii=False)
    if not can_encode(text, encoding):
        text = json.dumps(data, indent=indent, default=str, ensure_ascii=True)
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """CSV (RFC 4180: a header row, CRLF line ends, quoting where needed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def check_fields(output: Output, fields: Sequence[str]) -> None:
    """Raise :class:`FieldError` naming ``fields`` that no column or record has."""
    if not output.records:
        return
    known = set(output.columns)
    for record in output.records:
        known.update(record)
    unknown = [name for name in fields if name not in known]
    if unknown:
        raise FieldError(f'unknown field(s) {", ".join(unknown)}; '
                         f'available: {", ".join(sorted(known))}')


def _vertical_lines(output: Output, record: Mapping[str, Any],
                    fields: Sequence[str] | None) -> list[str]:
    if fields:
        names = list(fields)
    else:
        names = list(record) + [n for n in output.extra_fields if n not in record]
    rows = []
    for name in names:
        column = output.columns.get(name) if (fields or name not in record) else None
        column = column or raw_column(name)
        rows.append([name, table_value(column.get(record), column.kind, output.vertical_limit)])
    return format_table(['field', 'value'], rows)


def _lines(lines: Iterable[str]) -> str:
    return ''.join(line + '\n' for line in lines)


def render(output: Output, fmt: str, fields: Sequence[str] | None = None, *,
           encoding: str | None = 'utf-8') -> str:
    """``output`` as text in format ``fmt`` (one of :data:`FORMATS`), newline-terminated.

    :param fields: the fields to show, in order (None: the output's defaults).
    :param encoding: the encoding the text will be written in; JSON escapes
        non-ASCII characters when it cannot hold them.
    :raises FieldError: a field in ``fields`` is unknown.
    :raises ValueError: ``fmt`` is not a known format.
    """
    if fmt not in FORMATS:
        raise ValueError(f'unknown format {fmt!r} (choose from {", ".join(FORMATS)})')
    if fields:
        check_fields(output, fields)
    if fmt in ('json', 'jsonl'):
        if fields:
            data: list[Any] = [
                {name: machine_value(output.column(name).get(record), output.column(name).kind)
                 for name in fields}
                for record in output.records]
        else:
            data = list(output.records)
        if fmt == 'jsonl':
            return _lines(json_text(item, indent=None, encoding=encoding) for item in data)
        chosen = data[0] if output.single and len(data) == 1 else data
        return json_text(chosen, encoding=encoding) + '\n'
    if fmt == 'csv':
        names = list(fields or output.csv_fields)
        columns = [output.column(name) for name in names]
        return csv_text(names, ([csv_value(c.get(r), c.kind) for c in columns]
                                for r in output.records))
    if output.single and len(output.records) == 1:
        return _lines(_vertical_lines(output, output.records[0], fields))
    names = list(fields or output.table_fields)
    columns = [output.column(name) for name in names]
    rows = [[table_value(c.get(r), c.kind, c.limit) for c in columns] for r in output.records]
    right = [i for i, c in enumerate(columns) if c.kind in ('number', 'duration')]
    return _lines(format_table(names, rows, right))
