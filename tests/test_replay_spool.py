"""Unit tests for pyperi.replay.spool: a segment held in memory, spilled to disk when large."""
from __future__ import annotations

import io
from pathlib import Path

from pyperi.replay.spool import SegmentSpool


def test_spool__small_segment_stays_in_memory(tmp_path: Path) -> None:
    spool = SegmentSpool(tmp_path, limit=10)
    spool.write(b'abc')
    spool.write(b'def')
    out = io.BytesIO()
    assert spool.write_to(out) == 6
    assert out.getvalue() == b'abcdef'
    assert not spool.spilled


def test_spool__large_segment_spills_to_an_anonymous_file(tmp_path: Path) -> None:
    spool = SegmentSpool(tmp_path, limit=4)
    for chunk in (b'abc', b'def', b'ghi'):
        spool.write(chunk)
    assert spool.spilled
    assert list(tmp_path.iterdir()) == []   # unlinked from the start: nothing to clean up
    out = io.BytesIO()
    assert spool.write_to(out, chunk_size=2) == 9
    assert out.getvalue() == b'abcdefghi'
    spool.close()


def test_spool__restart_forgets_what_was_kept(tmp_path: Path) -> None:
    for limit in (100, 2):   # in memory, and spilled
        spool = SegmentSpool(tmp_path, limit=limit)
        spool.write(b'abcd')
        spool.restart()
        spool.write(b'XY')
        out = io.BytesIO()
        spool.write_to(out)
        assert (out.getvalue(), spool.size) == (b'XY', 2)
        spool.close()


def test_spool__close_lets_go_of_the_bytes() -> None:
    spool = SegmentSpool(limit=100)
    spool.write(b'abcd')
    spool.close()
    assert not spool.spilled
    out = io.BytesIO()
    spool.write_to(out)
    assert out.getvalue() == b''
