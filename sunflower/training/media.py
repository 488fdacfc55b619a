"""Lesson media: recognising a file by its content, and serving it with HTTP range requests.

Uploads are recognised by their first bytes, never by name or by the browser's claimed type:
an .mp4 that is really a ZIP is refused. Streaming answers `Range: bytes=a-b` (one range) so
that phones can seek; the file is read in chunks, never whole.
"""

from __future__ import annotations

import re
import struct
from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass
from typing import IO

from asgiref.sync import sync_to_async
from django.core.files.storage import Storage
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

CHUNK_BYTES = 64 * 1024
SNIFF_BYTES = 64

AUDIO_TYPES = frozenset({"audio/mp4", "audio/mpeg", "audio/ogg", "audio/wav"})
VIDEO_TYPES = frozenset({"video/mp4", "video/webm"})
M4A_BRANDS = frozenset({b"M4A ", b"M4B ", b"M4P "})


def sniff(head: bytes) -> str | None:
    """The media type of a file starting with *head* (at least 12 bytes), or None when it is
    not one a lesson may have: MP4 / M4A ('ftyp' box), WebM / Matroska (EBML header), MP3
    (ID3 tag or an MPEG audio frame sync), OGG ('OggS') and WAV ('RIFF'…'WAVE')."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "audio/mp4" if head[8:12] in M4A_BRANDS else "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    # An MPEG audio frame: 11 sync bits, a version that is not "reserved" (01) and a layer that
    # is not "reserved" (00; ADTS AAC has layer 00 and is not accepted here).
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        version, layer = (head[1] >> 3) & 0b11, (head[1] >> 1) & 0b11
        if version != 0b01 and layer != 0b00:
            return "audio/mpeg"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if len(head) >= 12 and head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    return None


def kind_of(content_type: str) -> str:
    return "audio" if content_type in AUDIO_TYPES else "video"


def wav_duration(stream: IO[bytes]) -> int:
    """Whole seconds of PCM audio in a WAV file (0 when the header cannot be read): the one
    format whose length the server can read cheaply; for the others the admin's player tells."""
    stream.seek(0)
    header = stream.read(12)
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        return 0
    byte_rate = 0
    for _ in range(64):  # chunks before "data" are few; stop on anything odd
        chunk = stream.read(8)
        if len(chunk) < 8:
            return 0
        name, length = chunk[:4], struct.unpack("<I", chunk[4:])[0]
        if name == b"fmt ":
            fmt = stream.read(length + length % 2)
            if len(fmt) < 12:
                return 0
            byte_rate = struct.unpack("<I", fmt[8:12])[0]
        elif name == b"data":
            return int(length / byte_rate) if byte_rate else 0
        else:
            stream.seek(length + length % 2, 1)
    return 0


class Unsatisfiable(Exception):  # noqa: N818 (named after the HTTP status it becomes)
    """The Range header asks for bytes the file does not have: answer 416."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1


RANGE_RE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one byte range asked for by *header* for a file of *size* bytes.

    None means "send the whole file" (no header, one we do not understand, or several ranges,
    which RFC 9110 §14.2 lets a server ignore). `a-b`, `a-` (open-ended) and `-n` (the last n
    bytes) are understood; an end past the file is cut to it. Raises Unsatisfiable when the
    range starts at or after the end of the file or asks for the last 0 bytes."""
    if not header:
        return None
    match = RANGE_RE.match(header)
    if match is None:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":  # suffix: the last n bytes
        count = int(last)
        if count == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(size - count, 0), size - 1)
    start = int(first)
    if last and int(last) < start:
        return None  # syntactically invalid: ignored, the whole file is sent
    if start >= size:
        raise Unsatisfiable
    end = min(int(last), size - 1) if last else size - 1
    return ByteRange(start, end)


def _chunks(stream: IO[bytes], start: int, length: int) -> Generator[bytes]:
    try:
        stream.seek(start)
        remaining = length
        while remaining > 0:
            chunk = stream.read(min(CHUNK_BYTES, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        stream.close()


async def _achunks(stream: IO[bytes], start: int, length: int) -> AsyncIterator[bytes]:
    # Under ASGI a synchronous iterator would be read whole into memory by Django before the
    # first byte is sent; reading each chunk in a thread keeps the stream a stream.
    chunks = _chunks(stream, start, length)

    def read() -> bytes | None:
        return next(chunks, None)

    try:
        while True:
            chunk = await sync_to_async(read, thread_sensitive=False)()
            if chunk is None:
                break
            yield chunk
    finally:
        chunks.close()


def stream_file(
    request: HttpRequest, storage: Storage, name: str, content_type: str
) -> HttpResponse | StreamingHttpResponse:
    """Serve the stored file *name*: 200 with the whole file, 206 with the asked range, or 416.
    The caller has checked access; the answer may be kept only by the user's own browser."""
    size = storage.size(name)
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "private, max-age=3600"}
    try:
        wanted = parse_range(request.headers.get("Range"), size)
    except Unsatisfiable:
        response = HttpResponse(status=416, headers=headers)
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, length = (0, size) if wanted is None else (wanted.start, wanted.length)
    if request.method == "HEAD":
        content: Iterator[bytes] | AsyncIterator[bytes] = iter(())
    else:
        stream = storage.open(name, "rb")
        if isinstance(request, ASGIRequest):
            content = _achunks(stream, start, length)
        else:
            content = _chunks(stream, start, length)
    response_ = StreamingHttpResponse(
        content, status=200 if wanted is None else 206, content_type=content_type, headers=headers
    )
    response_["Content-Length"] = str(length)
    if wanted is not None:
        response_["Content-Range"] = f"bytes {wanted.start}-{wanted.end}/{size}"
    return response_
