"""A job's result file, kept in the database in compressed pieces and streamed back out.

Every app host can serve a file any worker wrote, with nothing shared between hosts but
the database they already share (no shared disk, no object store to run). JSON
fixtures shrink about sixfold with zlib, so a 100,000-fact export (~115 MB) takes
~20 MB of table space, and expired files are deleted (`lifecycle.prune_expired`).
"""

import hashlib
import io
import zlib
from collections.abc import Iterator

from .models import Job, JobFileChunk

CHUNK_BYTES = 1024 * 1024
# Level 1: nearly the ratio of the default level at a fraction of the CPU.
ZLIB_LEVEL = 1


class CorruptFile(Exception):
    """The stored pieces do not add up to the file the job recorded."""


class ChunkWriter(io.RawIOBase):
    """A binary stream that stores what is written to it as numbered, compressed pieces of one run's file."""

    def __init__(self, job_id, attempt: int):
        super().__init__()
        self.job_id = job_id
        self.attempt = attempt
        self.pending = bytearray()
        self.index = 0
        self.size = 0
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.pending += data
        self.size += len(data)
        self.digest.update(data)
        while len(self.pending) >= CHUNK_BYTES:
            self._store(bytes(self.pending[:CHUNK_BYTES]))
            del self.pending[:CHUNK_BYTES]
        return len(data)

    def _store(self, piece: bytes) -> None:
        JobFileChunk.objects.create(
            job_id=self.job_id, attempt=self.attempt, index=self.index, data=zlib.compress(piece, ZLIB_LEVEL)
        )
        self.index += 1

    def close(self) -> None:
        if not self.closed and self.pending:
            self._store(bytes(self.pending))
            self.pending.clear()
        super().close()

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()


def store_file(job_id, attempt: int, source, progress=None) -> ChunkWriter:
    """Copy a binary file object into the run's pieces; `progress(bytes_done)` after each piece."""
    writer = ChunkWriter(job_id, attempt)
    while piece := source.read(CHUNK_BYTES):
        writer.write(piece)
        if progress is not None:
            progress(writer.size)
    writer.close()
    return writer


def file_pieces(job: Job) -> Iterator[bytes]:
    """The finished file of `job`, piece by piece, one query each (never the whole file in memory).

    Checks the length and SHA-256 against what the job recorded as it goes; a mismatch
    raises `CorruptFile` at the end, so a download breaks off rather than ending cleanly.
    """
    digest, size = hashlib.sha256(), 0
    pieces = JobFileChunk.objects.filter(job=job, attempt=job.attempts).order_by("index")
    for pk in pieces.values_list("pk", flat=True):
        data = zlib.decompress(JobFileChunk.objects.filter(pk=pk).values_list("data", flat=True).get())
        digest.update(data)
        size += len(data)
        yield data
    if size != job.file_bytes or digest.hexdigest() != job.file_sha256:
        raise CorruptFile(
            f"Job {job.pk}: the stored file is {size} bytes, SHA-256 {digest.hexdigest()}; expected "
            f"{job.file_bytes} bytes, {job.file_sha256}."
        )
