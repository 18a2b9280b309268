"""Pure output formatting for the ``pyperi`` command: the format table, text, CSV and JSON (no I/O).

What a command prints is an :class:`Output`. An output format is a row of
:data:`FORMATS`: the *part* of an Output it prints and the function that writes
that part as text. Every Output has all four parts (:data:`PARTS`):

``lines``
    lines for people (an aligned table, or a vertical ``field value`` list for one record);
``document``
    one JSON value (the records, or the one record);
``items``
    one JSON value per record, for streams;
``grid``
    a header of field names and one row of typed :class:`Cell` per record, for machines.

A command with a shape of its own (``stats``: a report with bar charts, one JSON
document with its window) subclasses :class:`Output`, overrides the parts it
prints differently and lists them in :attr:`Output.fixed_parts`. So a format added
to :data:`FORMATS` works for every command at once, and a format naming a part no
Output has is refused when it is made.
"""
from __future__ import annotations

import csv
import io
import json
import math
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Callable, ClassVar, Iterable, Mapping, NamedTuple, Sequence

from .checks import (
    check_bool, check_int, check_items, check_mapping, check_number, check_optional_str,
    check_str, check_text_of, shown,
)
from .timeutil import format_timestamp

__all__ = ['FORMATS', 'PARTS', 'Format', 'RenderOptions', 'Cell', 'Grid', 'Column', 'Output',
           'FieldError', 'FixedShapeError', 'raw_column', 'display_width', 'truncate', 'pad',
           'compact_json', 'machine_value', 'csv_value', 'table_value', 'format_table',
           'can_encode', 'json_text', 'csv_text', 'check_fields', 'check_shape',
           'formats_taking_fields', 'render', 'bar', 'bar_chart', 'format_duration', 'MAX_WIDTH',
           'fit_widths', 'ellipsis_for', 'MIN_FITTED_WIDTH']

#: The parts of an :class:`Output` a format can print.
PARTS = ('lines', 'document', 'items', 'grid')

#: Characters a terminal must be able to show for block-drawn bars.
_BAR_CHARACTERS = '█▏…'
#: Widest bar, pad() width or JSON indent accepted, in characters (tables are as wide as
#: their cells).
MAX_WIDTH = 1000
#: The narrowest a free-text (``prose``) column is cut to when a table must fit a width
#: (or its header's width, if wider).
MIN_FITTED_WIDTH = 10


# -- display helpers ------------------------------------------------------------------------

_EIGHTHS = ' ▏▎▍▌▋▊▉'


def _real(value: Any, name: str) -> float:
    """``value`` (an int or float, not a bool) as a float; ints beyond a float's range are
    infinite."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f'{name} must be a number, not {type(value).__name__}')
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def bar(value: float, maximum: float, width: int = 30, *, ascii: bool = False) -> str:
    """A horizontal bar ``width`` characters long at ``maximum``, scaled linearly.

    Unicode blocks draw eighths of a character; ``ascii=True`` draws ``#``.
    A positive value never draws as nothing (at least one eighth, or one ``#``);
    a value that is not positive (or NaN), or a ``maximum`` that is not, draws nothing.

    :raises TypeError: ``value`` or ``maximum`` is not a number, ``width`` not an int or
        ``ascii`` not a bool.
    :raises ValueError: ``width`` is over :data:`MAX_WIDTH`.
    """
    value, maximum = _real(value, 'value'), _real(maximum, 'maximum')
    check_int(width, 'width', maximum=MAX_WIDTH)
    check_bool(ascii, 'ascii')
    if width <= 0 or not maximum > 0 or not value > 0:
        return ''
    cells = (1.0 if math.isinf(value) else min(value / maximum, 1.0)) * width
    if ascii:
        return '#' * max(1, round(cells))
    eighths = max(1, round(cells * 8))
    full, rest = divmod(eighths, 8)
    return '█' * full + (_EIGHTHS[rest] if rest else '')


def _chart_row(row: Any, name: str) -> tuple[str, float]:
    if isinstance(row, (str, bytes)) or not isinstance(row, Sequence) or len(row) != 2:
        raise TypeError(f'{name} must be a (label, value) pair, not {type(row).__name__}')
    label, value = row
    check_str(label, f'{name} label')
    _real(value, f'{name} value')
    return label, value


def bar_chart(rows: Sequence[tuple[str, float]], width: int = 30, *,
              ascii: bool = False) -> list[str]:
    """Lines ``label  bar value`` for ``(label, value)`` pairs, bars scaled to the largest.

    :raises TypeError: ``rows`` is not a sequence of ``(str, number)`` pairs, or see :func:`bar`.
    :raises ValueError: ``width`` is over :data:`MAX_WIDTH`.
    """
    rows = check_items(rows, 'rows', _chart_row)
    check_int(width, 'width', maximum=MAX_WIDTH)
    if not rows:
        return []
    maximum = max((_real(value, 'value') for _, value in rows), default=0)
    label_width = max(len(label) for label, _ in rows)
    lines = []
    for index, (label, value) in enumerate(rows):
        drawn = bar(value, maximum, width, ascii=ascii)
        number = f'{value:g}' if isinstance(value, float) \
            else check_text_of(value, f'rows[{index}] value')
        lines.append(f'{label:<{label_width}}  {drawn:<{width}} {number}'.rstrip())
    return lines


def format_duration(seconds: float | None) -> str:
    """``1:02:03`` style (hours may exceed 24); ``''`` for None.

    :raises TypeError: ``seconds`` is neither a number nor None.
    :raises ValueError: ``seconds`` is NaN or infinite.
    """
    if seconds is None:
        return ''
    total = int(round(check_number(seconds, 'seconds')))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f'{hours}:{minutes:02d}:{secs:02d}'


_CONTROL = {i: ' ' for i in range(32)}
_CONTROL.update({127: ' '})
_CSV_FORMULA_START = ('=', '+', '-', '@', '\t', '\r')


def display_width(text: str) -> int:
    """Terminal cells taken by ``text`` (wide East Asian characters and emoji take two).

    :raises TypeError: ``text`` is not a ``str``.
    """
    width = 0
    check_str(text, 'text')
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ('W', 'F') else 1
    return width


def truncate(text: str, limit: int | None, ellipsis: str = '…') -> str:
    """``text`` cut to ``limit`` display cells, ending in ``ellipsis`` when cut (None: never
    cut). A ``limit`` narrower than the ellipsis gives the ellipsis alone.

    :raises TypeError: ``text`` or ``ellipsis`` is not a ``str`` or ``limit`` neither an int
        nor None.
    """
    if limit is not None:
        check_int(limit, 'limit')
    check_str(ellipsis, 'ellipsis')
    if limit is None or display_width(text) <= limit:
        return text
    room = limit - display_width(ellipsis)
    out, width = [], 0
    for char in text:
        width += display_width(char)
        if width > room:
            break
        out.append(char)
    return ''.join(out) + ellipsis


def ellipsis_for(encoding: str | None) -> str:
    """``…`` if ``encoding`` can write it (None: UTF-8), else ``...``.

    :raises TypeError: ``encoding`` is neither a str nor None.
    """
    return '…' if can_encode('…', encoding) else '...'


def pad(text: str, width: int, right: bool) -> str:
    """``text`` padded with spaces to ``width`` display cells, on the left if ``right``.

    :raises TypeError: ``text`` is not a ``str``, ``width`` not an int, ``right`` not a bool.
    :raises ValueError: ``width`` is over :data:`MAX_WIDTH` (a longer ``text`` is not cut).
    """
    check_int(width, 'width', maximum=MAX_WIDTH)
    check_bool(right, 'right')
    return _pad(text, width, right)


def _pad(text: str, width: int, right: bool) -> str:
    gap = ' ' * max(0, width - display_width(text))
    return gap + text if right else text + gap


def _dumps(value: Any, name: str, **options: Any) -> str:
    """``json.dumps(value, default=str, **options)``; ValueError naming ``name`` when ``value``
    has no JSON (nested beyond the recursion limit, circular, an int of 4300+ digits)."""
    return check_text_of(value, name, lambda data: json.dumps(data, default=str, **options))


def compact_json(value: Any) -> str:
    """One-line JSON without spaces, non-ASCII kept.

    :raises ValueError: ``value`` cannot be written as JSON.
    """
    return _dumps(value, 'value', ensure_ascii=False, separators=(',', ':'))


def _is_duration(value: Any, kind: str) -> bool:
    return kind == 'duration' and isinstance(value, (int, float)) and not isinstance(value, bool)


def machine_value(value: Any, kind: str) -> Any:
    """A field for JSON: datetimes as ISO 8601 UTC, durations rounded to milliseconds.

    :raises TypeError: ``kind`` is not a ``str``.
    """
    check_str(kind, 'kind')
    if value is None:
        return None
    if isinstance(value, datetime):
        return format_timestamp(value)
    if _is_duration(value, kind):
        return round(_real(value, 'value'), 3)
    return value


def _seconds_text(value: float) -> str:
    return f'{value:.3f}'.rstrip('0').rstrip('.')


def csv_value(value: Any, kind: str) -> str:
    """A CSV cell: ISO timestamps, seconds, true/false, and no formula a spreadsheet would run.

    :raises TypeError: ``kind`` is not a ``str``.
    :raises ValueError: ``value`` cannot be shown as text.
    """
    check_str(kind, 'kind')
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, datetime):
        return format_timestamp(value)
    if _is_duration(value, kind):
        return _seconds_text(_real(value, 'value'))
    if isinstance(value, (dict, list, tuple)):
        return compact_json(value)
    if isinstance(value, str):
        # Broadcast titles are written by strangers: a leading '=' would be a live formula.
        return "'" + value if value.startswith(_CSV_FORMULA_START) else value
    return check_text_of(value, 'value')


def table_value(value: Any, kind: str, limit: int | None, *, ellipsis: str = '…') -> str:
    """A table cell: yes/no, ISO timestamps, ``H:MM:SS`` durations, no control characters;
    text longer than ``limit`` ends in ``ellipsis``.

    :raises TypeError: ``kind`` or ``ellipsis`` is not a ``str`` or ``limit`` neither an int
        nor None.
    :raises ValueError: ``value`` cannot be shown as text.
    """
    check_str(kind, 'kind')
    if limit is not None:
        check_int(limit, 'limit')
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    if isinstance(value, datetime):
        return format_timestamp(value)
    if _is_duration(value, kind) and math.isfinite(_real(value, 'value')):
        return format_duration(value)
    if isinstance(value, (dict, list, tuple)):
        text = compact_json(value)
    else:
        text = check_text_of(value, 'value')
    # Titles are written by strangers: no terminal control sequences.
    return truncate(text.translate(_CONTROL), limit, ellipsis)


def _row(row: Any, name: str) -> list[str]:
    return check_items(row, name, check_str)


_GAP = 2   # spaces between table columns


def fit_widths(widths: Sequence[int], limit: int, shrink: Iterable[int],
               minimums: Sequence[int] | None = None) -> list[int]:
    """Column ``widths`` narrowed so the row (columns two spaces apart) fits ``limit`` cells.

    Only the columns listed in ``shrink`` narrow, the widest first, each down to its
    ``minimums`` entry (default: :data:`MIN_FITTED_WIDTH`, or its own width if smaller).
    The others never change, so a row whose other columns alone are wider than
    ``limit`` stays wider.

    :raises TypeError: ``widths``, ``shrink`` or ``minimums`` is not of ints, ``limit``
        not an int.
    :raises ValueError: ``minimums`` is not as long as ``widths``, or an index in
        ``shrink`` is out of range.
    """
    widths = check_items(widths, 'widths', check_int)
    check_int(limit, 'limit')
    shrink = sorted(set(check_items(shrink, 'shrink', check_int)))
    if minimums is None:
        minimums = [MIN_FITTED_WIDTH] * len(widths)
    minimums = check_items(minimums, 'minimums', check_int)
    if len(minimums) != len(widths):
        raise ValueError(f'minimums has {len(minimums)} entries for {len(widths)} widths')
    if any(not 0 <= index < len(widths) for index in shrink):
        raise ValueError(f'shrink has an index outside 0 to {len(widths) - 1}')
    fitted = list(widths)
    excess = sum(fitted) + _GAP * max(0, len(fitted) - 1) - limit
    while excess > 0:
        narrowable = [i for i in shrink if fitted[i] > minimums[i]]
        if not narrowable:
            break
        widest = max(narrowable, key=lambda i: fitted[i])
        # Down to the next widest (or the minimum) in one step, at most the excess.
        floor = max([minimums[widest], *(fitted[i] for i in narrowable if i != widest)])
        step = max(1, min(excess, fitted[widest] - floor))
        fitted[widest] -= step
        excess -= step
    return fitted


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]],
                 right: Iterable[int] = (), *, width: int | None = None,
                 shrink: Iterable[int] = (), ellipsis: str = '…') -> list[str]:
    """Aligned columns separated by two spaces; columns listed in ``right`` right-aligned.

    With ``width``, the columns listed in ``shrink`` (free text) are narrowed, the widest
    first, until the table fits ``width`` cells (see :func:`fit_widths`); their cut cells
    end in ``ellipsis``. The other columns are never cut.

    :raises TypeError: ``headers`` or a row is not a sequence of ``str``, ``right`` or
        ``shrink`` not of ints, ``width`` neither an int nor None.
    :raises ValueError: a row has more cells than there are headers, or an index in
        ``shrink`` is out of range.
    """
    headers = _row(headers, 'headers')
    rows = check_items(rows, 'rows', _row)
    for index, row in enumerate(rows):
        if len(row) > len(headers):
            raise ValueError(f'rows[{index}] has {len(row)} cells for {len(headers)} headers')
    right = set(check_items(right, 'right', check_int))
    check_str(ellipsis, 'ellipsis')
    widths = [display_width(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))
    if width is not None:
        check_int(width, 'width')
        minimums = [max(MIN_FITTED_WIDTH, display_width(h)) for h in headers]
        fitted = fit_widths(widths, width, shrink, minimums)
        if fitted != widths:
            rows = [[truncate(cell, fitted[i], ellipsis) for i, cell in enumerate(row)]
                    for row in rows]
            widths = fitted
    lines = []
    for row in [list(headers), *rows]:
        # Widths come from the cells themselves: no cap, unlike pad()'s width argument.
        cells = [_pad(cell, widths[i], i in right) for i, cell in enumerate(row)]
        lines.append('  '.join(cells).rstrip())
    return lines


def can_encode(text: str, encoding: str | None) -> bool:
    """True if ``text`` can be written in ``encoding`` (None means UTF-8; an unknown one
    can write nothing).

    :raises TypeError: ``text`` is not a ``str`` or ``encoding`` neither a str nor None.
    """
    check_str(text, 'text')
    check_optional_str(encoding, 'encoding')
    try:
        text.encode(encoding or 'utf-8')
    except (UnicodeEncodeError, LookupError, ValueError):   # ValueError: a NUL in the name
        return False
    return True


def json_text(data: Any, *, indent: int | None = 2, encoding: str | None = 'utf-8') -> str:
    """``data`` as JSON, keeping non-ASCII characters only if ``encoding`` can hold them.

    :param indent: spaces per level, 0 to :data:`MAX_WIDTH`; None writes one line.
    :raises TypeError: ``indent`` is neither an int nor None, ``encoding`` neither a str
        nor None.
    :raises ValueError: ``indent`` is out of range, or ``data`` cannot be written as JSON.
    """
    if indent is not None:
        check_int(indent, 'indent', minimum=0, maximum=MAX_WIDTH)
    check_optional_str(encoding, 'encoding')
    text = _dumps(data, 'data', indent=indent, ensure_ascii=False)
    if not can_encode(text, encoding):
        text = _dumps(data, 'data', indent=indent, ensure_ascii=True)
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """CSV (RFC 4180: a header row, CRLF line ends, quoting where needed).

    :raises TypeError: ``header`` or a row is not a sequence of ``str``.
    """
    header = _row(header, 'header')
    checked = check_items(rows, 'rows', _row)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(checked)
    return buffer.getvalue()


# -- what a command prints ------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """How to read one output field from a record, and what kind of value it is.

    ``kind`` is ``text``, ``prose`` (free text people wrote: titles, descriptions,
    display names; the only columns narrowed when a table must fit a width),
    ``number``, ``time`` (a datetime, shown as ISO 8601 UTC), ``duration``
    (seconds; ``H:MM:SS`` in tables) or ``bool``. ``limit`` truncates the field in
    tables only.
    """

    get: Callable[[Mapping[str, Any]], Any]
    kind: str = 'text'
    limit: int | None = None


def raw_column(name: str, kind: str = 'text') -> Column:
    """A column that is the record's own ``name`` key.

    :raises TypeError: ``name`` or ``kind`` is not a ``str``.
    """
    check_str(name, 'name')
    check_str(kind, 'kind')
    return Column(lambda record: record.get(name), kind)


@dataclass(frozen=True)
class RenderOptions:
    """What the reader asked for and what the output can take.

    ``fields`` (None: the defaults); the output ``encoding``; ``width``, the
    terminal cells tables must fit by narrowing their ``prose`` columns (None:
    never narrowed); ``header_style``, applied to each table's header line (colour,
    on a terminal that takes it; None: plain).
    """

    fields: Sequence[str] | None = None
    encoding: str | None = 'utf-8'
    width: int | None = None
    header_style: Callable[[str], str] | None = None

    @property
    def ascii_only(self) -> bool:
        """True when the encoding cannot hold the block characters of bars."""
        return not can_encode(_BAR_CHARACTERS, self.encoding)

    @property
    def ellipsis(self) -> str:
        """What ends a cut cell: ``…``, or ``...`` when the encoding cannot hold it."""
        return ellipsis_for(self.encoding)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]],
              right: Iterable[int] = (), shrink: Iterable[int] = ()) -> list[str]:
        """:func:`format_table` fitted to :attr:`width`, its header styled."""
        lines = format_table(headers, rows, right, width=self.width, shrink=shrink,
                             ellipsis=self.ellipsis)
        if lines and self.header_style is not None:
            lines[0] = self.header_style(lines[0])
        return lines


class Cell(NamedTuple):
    """One value of the ``grid`` part and its :attr:`Column.kind`."""

    value: Any
    kind: str


@dataclass(frozen=True)
class Grid:
    """The ``grid`` part: field names, then one row of cells per record."""

    names: list[str]
    rows: list[list[Cell]]


class FieldError(ValueError):
    """A requested field exists in neither the columns nor the records."""


class FixedShapeError(FieldError):
    """Fields were asked of a part whose shape the output fixes.

    ``formats`` are the formats that do take fields for this output.
    """

    def __init__(self, message: str, *, formats: Sequence[str]) -> None:
        super().__init__(message)
        self.formats = list(formats)


@dataclass
class Output:
    """What a command prints: records plus the fields that tables and CSV show by default.

    JSON without ``fields`` prints the records as they are; every other
    format (and JSON with ``fields``) reads fields through ``columns``,
    falling back to the record's own key for names not in ``columns``.
    ``single`` prints a JSON object instead of a one-item array, and a
    vertical ``field  value`` table.

    Each part (:data:`PARTS`) is a method; a subclass overrides the ones it
    prints in a shape of its own and names them in :attr:`fixed_parts`
    (those parts take no ``fields``).
    """

    #: Parts this kind of output prints in a fixed shape (``--fields`` does not apply).
    fixed_parts: ClassVar[frozenset[str]] = frozenset()

    records: Sequence[Mapping[str, Any]]
    columns: Mapping[str, Column]
    table_fields: Sequence[str]
    csv_fields: Sequence[str]
    single: bool = False
    extra_fields: Sequence[str] = ()   # computed fields the vertical table adds after the record
    vertical_limit: int | None = 100   # long values are cut in the vertical table (None: never)
    #: Default table fields left out, in this order, while the table is wider than
    #: :attr:`RenderOptions.width` with its free text cut (never when fields are asked).
    optional_fields: Sequence[str] = ()

    def column(self, name: str) -> Column:
        """The column for ``name``: a declared one, else the record's own key."""
        return self.columns.get(name) or raw_column(name)

    def part(self, name: str, options: RenderOptions) -> Any:
        """The part ``name`` (one of :data:`PARTS`) for ``options``."""
        parts: dict[str, Callable[[RenderOptions], Any]] = {
            'lines': self.lines, 'document': self.document, 'items': self.items,
            'grid': self.grid}
        return parts[name](options)

    def lines(self, options: RenderOptions) -> list[str]:
        """Lines for people: an aligned table, or ``field value`` lines for a single record."""
        if self.single and len(self.records) == 1:
            return self._vertical_lines(self.records[0], options)
        names = list(options.fields or self.table_fields)
        if not options.fields and options.width is not None:
            plain = replace(options, header_style=None)
            for name in self.optional_fields:
                widest = max(display_width(line) for line in self._table(names, plain))
                if widest <= options.width:
                    break
                if name in names and len(names) > 1:
                    names.remove(name)
        return self._table(names, options)

    def _table(self, names: Sequence[str], options: RenderOptions) -> list[str]:
        """The table of ``names`` for every record, fitted and styled as ``options`` say."""
        columns = [self.column(name) for name in names]
        rows = [[table_value(c.get(r), c.kind, c.limit, ellipsis=options.ellipsis)
                 for c in columns] for r in self.records]
        right = [i for i, c in enumerate(columns) if c.kind in ('number', 'duration')]
        shrink = [i for i, c in enumerate(columns) if c.kind == 'prose']
        return options.table(names, rows, right, shrink)

    def items(self, options: RenderOptions) -> list[Any]:
        """One JSON value per record: the record as it is, or its ``fields`` normalised."""
        if not options.fields:
            return list(self.records)
        columns = {name: self.column(name) for name in options.fields}
        return [{name: machine_value(column.get(record), column.kind)
                 for name, column in columns.items()}
                for record in self.records]

    def document(self, options: RenderOptions) -> Any:
        """One JSON value: the items, or the only item of a ``single`` output."""
        data = self.items(options)
        return data[0] if self.single and len(data) == 1 else data

    def grid(self, options: RenderOptions) -> Grid:
        """The CSV fields (or ``fields``) of every record, as typed cells."""
        names = list(options.fields or self.csv_fields)
        columns = [self.column(name) for name in names]
        return Grid(names, [[Cell(c.get(r), c.kind) for c in columns] for r in self.records])

    def _vertical_lines(self, record: Mapping[str, Any], options: RenderOptions) -> list[str]:
        fields = options.fields
        if fields:
            names = list(fields)
        else:
            names = list(record) + [n for n in self.extra_fields if n not in record]
        columns = []
        for name in names:
            column = self.columns.get(name) if (fields or name not in record) else None
            columns.append(column or raw_column(name))
        # Within a width, free text (a declared prose column) is cut to what is left
        # beside the field names; ids, URLs and tokens never are.
        room = None
        if options.width is not None:
            room = max(MIN_FITTED_WIDTH, options.width - _GAP
                       - max([display_width('field'), *map(display_width, names)]))
        rows = []
        for name, column in zip(names, columns):
            limit = self.vertical_limit
            declared = self.columns.get(name)
            if room is not None and declared is not None and declared.kind == 'prose':
                limit = room if limit is None else min(limit, room)
            rows.append([name, table_value(column.get(record), column.kind, limit,
                                           ellipsis=options.ellipsis)])
        return options.table(['field', 'value'], rows)


def _check_output(output: Any, name: str = 'output') -> Output:
    if not isinstance(output, Output):
        raise TypeError(f'{name} must be a pyperi.formatting.Output, not {type(output).__name__}')
    return output


def _check_shape(shape: Any) -> Output | type[Output]:
    if not (isinstance(shape, Output) or (isinstance(shape, type) and issubclass(shape, Output))):
        raise TypeError(f'shape must be an Output or an Output class, not {type(shape).__name__}')
    return shape


def _check_fields(fields: Any) -> list[str] | None:
    """``fields`` as a list (None or empty: None); a single str is refused, not split."""
    if fields is None:
        return None
    return check_items(fields, 'fields', check_str) or None


def check_fields(output: Output, fields: Sequence[str]) -> None:
    """Raise :class:`FieldError` naming ``fields`` that no column or record has.

    :raises TypeError: ``output`` is not an :class:`Output` or ``fields`` not a sequence
        of ``str``.
    """
    _check_output(output)
    fields = _check_fields(fields) or []
    if not output.records:
        return
    known = set(output.columns)
    for index, record in enumerate(output.records):
        known.update(check_mapping(record, f'output.records[{index}]'))
    unknown = [name for name in fields if name not in known]
    if unknown:
        raise FieldError(f'unknown field(s) {", ".join(unknown)}; '
                         f'available: {", ".join(sorted(known))}')


# -- the format table -----------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    """An output format: the :data:`PARTS` entry it prints and the function writing it.

    ``write(part, options)`` gets the value of that part (lines, a JSON value,
    a list of JSON values or a :class:`Grid`) and returns newline-terminated text.

    :raises ValueError: ``part`` is not one of :data:`PARTS`.
    """

    part: str
    write: Callable[[Any, RenderOptions], str]

    def __post_init__(self) -> None:
        if self.part not in PARTS:
            raise ValueError(f'part must be one of {", ".join(PARTS)}, not {self.part!r}')


def _newline_terminated(lines: Iterable[str]) -> str:
    return ''.join(line + '\n' for line in lines)


def _write_table(lines: Sequence[str], options: RenderOptions) -> str:
    return _newline_terminated(lines)


def _write_json(document: Any, options: RenderOptions) -> str:
    return json_text(document, encoding=options.encoding) + '\n'


def _write_json_lines(items: Sequence[Any], options: RenderOptions) -> str:
    return _newline_terminated(json_text(item, indent=None, encoding=options.encoding)
                               for item in items)


def _write_csv(grid: Grid, options: RenderOptions) -> str:
    return csv_text(grid.names, ([csv_value(cell.value, cell.kind) for cell in row]
                                 for row in grid.rows))


#: Every output format by name, in ``--format`` order. Add a :class:`Format` to add one.
FORMATS: dict[str, Format] = {
    'table': Format('lines', _write_table),
    'json': Format('document', _write_json),
    'jsonl': Format('items', _write_json_lines),
    'csv': Format('grid', _write_csv),
}


def _format(name: str) -> Format:
    check_str(name, 'fmt')
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f'unknown format {shown(name)} '
                         f'(choose from {", ".join(FORMATS)})') from None


def formats_taking_fields(shape: Output | type[Output]) -> list[str]:
    """The formats whose part ``shape`` (an Output or its class) prints from fields.

    :raises TypeError: ``shape`` is neither an :class:`Output` nor an Output class.
    """
    _check_shape(shape)
    return [name for name, form in FORMATS.items() if form.part not in shape.fixed_parts]


def check_shape(shape: Output | type[Output], fmt: str, fields: Sequence[str] | None) -> None:
    """Raise :class:`FixedShapeError` if ``fields`` are asked of a part ``shape`` fixes.

    Works on the class too, so a command can refuse before doing any work.

    :raises ValueError: ``fmt`` is not a known format.
    :raises TypeError: ``shape`` is neither an :class:`Output` nor an Output class, ``fmt``
        not a ``str`` or ``fields`` not a sequence of ``str``.
    """
    _check_shape(shape)
    form = _format(fmt)
    fields = _check_fields(fields)
    if fields and form.part in shape.fixed_parts:
        formats = formats_taking_fields(shape)
        raise FixedShapeError(f'fields apply to format {", ".join(formats) or "(none)"} only '
                              f'(the others have a fixed shape)', formats=formats)


def render(output: Output, fmt: str, fields: Sequence[str] | None = None, *,
           encoding: str | None = 'utf-8', width: int | None = None,
           header_style: Callable[[str], str] | None = None) -> str:
    """``output`` as text in format ``fmt`` (a key of :data:`FORMATS`), newline-terminated.

    :param fields: the fields to show, in order (None: the output's defaults).
    :param encoding: the encoding the text will be written in; JSON escapes
        non-ASCII characters when it cannot hold them, bars fall back to ``#`` and
        ellipses to ``...``.
    :param width: terminal cells that tables should fit, by narrowing their free-text
        (``prose``) columns (None: never narrowed).
    :param header_style: applied to table header lines (e.g. colour).
    :raises FixedShapeError: ``fields`` are given for a part the output fixes.
    :raises FieldError: a field in ``fields`` is unknown.
    :raises ValueError: ``fmt`` is not a known format.
    :raises TypeError: ``output`` is not an :class:`Output`, ``fields`` not a sequence of
        ``str``, ``encoding`` neither a str nor None, ``width`` neither an int nor None or
        ``header_style`` not callable.
    """
    _check_output(output)
    form = _format(fmt)
    if width is not None:
        check_int(width, 'width')
    if header_style is not None and not callable(header_style):
        raise TypeError(f'header_style must be callable, not {type(header_style).__name__}')
    options = RenderOptions(_check_fields(fields), check_optional_str(encoding, 'encoding'),
                            width, header_style)
    check_shape(output, fmt, options.fields)
    if options.fields:
        check_fields(output, options.fields)
    return form.write(output.part(form.part, options), options)
