"""The durable spool: what was acknowledged is on disk, in order, and survives a crash."""

from __future__ import annotations

import os
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from betterheap.ingest.spool import Spool, SpoolPosition


@pytest.fixture
def spool(tmp_path: Path) -> Iterator[Spool]:
    opened = Spool(tmp_path / "spool", segment_bytes=256)
    try:
        yield opened
    finally:
        opened.close()


def read_all(spool: Spool, position: SpoolPosition | None = None) -> tuple[list[bytes], SpoolPosition]:
    records: list[bytes] = []
    position = position or spool.start()
    while True:
        batch, end = spool.read(position, max_bytes=100)
        records += batch
        if end == position:
            return records, end
        position = end


def payloads(count: int, size: int = 40) -> list[bytes]:
    return [f"record-{i:05d}-".encode().ljust(size, b".") for i in range(count)]


def frame(payload: bytes) -> bytes:
    return struct.pack("<II", len(payload), zlib.crc32(payload)) + payload


def test_records_read_back_in_order_across_segment_rotations(spool: Spool) -> None:
    written = payloads(60)
    for payload in written:
        spool.append(payload)
    assert len(spool.segments()) >= 5  # 256-byte segments: rotation really happened
    records, _ = read_all(spool)
    assert records == written


def test_read_respects_max_bytes_and_resumes_where_it_stopped(spool: Spool) -> None:
    written = payloads(30)
    for payload in written:
        spool.append(payload)
    first, middle = spool.read(spool.start(), max_bytes=100)
    assert 0 < len(first) < len(written)
    rest, _ = read_all(spool, middle)
    assert first + rest == written


def test_reading_when_caught_up_returns_nothing_and_the_same_position(spool: Spool) -> None:
    for payload in payloads(10):
        spool.append(payload)
    _, end = read_all(spool)
    assert spool.read(end, max_bytes=1 << 20) == ([], end)
    assert spool.backlog_bytes(end) == 0
    spool.append(b"one more")
    assert spool.backlog_bytes(end) == 8 + len(b"one more")
    more, later = spool.read(end, max_bytes=1 << 20)
    assert more == [b"one more"]
    assert spool.backlog_bytes(later) == 0


def test_backlog_counts_everything_after_the_position(spool: Spool) -> None:
    written = payloads(20)
    for payload in written:
        spool.append(payload)
    assert spool.backlog_bytes(spool.start()) == sum(8 + len(p) for p in written)


def test_positions_resume_after_reopening(tmp_path: Path) -> None:
    directory = tmp_path / "spool"
    first = Spool(directory, segment_bytes=256)
    for payload in payloads(15):
        first.append(payload)
    records, position = read_all(first)
    first.close()

    reopened = Spool(directory, segment_bytes=256)
    try:
        assert reopened.read(position, max_bytes=1 << 20) == ([], position)
        later = payloads(25)[15:]
        for payload in later:
            reopened.append(payload)
        rest, _ = read_all(reopened, position)
        assert rest == later
        everything, _ = read_all(reopened)
        assert everything == records + later
    finally:
        reopened.close()


@pytest.mark.parametrize(
    "tail",
    [
        b"\x07",  # less than a header
        struct.pack("<II", 100, 0) + b"only part of the payload",  # torn payload
        struct.pack("<II", 4, 12345) + b"abcd",  # whole record, wrong checksum
        frame(b"complete record")[:-3],  # cut in the middle
    ],
)
def test_a_torn_tail_is_cut_off_on_reopen_and_later_appends_are_readable(tmp_path: Path, tail: bytes) -> None:
    directory = tmp_path / "spool"
    first = Spool(directory, segment_bytes=256)
    written = payloads(12)
    for payload in written:
        first.append(payload)
    first.close()
    last = directory / first.segments()[-1]
    size_before = last.stat().st_size
    with open(last, "ab") as file:
        file.write(tail)

    reopened = Spool(directory, segment_bytes=256)
    try:
        assert last.stat().st_size == size_before
        reopened.append(b"after the crash")
        reopened.append(b"and another")
        records, _ = read_all(reopened)
        assert records == [*written, b"after the crash", b"and another"]
    finally:
        reopened.close()


def test_a_zero_filled_tail_is_cut_off_on_reopen(tmp_path: Path) -> None:
    directory = tmp_path / "spool"
    first = Spool(directory)
    first.append(b'[{"acknowledged": true}]')
    first.close()
    with open(directory / first.segments()[-1], "ab") as file:
        file.write(b"\0" * 4096)  # a file extended but never written: what a power loss leaves
    reopened = Spool(directory)
    try:
        records, _ = read_all(reopened)
        assert records == [b'[{"acknowledged": true}]']
    finally:
        reopened.close()


def test_release_deletes_only_wholly_consumed_segments(spool: Spool) -> None:
    written = payloads(40)
    for payload in written:
        spool.append(payload)
    segments = spool.segments()
    assert len(segments) >= 4
    # Stop part-way through the third segment.
    third = spool.directory / segments[2]
    position = SpoolPosition(segments[2], 8 + len(written[0]))
    assert third.stat().st_size > position.offset
    spool.release(position)
    assert spool.segments() == segments[2:]
    rest, _ = read_all(spool, position)
    everything_after, _ = read_all(spool, SpoolPosition(segments[2], 0))
    assert rest == everything_after[1:]
    assert rest == written[-len(rest) :]


def test_release_keeps_the_segment_being_written(spool: Spool) -> None:
    for payload in payloads(10):
        spool.append(payload)
    current = spool.segments()[-1]
    spool.release(SpoolPosition("9999999999.log", 0))
    assert current in spool.segments()
    spool.append(b"still writable")
    assert read_all(spool, SpoolPosition(current, 0))[0][-1] == b"still writable"


def test_release_after_reading_everything_leaves_no_backlog(spool: Spool) -> None:
    for payload in payloads(40):
        spool.append(payload)
    records, end = read_all(spool)
    spool.release(end)
    assert len(spool.segments()) <= 2
    assert spool.backlog_bytes(end) == 0
    assert len(records) == 40


def test_concurrent_submits_are_all_durable_and_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "spool"
    spool = Spool(directory, segment_bytes=4096)
    threads, per_thread = 16, 50
    errors: list[BaseException] = []
    fsyncs = 0
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        nonlocal fsyncs
        fsyncs += 1
        real_fsync(fd)

    def writer(number: int) -> None:
        try:
            futures = [spool.submit(f"t{number:02d}-{i:03d}".encode()) for i in range(per_thread)]
            for future in futures:
                future.result(timeout=30)  # acknowledged only once on disk
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    monkeypatch.undo()
    spool.close()
    assert not errors
    # Group commit: fewer disk flushes than records (one per write, plus rotations).
    assert fsyncs < threads * per_thread

    reopened = Spool(directory, segment_bytes=4096)
    try:
        records, _ = read_all(reopened)
    finally:
        reopened.close()
    expected = [f"t{n:02d}-{i:03d}".encode() for n in range(threads) for i in range(per_thread)]
    assert sorted(records) == expected
    for n in range(threads):  # each writer's records keep its order
        mine = [r for r in records if r.startswith(f"t{n:02d}-".encode())]
        assert mine == sorted(mine)


def test_submitting_to_a_closed_spool_fails(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    spool.close()
    with pytest.raises(RuntimeError, match="closed"):
        spool.submit(b"late")


@settings(max_examples=25, deadline=None)
@given(records=st.lists(st.binary(min_size=1, max_size=300), max_size=30), segment_bytes=st.integers(1, 2000))
def test_any_list_of_payloads_round_trips(
    tmp_path_factory: pytest.TempPathFactory, records: list[bytes], segment_bytes: int
) -> None:
    directory = tmp_path_factory.mktemp("spool")
    spool = Spool(directory, segment_bytes=segment_bytes)
    try:
        for payload in records:
            spool.append(payload)
        assert read_all(spool)[0] == records
    finally:
        spool.close()
    reopened = Spool(directory, segment_bytes=segment_bytes)
    try:
        assert read_all(reopened)[0] == records
    finally:
        reopened.close()
