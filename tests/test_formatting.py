"""Tests for pyperi.formatting: the format table, Output's parts, text helpers (pure, no I/O)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyperi import formatting
from pyperi.formatting import (
    FORMATS, PARTS, Cell, Column, FieldError, FixedShapeError, Format, Grid, Output,
    RenderOptions, bar, bar_chart, format_duration, render,
)

UTC = timezone.utc


def two_records() -> Output:
    """Two records: a formula-like title, a duration column, a datetime, a missing value."""
    return Output(
        [{'id': 'a', 'title': '=SUM(A1)', 'secs': 3725.25,
          'when': datetime(2024, 5, 1, tzinfo=UTC)},
         {'id': 'b', 'title': 'café', 'secs': None, 'when': None}],
        {'secs': Column(lambda r: r.get('secs'), 'duration')},
        ('id', 'secs'), ('id', 'title', 'secs', 'when'))


def one_record() -> Output:
    return Output([{'id': 'a', 'live': True}], {}, ('id',), ('id',), single=True)


class Report(Output):
    """An output with a shape of its own for people and for JSON, like ``stats``."""

    fixed_parts = frozenset({'lines', 'document'})

    def lines(self, options: RenderOptions) -> list[str]:
        return ['a report', f'ascii: {options.ascii_only}']

    def document(self, options: RenderOptions) -> Any:
        return {'report': [dict(r) for r in self.records]}


def report() -> Report:
    return Report([{'n': 1}], {}, ('n',), ('n',))


# -- text helpers ---------------------------------------------------------------------------


def test_display_width__ascii_is_one_cell_each():
    assert formatting.display_width('abc') == 3


def test_display_width__emoji_takes_two_cells():
    assert formatting.display_width('🎸') == 2


def test_display_width__combining_marks_take_none():
    assert formatting.display_width('e\u0301') == 1


def test_truncate__ends_in_an_ellipsis_within_the_limit():
    assert formatting.truncate('abcdef', 4) == 'abc…'


def test_bar__full_scale_fills_the_width():
    assert bar(10, 10, 4) == '████'


def test_bar__scales_linearly():
    assert bar(5, 10, 4) == '██'


@pytest.mark.parametrize('value, text', [(1, '▏'), (3, '▍')])
def test_bar__draws_eighths_of_a_cell(value, text):
    assert bar(value, 16, 2) == text


def test_bar__zero_draws_nothing():
    assert bar(0, 10, 4) == ''


def test_bar__a_positive_value_is_always_visible():
    assert bar(1, 1000, 4) == '▏'


def test_bar__a_positive_value_is_always_visible_in_ascii():
    assert bar(1, 1000, 4, ascii=True) == '#'


def test_bar__ascii_draws_hashes():
    assert bar(7, 10, 10, ascii=True) == '#######'


def test_bar__clipped_at_the_width():
    assert bar(20, 10, 4) == '████'


def test_bar__no_maximum_draws_nothing():
    assert bar(5, 0, 4) == ''


def test_bar__nan_draws_nothing():
    assert bar(float('nan'), 10, 4) == ''


@given(st.floats(min_value=0, max_value=1e6), st.floats(min_value=1e-3, max_value=1e6),
       st.integers(min_value=1, max_value=80))
def test_property__bar_never_exceeds_width(value, maximum, width):
    assert len(bar(value, maximum, width)) <= width
    assert len(bar(value, maximum, width, ascii=True)) <= width


def test_bar_chart__aligned_lines():
    lines = bar_chart([('2024-W18', 2), ('2024-W19', 4), ('2024-W20', 0)], width=4, ascii=True)
    assert lines == [
        '2024-W18  ##   2',
        '2024-W19  #### 4',
        '2024-W20       0',
    ]


def test_bar_chart__no_rows_no_lines():
    assert bar_chart([]) == []


@pytest.mark.parametrize('seconds, text', [
    (None, ''), (0, '0:00:00'), (59.6, '0:01:00'), (3600 + 62, '1:01:02'), (90000, '25:00:00'),
])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


# -- render: the four formats -----------------------------------------------------------------


def test_render__table_aligns_the_table_fields():
    assert render(two_records(), 'table') == 'id     secs\na   1:02:05\nb\n'


def test_render__csv_has_every_csv_field_and_no_live_formula():
    assert render(two_records(), 'csv') == (
        "id,title,secs,when\r\na,'=SUM(A1),3725.25,2024-05-01T00:00:00Z\r\nb,café,,\r\n")


def test_render__jsonl_with_fields_normalises_values():
    assert render(two_records(), 'jsonl', ['id', 'secs'], encoding='ascii') == (
        '{"id": "a", "secs": 3725.25}\n{"id": "b", "secs": null}\n')


def test_render__json_escapes_what_the_encoding_cannot_hold():
    assert '\\u00e9' in render(two_records(), 'json', encoding='ascii')


def test_render__json_keeps_non_ascii_in_utf8():
    assert 'café' in render(two_records(), 'json')


def test_render__unknown_field_is_a_field_error():
    with pytest.raises(FieldError, match='unknown field'):
        render(two_records(), 'csv', ['nope'])


def test_render__unknown_format_is_a_value_error_listing_the_table():
    with pytest.raises(ValueError, match="unknown format 'yaml' .*table, json, jsonl, csv"):
        render(two_records(), 'yaml')


def test_render__single_record_table_is_vertical():
    assert render(one_record(), 'table').splitlines() == ['field  value', 'id     a', 'live   yes']


def test_render__single_record_json_is_an_object():
    assert render(one_record(), 'json') == '{\n  "id": "a",\n  "live": true\n}\n'


# -- the format table -------------------------------------------------------------------------


def test_formats__every_built_in_format_prints_a_known_part():
    assert {name: form.part for name, form in FORMATS.items()} == {
        'table': 'lines', 'json': 'document', 'jsonl': 'items', 'csv': 'grid'}


def test_format__naming_an_unknown_part_is_refused_when_made():
    with pytest.raises(ValueError, match="part must be one of lines, document, items, grid"):
        Format('records', lambda part, options: '')


@pytest.mark.parametrize('part', PARTS)
def test_format__a_new_format_gets_the_part_it_names(monkeypatch, part):
    seen = []
    monkeypatch.setitem(FORMATS, 'probe', Format(part, lambda value, options: seen.append(value)
                                                 or 'printed\n'))
    assert render(two_records(), 'probe') == 'printed\n'
    assert seen == [two_records().part(part, RenderOptions())]


def test_format__a_new_format_is_used_by_an_output_with_its_own_shape(monkeypatch):
    monkeypatch.setitem(FORMATS, 'upper', Format('lines', lambda lines, options:
                                                 ''.join(line.upper() + '\n' for line in lines)))
    assert render(report(), 'upper') == 'A REPORT\nASCII: FALSE\n'


# -- Output's parts ---------------------------------------------------------------------------


def test_output__grid_holds_typed_cells_of_the_csv_fields():
    grid = two_records().grid(RenderOptions())
    assert grid.names == ['id', 'title', 'secs', 'when']
    assert grid.rows[0][2] == Cell(3725.25, 'duration')


def test_output__grid_takes_fields():
    assert two_records().grid(RenderOptions(['secs'])) == Grid(
        ['secs'], [[Cell(3725.25, 'duration')], [Cell(None, 'duration')]])


def test_output__items_without_fields_are_the_records_as_they_are():
    output = two_records()
    assert output.items(RenderOptions()) == list(output.records)


def test_output__document_of_several_records_is_a_list():
    assert [item['id'] for item in two_records().document(RenderOptions())] == ['a', 'b']


def test_output__unknown_part_is_a_key_error_of_the_programmer():
    with pytest.raises(KeyError):
        two_records().part('records', RenderOptions())


def test_render_options__ascii_only_when_the_encoding_cannot_draw_blocks():
    assert RenderOptions(encoding='ascii').ascii_only is True
    assert RenderOptions(encoding='utf-8').ascii_only is False


# -- outputs with a shape of their own --------------------------------------------------------


def test_fixed_shape__its_own_lines_for_the_table():
    assert render(report(), 'table', encoding='ascii') == 'a report\nascii: True\n'


def test_fixed_shape__its_own_document_for_json():
    assert render(report(), 'json') == '{\n  "report": [\n    {\n      "n": 1\n    }\n  ]\n}\n'


def test_fixed_shape__the_parts_it_does_not_fix_are_the_generic_ones():
    assert render(report(), 'csv') == 'n\r\n1\r\n'


def test_fixed_shape__fields_for_a_fixed_part_are_refused():
    with pytest.raises(FixedShapeError) as caught:
        render(report(), 'json', ['n'])
    assert caught.value.formats == ['jsonl', 'csv']


def test_fixed_shape__is_a_field_error():
    assert issubclass(FixedShapeError, FieldError)


def test_fixed_shape__fields_for_a_free_part_are_used():
    assert render(report(), 'jsonl', ['n']) == '{"n": 1}\n'


def test_check_shape__works_on_the_class_before_any_output_exists():
    with pytest.raises(FixedShapeError):
        formatting.check_shape(Report, 'table', ['n'])


def test_check_shape__no_fields_is_always_fine():
    formatting.check_shape(Report, 'table', None)


def test_formats_taking_fields__every_format_for_a_plain_output():
    assert formatting.formats_taking_fields(Output) == list(FORMATS)


def test_all_is_exported():
    for name in formatting.__all__:
        assert hasattr(formatting, name)


# -- fitting a width (issue 14, point 7) -------------------------------------------------------


def titled_records() -> Output:
    """Three columns that never shrink and one free-text (prose) title."""
    records = [{'id': 'abcdefghijklm', 'user': 'george_clinton', 'n': 2773,
                'title': 'Mothership Connection 🚀 backstage with the band'},
               {'id': 'nopqrstuvwxyz', 'user': 'acme', 'n': 5, 'title': 'short'}]
    columns = {'n': Column(lambda r: r.get('n'), 'number'),
               'title': Column(lambda r: r.get('title'), 'prose')}
    return Output(records, columns, ('id', 'user', 'n', 'title'), ('id', 'user', 'n', 'title'))


def widest_line(text: str) -> int:
    return max(formatting.display_width(line) for line in text.splitlines())


def test_table__without_a_width_is_never_cut():
    text = render(titled_records(), 'table')
    assert 'Mothership Connection 🚀 backstage with the band' in text


@pytest.mark.parametrize('width', [50, 60, 70])
def test_table__fits_the_width_by_cutting_free_text_only(width):
    text = render(titled_records(), 'table', width=width)
    assert widest_line(text) <= width
    lines = text.splitlines()
    assert lines[0].split() == ['id', 'user', 'n', 'title']
    assert lines[1].startswith('abcdefghijklm  george_clinton  2773  Mothership')
    assert lines[1].endswith('…')
    assert lines[2].endswith('short')   # a short title is left whole


def test_table__wide_enough_is_left_as_it_is():
    assert render(titled_records(), 'table', width=200) == render(titled_records(), 'table')


def test_table__ids_are_never_cut_even_when_nothing_else_fits():
    lines = render(titled_records(), 'table', width=20).splitlines()
    assert lines[1].startswith('abcdefghijklm  george_clinton  2773  ')
    # the title is cut to its minimum, no further
    title = lines[1].split('  ')[-1]
    assert formatting.display_width(title) == formatting.MIN_FITTED_WIDTH and title.endswith('…')


def test_table__ascii_output_cuts_with_three_dots():
    text = render(titled_records(), 'table', width=50, encoding='ascii')
    assert text.splitlines()[1].endswith('...')
    assert '…' not in text


def test_table__wide_characters_count_two_cells_when_fitting():
    records = [{'id': 'x', 'title': '日本語のタイトルはとても長いです'}]
    output = Output(records, {'title': Column(lambda r: r.get('title'), 'prose')},
                    ('id', 'title'), ('id', 'title'))
    text = render(output, 'table', width=20)
    assert widest_line(text) <= 20 and text.splitlines()[1].endswith('…')


def test_vertical_table__cuts_declared_prose_only():
    record = {'id': 'x' * 60, 'about': 'word ' * 20}
    output = Output([record], {'about': Column(lambda r: r.get('about'), 'prose')},
                    ('id', 'about'), ('id', 'about'), single=True)
    lines = render(output, 'table', width=40).splitlines()
    assert lines[1] == 'id     ' + 'x' * 60   # an id is never cut, even past the width
    assert formatting.display_width(lines[2]) <= 40 and lines[2].endswith('…')


def test_table__header_style_is_applied_to_the_header_line_only():
    text = render(titled_records(), 'table', header_style=lambda line: f'<{line}>')
    lines = text.splitlines()
    assert lines[0].startswith('<id') and lines[0].endswith('title>')
    assert not lines[1].startswith('<')


def test_render__checks_width_and_header_style():
    with pytest.raises(TypeError, match='width must be an int'):
        render(titled_records(), 'table', width='80')
    with pytest.raises(TypeError, match='header_style must be callable'):
        render(titled_records(), 'table', header_style='bold')


@pytest.mark.parametrize('widths, limit, shrink, expected', [
    ([10, 40], 52, [1], [10, 40]),          # fits: unchanged
    ([10, 40], 32, [1], [10, 20]),          # 10 + 2 + 20
    ([10, 40, 30], 54, [1, 2], [10, 20, 20]),   # the widest first, then both alike
    ([10, 40], 5, [1], [10, 10]),           # never below the minimum
    ([50, 40], 30, [1], [50, 10]),          # the others never shrink
])
def test_fit_widths(widths, limit, shrink, expected):
    assert formatting.fit_widths(widths, limit, shrink) == expected


def test_fit_widths__bad_arguments():
    with pytest.raises(ValueError, match='shrink has an index'):
        formatting.fit_widths([1, 2], 10, [2])
    with pytest.raises(ValueError, match='minimums has 1 entries'):
        formatting.fit_widths([1, 2], 10, [1], [1])
    with pytest.raises(TypeError):
        formatting.fit_widths([1, 'x'], 10, [1])


@given(st.lists(st.integers(0, 200), min_size=1, max_size=6), st.integers(0, 400))
def test_fit_widths__fits_when_the_minimums_allow(widths, limit):
    fitted = formatting.fit_widths(widths, limit, range(len(widths)))
    floors = [min(w, formatting.MIN_FITTED_WIDTH) for w in widths]
    gaps = 2 * (len(widths) - 1)
    assert all(floor <= f <= w for floor, f, w in zip(floors, fitted, widths))
    if sum(floors) + gaps <= limit:
        assert sum(fitted) + gaps == min(limit, sum(widths) + gaps)
    else:
        assert fitted == floors


@pytest.mark.parametrize('text, limit, ellipsis, expected', [
    ('abcdef', 4, '…', 'abc…'),
    ('abcdef', 5, '...', 'ab...'),
    ('abcdef', 6, '...', 'abcdef'),
    ('abcdef', 2, '...', '...'),     # narrower than the ellipsis: the ellipsis alone
])
def test_truncate__with_an_ellipsis(text, limit, ellipsis, expected):
    assert formatting.truncate(text, limit, ellipsis) == expected


def test_ellipsis_for():
    assert formatting.ellipsis_for('utf-8') == '…'
    assert formatting.ellipsis_for('ascii') == '...'
    assert formatting.ellipsis_for(None) == '…'


# -- bars on zero (issue 14, point 8) ---------------------------------------------------------


@pytest.mark.parametrize('value, maximum', [(0, 10), (0, 0), (5, 0), (0.0, 0.0), (-1, 10)])
def test_bar__zero_or_no_scale_draws_an_empty_bar(value, maximum):
    assert bar(value, maximum, 30) == ''
    assert bar(value, maximum, 30, ascii=True) == ''


def test_bar_chart__zero_rows_are_empty_and_all_zero_draws_no_bar():
    assert bar_chart([('a', 0), ('b', 4)], 4) == ['a       0', 'b  ████ 4']
    assert bar_chart([('a', 0), ('b', 0)], 4) == ['a       0', 'b       0']


def test_table__optional_fields_are_left_out_in_order_until_it_fits():
    output = titled_records()
    output.optional_fields = ('n', 'user')
    assert render(output, 'table', width=200).splitlines()[0].split() == \
        ['id', 'user', 'n', 'title']
    assert render(output, 'table', width=41).splitlines()[0].split() == ['id', 'user', 'title']
    assert render(output, 'table', width=30).splitlines()[0].split() == ['id', 'title']
    assert render(output, 'table', width=5).splitlines()[0].split() == ['id', 'title']
    assert render(output, 'table', ['id', 'user', 'n'], width=5).splitlines()[0].split() == \
        ['id', 'user', 'n']   # asked fields stay
    styled = render(output, 'table', width=41, header_style=lambda line: f'<{line}>')
    assert styled.splitlines()[0] == '<id             user            title>'
