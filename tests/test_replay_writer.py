"""Unit tests for pyperi.replay.writer: segments appended in order, a restart rewinds."""
from __future__ import annotations

import io

from pyperi.replay.writer import SegmentWriter


def write_segment(writer: SegmentWriter, *chunks: bytes, skipped: bool = False) -> None:
    writer.begin()
    for chunk in chunks:
        writer.write(chunk)
    writer.end(skipped=skipped)


def test_segment_writer__segments_appended_in_order() -> None:
    out = io.BytesIO()
    writer = SegmentWriter(out)
    write_segment(writer, b'AA', b'A')
    write_segment(writer, b'BB')
    assert out.getvalue() == b'AAABB'


def test_segment_writer__restart_drops_only_the_current_segment() -> None:
    out = io.BytesIO()
    writer = SegmentWriter(out)
    write_segment(writer, b'AAA')
    writer.begin()
    writer.write(b'BB')
    writer.restart()
    writer.write(b'CCCC')
    writer.end()
    assert out.getvalue() == b'AAACCCC'


def test_segment_writer__counts_bytes_and_segments() -> None:
    writer = SegmentWriter(io.BytesIO())
    write_segment(writer, b'AAA')
    write_segment(writer, b'BB')
    assert (writer.bytes_done, writer.segments_done, writer.segments_missing) == (5, 2, 0)


def test_segment_writer__skipped_segments_count_as_done_and_missing() -> None:
    writer = SegmentWriter(io.BytesIO())
    write_segment(writer, skipped=True)
    assert (writer.bytes_done, writer.segments_done, writer.segments_missing) == (0, 1, 1)


def test_segment_writer__empty_until_a_segment_is_written() -> None:
    writer = SegmentWriter(io.BytesIO())
    assert writer.empty
    write_segment(writer, skipped=True)
    assert writer.empty
    write_segment(writer, b'x')
    assert not writer.empty
