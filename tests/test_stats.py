"""Tests for pyperi.stats against hand-computed numbers on a small history."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyperi import formatting, stats
from pyperi.stats import (
    PeriodRow, Summary, broadcast_duration, broadcast_end, broadcast_start, broadcast_views,
    filter_broadcasts, group_by_period, is_live, period_label, period_start, summarize,
)

UTC = timezone.utc
NOW = datetime(2024, 5, 8, 10, 30, tzinfo=UTC)  # a Wednesday, ISO week 2024-W19

# Mon 6 May 15:00:00.123456Z -> 16:00:00.123456Z: 3600 s, week W19
A = {'id': 'A', 'state': 'ENDED', 'n_total_watched': 100,
     'start': '2024-05-06T08:00:00.123456789-07:00',
     'end': '2024-05-06T09:00:00.123456999-07:00'}
# Sun 5 May 23:30Z -> Mon 00:10Z: 2400 s; starts in W18, ends in W19
B = {'id': 'B', 'state': 'ENDED', 'n_total_watched': 50,
     'start': '2024-05-05T23:30:00Z', 'end': '2024-05-06T00:10:00Z'}
# Wed 8 May 09:00Z, still RUNNING at NOW (10:30Z): 5400 s
C = {'id': 'C', 'state': 'RUNNING', 'n_total_watched': 7,
     'start': '2024-05-08T11:00:00.000000001+02:00'}
# Tue 7 May 12:00:00.5Z, TIMED_OUT without end; last ping five minutes later: 300 s
D = {'id': 'D', 'state': 'TIMED_OUT', 'n_total_watched': '12',
     'start': '2024-05-07T12:00:00.5Z', 'ping': '2024-05-07T12:05:00.500000000Z'}
# garbled: no usable start, no views
E = {'id': 'E', 'state': 'ENDED', 'n_total_watched': None, 'start': 'yesterday-ish',
     'end': '2024-05-07T12:00:00Z'}
# no 'start' (never went live): created_at stands in; end before start -> unknown duration
F = {'id': 'F', 'state': 'ENDED', 'n_total_watched': 3,
     'created_at': '2024-04-30T10:00:00-00:00', 'end': '2024-04-30T09:00:00Z'}

HISTORY = [C, D, A, B, E, F]  # newest first, as Periscope sends it (garbled ones anywhere)


@pytest.mark.parametrize('broadcast, start', [
    (A, datetime(2024, 5, 6, 15, 0, 0, 123456, tzinfo=UTC)),
    (C, datetime(2024, 5, 8, 9, tzinfo=UTC)),
], ids=['nanoseconds-and-negative-offset', 'positive-offset'])
def test_broadcast_start__nanoseconds_and_offsets_in_utc(broadcast, start):
    assert broadcast_start(broadcast) == start


def test_broadcast_start__created_at_when_there_is_no_start():
    assert broadcast_start(F) == datetime(2024, 4, 30, 10, tzinfo=UTC)


@pytest.mark.parametrize('broadcast', [E, {}], ids=['garbled', 'missing'])
def test_broadcast_start__none_when_unknown(broadcast):
    assert broadcast_start(broadcast) is None


def test_broadcast_end__in_utc():
    assert broadcast_end(B) == datetime(2024, 5, 6, 0, 10, tzinfo=UTC)


def test_broadcast_end__none_while_running():
    assert broadcast_end(C) is None


@pytest.mark.parametrize('broadcast, expected', [
    (A, 3600.0), (B, 2400.0), (C, 5400.0), (D, 300.0), (E, None), (F, None),
    ({}, None), ({'start': '2024-05-01T00:00:00Z', 'state': 'ENDED'}, None),
    ({'start': '2024-05-01T00:00:00Z', 'end': 12, 'state': 'ENDED'}, None),
    ({'start': '2024-05-09T00:00:00Z', 'state': 'RUNNING'}, None),  # starts after now
])
def test_broadcast_duration(broadcast, expected):
    assert broadcast_duration(broadcast, now=NOW) == expected


def test_broadcast_duration__running_without_now_counts_to_the_clock():
    start = datetime.now(UTC) - timedelta(minutes=2)
    duration = broadcast_duration({'state': 'RUNNING', 'start': start.isoformat()})
    assert 119 < duration < 200


@pytest.mark.parametrize('value, expected', [
    (529, 529), ('12', 12), (None, 0), ('lots', 0), (-3, 0), (True, 0), (2.9, 2),
    (float('nan'), 0), ([], 0),
])
def test_broadcast_views(value, expected):
    assert broadcast_views({'n_total_watched': value}) == expected


def test_broadcast_views__missing_is_zero():
    assert broadcast_views({}) == 0


@pytest.mark.parametrize('broadcast, live', [
    (C, True), ({'state': 'running'}, True), (A, False), ({'state': None}, False),
], ids=['RUNNING', 'lower-case', 'ENDED', 'no-state'])
def test_is_live(broadcast, live):
    assert is_live(broadcast) is live


def test_filter_broadcasts__window_by_start_excludes_straddlers():
    kept = filter_broadcasts(HISTORY, since=datetime(2024, 5, 6, tzinfo=UTC),
                             until=datetime(2024, 5, 9, tzinfo=UTC))
    # B started before the window (it ended inside it): not counted; E has no start
    assert [b['id'] for b in kept] == ['C', 'D', 'A']


def test_filter_broadcasts__one_starting_inside_counts_even_if_it_runs_past_until():
    kept = filter_broadcasts(HISTORY, since=datetime(2024, 5, 5, 23, tzinfo=UTC),
                             until=datetime(2024, 5, 6, tzinfo=UTC))
    assert [b['id'] for b in kept] == ['B']


def test_filter_broadcasts__since_is_inclusive():
    assert filter_broadcasts([A], since=broadcast_start(A)) == [A]


def test_filter_broadcasts__until_is_exclusive():
    assert filter_broadcasts([A], until=broadcast_start(A)) == []


def test_filter_broadcasts__no_bounds_keeps_everything_even_garbled():
    assert filter_broadcasts(HISTORY) == HISTORY


def test_filter_broadcasts__states_case_insensitive():
    assert filter_broadcasts(HISTORY, states=['running', 'TIMED_OUT']) == [C, D]


def test_filter_broadcasts__one_state_as_a_string():
    assert filter_broadcasts(HISTORY, states='ended') == [A, B, E, F]


def test_filter_broadcasts__no_state_matches_no_states():
    assert filter_broadcasts([{'id': 'x'}], states=['ENDED']) == []


def test_filter_broadcasts__naive_bounds_are_utc():
    kept = filter_broadcasts(HISTORY, since=datetime(2024, 5, 6), until=datetime(2024, 5, 9))
    assert [b['id'] for b in kept] == ['C', 'D', 'A']


def test_summarize__hand_computed_window():
    window = filter_broadcasts(HISTORY, since=datetime(2024, 5, 6, tzinfo=UTC),
                               until=datetime(2024, 5, 9, tzinfo=UTC))
    summary = summarize(window, now=NOW)
    assert summary == Summary(
        count=3,
        total_duration=3600.0 + 5400.0 + 300.0,
        median_duration=3600.0,
        total_views=100 + 7 + 12,
        live_now=True,
        unknown_durations=0,
        first_start=datetime(2024, 5, 6, 15, 0, 0, 123456, tzinfo=UTC),
        last_start=datetime(2024, 5, 8, 9, tzinfo=UTC),
    )


def test_summarize__garbled_entries_are_counted():
    assert summarize(HISTORY, now=NOW).count == 6


def test_summarize__garbled_entries_have_unknown_durations():
    assert summarize(HISTORY, now=NOW).unknown_durations == 2  # E and F


def test_summarize__unknown_durations_add_nothing_to_the_total():
    assert summarize(HISTORY, now=NOW).total_duration == 3600 + 2400 + 5400 + 300


def test_summarize__median_of_the_known_durations():
    assert summarize(HISTORY, now=NOW).median_duration == (2400 + 3600) / 2


def test_summarize__garbled_views_count_as_zero():
    assert summarize(HISTORY, now=NOW).total_views == 100 + 50 + 7 + 12 + 0 + 3


def test_summarize__first_start_may_come_from_created_at():
    assert summarize(HISTORY, now=NOW).first_start == datetime(2024, 4, 30, 10, tzinfo=UTC)


def test_summarize__live_now_defaults_to_the_broadcasts_given():
    assert summarize([A], now=NOW).live_now is False


def test_summarize__live_now_can_come_from_the_whole_history():
    assert summarize([A], now=NOW, live_now=True).live_now is True


def test_summarize__empty():
    assert summarize([], now=NOW) == Summary()


def test_summary__as_dict_keeps_none():
    assert summarize([], now=NOW).as_dict()['median_duration'] is None


@pytest.mark.parametrize('moment, by, start, label', [
    (datetime(2024, 5, 8, 10, 30, tzinfo=UTC), 'day', datetime(2024, 5, 8, tzinfo=UTC),
     '2024-05-08'),
    (datetime(2024, 5, 8, 10, 30, tzinfo=UTC), 'week', datetime(2024, 5, 6, tzinfo=UTC),
     '2024-W19'),
    (datetime(2024, 5, 8, 10, 30, tzinfo=UTC), 'month', datetime(2024, 5, 1, tzinfo=UTC),
     '2024-05'),
    # ISO week years: 2021-01-01 is in 2020-W53; 2024-12-30 is in 2025-W01
    (datetime(2021, 1, 1, tzinfo=UTC), 'week', datetime(2020, 12, 28, tzinfo=UTC), '2020-W53'),
    (datetime(2024, 12, 30, 23, tzinfo=UTC), 'week', datetime(2024, 12, 30, tzinfo=UTC),
     '2025-W01'),
    # an offset moves the day: 2024-05-05 20:00 -07:00 is Monday 03:00 UTC
    (datetime(2024, 5, 5, 20, tzinfo=timezone(timedelta(hours=-7))), 'week',
     datetime(2024, 5, 6, tzinfo=UTC), '2024-W19'),
])
def test_period_start_and_label(moment, by, start, label):
    assert period_start(moment, by) == start
    assert period_label(moment, by) == label


def test_period_start__unknown_period_raises():
    with pytest.raises(ValueError, match='day, week, month'):
        period_start(NOW, 'year')


def test_group_by_period__unknown_period_raises():
    with pytest.raises(ValueError):
        group_by_period([], by='fortnight')


def test_group_by_period__weeks_hand_computed():
    rows = group_by_period(HISTORY, 'week', now=NOW)
    assert [(r.label, r.count, r.total_duration, r.total_views) for r in rows] == [
        ('2024-W18', 2, 2400.0, 53),        # F (unknown duration) and B
        ('2024-W19', 3, 9300.0, 119),       # A, D, C
    ]


def test_group_by_period__median_per_period():
    assert group_by_period(HISTORY, 'week', now=NOW)[1].median_duration == 3600.0


def test_group_by_period__broadcast_ids_per_period():
    assert set(group_by_period(HISTORY, 'week', now=NOW)[1].broadcast_ids) == {'A', 'C', 'D'}


def test_group_by_period__a_week_starts_on_monday():
    assert group_by_period(HISTORY, 'week', now=NOW)[0].start == datetime(2024, 4, 29, tzinfo=UTC)


def test_period_row__as_dict_leaves_out_the_broadcast_ids():
    assert 'broadcast_ids' not in group_by_period(HISTORY, 'week', now=NOW)[0].as_dict()


def test_group_by_period__days_filled_between_first_and_last():
    rows = group_by_period([A, B, D], 'day', now=NOW)
    assert [(r.label, r.count) for r in rows] == [
        ('2024-05-05', 1), ('2024-05-06', 1), ('2024-05-07', 1)]


def test_group_by_period__gaps_are_empty_periods():
    rows = group_by_period([B, C], 'day', now=NOW)
    assert [(r.label, r.count) for r in rows] == [
        ('2024-05-05', 1), ('2024-05-06', 0), ('2024-05-07', 0), ('2024-05-08', 1)]
    assert rows[1] == PeriodRow(label='2024-05-06', start=datetime(2024, 5, 6, tzinfo=UTC))


def test_group_by_period__since_fills_up_to_now():
    rows = group_by_period([A], 'week', now=NOW, since=datetime(2024, 4, 20, tzinfo=UTC))
    assert [r.label for r in rows] == ['2024-W16', '2024-W17', '2024-W18', '2024-W19']


def test_group_by_period__until_ends_the_fill_just_before_it():
    rows = group_by_period([], 'month', now=NOW, since=datetime(2024, 4, 20, tzinfo=UTC),
                           until=datetime(2024, 6, 1, tzinfo=UTC))
    assert [(r.label, r.count) for r in rows] == [('2024-04', 0), ('2024-05', 0)]


def test_group_by_period__months_fill_across_a_new_year():
    rows = group_by_period([], 'month', now=NOW, since=datetime(2023, 11, 5, tzinfo=UTC))
    assert [r.label for r in rows] == ['2023-11', '2023-12', '2024-01', '2024-02', '2024-03',
                                       '2024-04', '2024-05']


def test_group_by_period__a_window_ending_before_it_starts_is_empty():
    rows = group_by_period([], 'day', now=NOW, since=datetime(2024, 5, 6, tzinfo=UTC),
                           until=datetime(2024, 5, 1, tzinfo=UTC))
    assert rows == []


def test_group_by_period__no_fill_lists_only_busy_ones():
    rows = group_by_period([B, C], 'day', now=NOW, fill=False)
    assert [r.label for r in rows] == ['2024-05-05', '2024-05-08']


def test_group_by_period__too_many_periods_lists_only_busy_ones():
    old = {'id': 'old', 'start': '2016-05-27T20:04:44.636015867-07:00'}
    rows = group_by_period([old, A], 'day', now=NOW, max_periods=100)
    assert [r.label for r in rows] == ['2016-05-28', '2024-05-06']


@pytest.mark.parametrize('max_periods, filled', [(4, True), (3, False), (0, False)])
def test_group_by_period__max_periods_is_the_most_filled(max_periods, filled):
    rows = group_by_period([B, C], 'day', now=NOW, max_periods=max_periods)   # 4 days
    assert len(rows) == (4 if filled else 2)


def test_group_by_period__empty_without_window_is_empty():
    assert group_by_period([], 'week', now=NOW) == []


def test_group_by_period__no_start_no_period():
    assert group_by_period([E], 'week', now=NOW) == []


@pytest.mark.parametrize('name', ['bar', 'bar_chart', 'format_duration'])
def test_display_helpers_of_1_0_still_work_from_stats(name):
    with pytest.warns(DeprecationWarning, match=f'pyperi.stats.{name} is deprecated'):
        moved = getattr(stats, name)
    assert moved is getattr(formatting, name)


def test_display_helpers_of_1_0_import_from_stats_with_a_warning():
    with pytest.warns(DeprecationWarning):
        from pyperi.stats import format_duration
    assert format_duration(3662) == '1:01:02'


def test_display_helpers_are_no_longer_listed_in_stats():
    assert not {'bar', 'bar_chart', 'format_duration'} & set(stats.__all__)


def test_unknown_attribute_of_stats_is_an_attribute_error():
    with pytest.raises(AttributeError, match='no attribute'):
        stats.no_such_thing


def test_all_is_exported():
    for name in stats.__all__:
        assert hasattr(stats, name)


# --- properties ---------------------------------------------------------------------------

BASE = datetime(2024, 1, 1, tzinfo=UTC)

broadcast_strategy = st.builds(
    lambda offset, length, views, state, tz_hours: {
        'id': f'b{offset}',
        'state': state,
        'n_total_watched': views,
        'start': (BASE + timedelta(seconds=offset)).astimezone(
            timezone(timedelta(hours=tz_hours))).isoformat(),
        'end': (BASE + timedelta(seconds=offset + length)).isoformat().replace('+00:00', 'Z'),
    },
    offset=st.integers(min_value=0, max_value=400 * 86400),
    length=st.integers(min_value=0, max_value=6 * 3600),
    views=st.integers(min_value=0, max_value=10 ** 6),
    state=st.sampled_from(stats.STATES),
    tz_hours=st.integers(min_value=-12, max_value=14),
)


@given(st.lists(broadcast_strategy, max_size=40),
       st.integers(min_value=0, max_value=400 * 86400))
def test_property__a_cut_splits_the_history_exactly(history, cut_seconds):
    cut = BASE + timedelta(seconds=cut_seconds)
    before = filter_broadcasts(history, until=cut)
    after = filter_broadcasts(history, since=cut)
    assert len(before) + len(after) == len(history)
    total = summarize(history, now=NOW)
    parts = [summarize(before, now=NOW), summarize(after, now=NOW)]
    assert sum(p.count for p in parts) == total.count
    assert sum(p.total_views for p in parts) == total.total_views
    assert sum(p.total_duration for p in parts) == pytest.approx(total.total_duration)


@given(st.lists(broadcast_strategy, max_size=40), st.sampled_from(stats.PERIODS))
def test_property__periods_add_up_to_the_summary(history, by):
    rows = group_by_period(history, by, now=NOW)
    total = summarize(history, now=NOW)
    assert sum(r.count for r in rows) == total.count
    assert sum(r.total_views for r in rows) == total.total_views
    assert sum(r.total_duration for r in rows) == pytest.approx(total.total_duration)
    starts = [r.start for r in rows]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    for row in rows:
        assert period_start(row.start, by) == row.start


@given(st.lists(broadcast_strategy, min_size=1, max_size=40))
def test_property__median_lies_between_min_and_max(history):
    durations = [broadcast_duration(b, now=NOW) for b in history]
    summary = summarize(history, now=NOW)
    assert min(durations) <= summary.median_duration <= max(durations)
    assert summary.total_duration >= 0
