"""Just enough PDF reading for the tests: the text ReportLab draws with its CID font.

ReportLab writes each content stream ASCII85- and Flate-encoded, and draws CID-font text as
literal strings of UTF-16BE code units (`(…) Tj`). No PDF library or tool is needed.
"""

from __future__ import annotations

import base64
import contextlib
import re
import zlib

STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
SHOW = re.compile(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", re.S)
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(literal: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(literal):
        byte = literal[i : i + 1]
        if byte != b"\\":
            out += byte
            i += 1
            continue
        following = literal[i + 1 : i + 2]
        octal = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(0), 8))
            i += 1 + len(octal.group(0))
        else:
            out += ESCAPES.get(following, following)
            i += 2
    return bytes(out)


def content_streams(pdf: bytes) -> list[bytes]:
    streams = []
    for match in STREAM.finditer(pdf):
        raw = match.group(1).strip()
        with contextlib.suppress(ValueError):
            raw = base64.a85decode(raw.removesuffix(b"~>"))
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            streams.append(raw)
    return streams


def pdf_text(pdf: bytes) -> str:
    """The drawn strings, one per line, decoded as UTF-16BE."""
    lines = []
    for stream in content_streams(pdf):
        for literal in SHOW.findall(stream):
            lines.append(_unescape(literal).decode("utf-16-be", errors="replace"))
    return "\n".join(lines)
