"""Unit tests for pyperi.replay.writer: segments appended in order, a restart rewinds."""
from __future__ import annotations

import io

from pyperi.hls import Segment
from pyperi.replay.journal import JournalEntry
from pyperi.replay.spool import SegmentSpool
from pyperi.replay.writer import SegmentWriter


def segment(n: int, duration: float = 3.0) -> Segment:
    return Segment(n, f'https://cdn.example/chunk_{n}.ts', duration)


def write_segment(writer: SegmentWriter, n: int, *chunks: bytes, skipped: bool = False) -> None:
    writer.begin(segment(n))
    for chunk in chunks:
        writer.write(chunk)
    writer.end(skipped=skipped)


def test_segment_writer__segments_appended_in_order() -> None:
    out = io.BytesIO()
    writer = SegmentWriter(out)
    write_segment(writer, 0, b'AA', b'A')
    write_segment(writer, 1, b'BB')
    assert out.getvalue() == b'AAABB'


def test_segment_writer__restart_drops_only_the_current_segment() -> None:
    out = io.BytesIO()
    writer = SegmentWriter(out)
    write_segment(writer, 0, b'AAA')
    writer.begin(segment(1))
    writer.write(b'BB')
    writer.restart()
    writer.write(b'CCCC')
    writer.end()
    assert out.getvalue() == b'AAACCCC'


def test_segment_writer__counts_bytes_segments_and_seconds() -> None:
    writer = SegmentWriter(io.BytesIO())
    write_segment(writer, 0, b'AAA')
    write_segment(writer, 1, b'BB')
    assert (writer.bytes_done, writer.segments_done, writer.segments_missing) == (5, 2, 0)
    assert writer.seconds_done == 6.0


def test_segment_writer__skipped_segments_count_as_done_and_missing() -> None:
    writer = SegmentWriter(io.BytesIO())
    write_segment(writer, 0, skipped=True)
    assert (writer.bytes_done, writer.segments_done, writer.segments_missing) == (0, 1, 1)
    assert writer.seconds_done == 0


def test_segment_writer__empty_until_a_segment_is_written() -> None:
    writer = SegmentWriter(io.BytesIO())
    assert writer.empty
    write_segment(writer, 0, skipped=True)
    assert writer.empty
    write_segment(writer, 1, b'x')
    assert not writer.empty


def test_segment_writer__tells_each_complete_segment_not_skipped_ones() -> None:
    entries: list[JournalEntry] = []
    writer = SegmentWriter(io.BytesIO(), on_segment=entries.append)
    write_segment(writer, 7, b'AAA')
    write_segment(writer, 8, skipped=True)
    write_segment(writer, 9, b'BB')
    assert entries == [JournalEntry(7, 3, 3.0), JournalEntry(9, 5, 3.0)]


def test_segment_writer__append_writes_a_spool_whole() -> None:
    out = io.BytesIO()
    writer = SegmentWriter(out)
    spool = SegmentSpool()
    spool.write(b'AB')
    spool.write(b'C')
    writer.append(segment(0), spool)
    writer.append(segment(1), None)
    assert out.getvalue() == b'ABC'
    assert (writer.segments_done, writer.segments_missing) == (2, 1)


def test_segment_writer__resumed_counts_start_from_what_is_kept() -> None:
    out = io.BytesIO(b'AAABB')
    out.seek(5)
    kept = (JournalEntry(0, 3, 2.0), JournalEntry(1, 5, 2.5))
    entries: list[JournalEntry] = []
    writer = SegmentWriter(out, on_segment=entries.append, start=kept)
    assert (writer.bytes_done, writer.segments_done, writer.seconds_done) == (5, 2, 4.5)
    write_segment(writer, 2, b'C')
    assert out.getvalue() == b'AAABBC'
    assert entries == [JournalEntry(2, 6, 3.0)]
