"""The embedded queue: an append-only, fsynced log of accepted requests.

A request is acknowledged only after its record is written and ``fsync``ed. Writes are
group-committed: a writer thread takes every record waiting, writes them together and
fsyncs once, so many concurrent requests share one disk flush.

Each record is framed as ``length (u32) | crc32 (u32) | payload``; a record torn by a crash
fails its check and is cut off when the spool is opened again (it was never acknowledged).
"""

from __future__ import annotations

import logging
import os
import struct
import threading
import zlib
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
_HEADER = struct.Struct("<II")
_SUFFIX = ".log"


@dataclass(frozen=True, order=True)
class SpoolPosition:
    """Where a reader is: a segment file name and a byte offset in it."""

    segment: str
    offset: int


class Spool:
    """A durable append-only log of records in numbered segment files."""

    def __init__(self, directory: Path, segment_bytes: int = 64 * 1024 * 1024) -> None:
        self.directory = directory
        self.segment_bytes = segment_bytes
        directory.mkdir(parents=True, exist_ok=True)
        segments = self.segments()
        if segments:
            self._current = segments[-1]
            _truncate_torn_tail(directory / self._current)
        else:
            self._current = _segment_name(1)
        self._file = open(directory / self._current, "ab")  # noqa: SIM115 - kept open for appends
        _fsync_directory(directory)
        self._pending: list[tuple[bytes, Future[None]]] = []
        self._condition = threading.Condition()
        self._closed = False
        self.appended = threading.Condition()
        self._writer = threading.Thread(target=self._write_loop, name="spool-writer", daemon=True)
        self._writer.start()

    # -- writing -------------------------------------------------------------------------

    def submit(self, payload: bytes) -> Future[None]:
        """Queue a record; the future completes once it is on disk (fsynced)."""
        if not payload:
            raise ValueError("a spool record cannot be empty")
        future: Future[None] = Future()
        with self._condition:
            if self._closed:
                raise RuntimeError("the spool is closed")
            self._pending.append((payload, future))
            self._condition.notify()
        return future

    def append(self, payload: bytes) -> None:
        """Write a record and wait until it is durable."""
        self.submit(payload).result()

    def _write_loop(self) -> None:
        while True:
            with self._condition:
                while not self._pending and not self._closed:
                    self._condition.wait()
                if not self._pending and self._closed:
                    return
                batch, self._pending = self._pending, []
            start = self._file.tell()
            try:
                self._file.write(b"".join(_frame(payload) for payload, _ in batch))
                self._file.flush()
                os.fsync(self._file.fileno())
                error: BaseException | None = None
            except BaseException as failure:  # pragma: no cover - disk failure (full, I/O)
                error = failure
                self._cut_back(start)
            for _, future in batch:
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)
            with self.appended:
                self.appended.notify_all()
            if error is None and self._file.tell() >= self.segment_bytes:
                self._rotate()

    def _cut_back(self, size: int) -> None:
        """Remove a partly written group (none of it was acknowledged), so later records
        are not stranded behind garbage."""
        try:
            self._file.close()
            with open(self.directory / self._current, "r+b") as file:
                file.truncate(size)
                os.fsync(file.fileno())
        except OSError:
            log.exception("could not cut back a failed spool write")
        self._file = open(self.directory / self._current, "ab")  # noqa: SIM115

    def _rotate(self) -> None:
        self._file.close()
        self._current = _segment_name(_segment_number(self._current) + 1)
        self._file = open(self.directory / self._current, "ab")  # noqa: SIM115
        _fsync_directory(self.directory)

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify()
        self._writer.join()
        self._file.close()

    # -- reading -------------------------------------------------------------------------

    def segments(self) -> list[str]:
        return sorted(p.name for p in self.directory.glob(f"*{_SUFFIX}"))

    def start(self) -> SpoolPosition:
        segments = self.segments()
        return SpoolPosition(segments[0] if segments else _segment_name(1), 0)

    def read(self, position: SpoolPosition, max_bytes: int) -> tuple[list[bytes], SpoolPosition]:
        """Complete records after ``position``, up to about ``max_bytes``, and where they end."""
        records: list[bytes] = []
        size = 0
        segments = self.segments()
        current = position
        while True:
            path = self.directory / current.segment
            if path.exists():
                for payload, end in _records(path, current.offset, max_bytes - size):
                    records.append(payload)
                    size += len(payload)
                    current = SpoolPosition(current.segment, end)
                    if size >= max_bytes:
                        return records, current
                if current.offset < path.stat().st_size:
                    return records, current  # read limit reached, or a record still being written
            later = [s for s in segments if s > current.segment]
            if not later:
                return records, current
            current = SpoolPosition(later[0], 0)

    def release(self, position: SpoolPosition) -> None:
        """Delete segments wholly before ``position`` (their records are committed)."""
        for name in self.segments():
            if name < position.segment and name != self._current:
                (self.directory / name).unlink(missing_ok=True)

    def backlog_bytes(self, position: SpoolPosition) -> int:
        """Bytes written after ``position`` (0 when the reader is caught up)."""
        total = 0
        for name in self.segments():
            if name < position.segment:
                continue
            try:
                size = (self.directory / name).stat().st_size
            except FileNotFoundError:  # released by the loader meanwhile
                continue
            total += size - position.offset if name == position.segment else size
        return max(total, 0)


def _frame(payload: bytes) -> bytes:
    return _HEADER.pack(len(payload), zlib.crc32(payload)) + payload


def _records(path: Path, offset: int, max_bytes: int = -1) -> Iterator[tuple[bytes, int]]:
    """Complete records from ``offset``, reading about ``max_bytes`` (all when -1); a first
    record larger than that is still read whole."""
    with open(path, "rb") as file:
        file.seek(offset)
        data = file.read(max_bytes)
        if 0 <= max_bytes <= len(data) and len(data) >= _HEADER.size:
            length = _HEADER.unpack_from(data, 0)[0]
            if _HEADER.size + length > len(data):
                data += file.read(_HEADER.size + length - len(data))
    position = 0
    while position + _HEADER.size <= len(data):
        length, checksum = _HEADER.unpack_from(data, position)
        start = position + _HEADER.size
        end = start + length
        if length == 0 or end > len(data):  # records are never empty: zeros are a torn tail
            return
        payload = data[start:end]
        if zlib.crc32(payload) != checksum:
            return
        position = end
        yield payload, offset + position


def _truncate_torn_tail(path: Path) -> None:
    valid = 0
    for _, end in _records(path, 0):
        valid = end
    if path.stat().st_size != valid:
        with open(path, "r+b") as file:
            file.truncate(valid)
            os.fsync(file.fileno())


def _segment_name(number: int) -> str:
    return f"{number:010d}{_SUFFIX}"


def _segment_number(name: str) -> int:
    return int(name.removesuffix(_SUFFIX))


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
