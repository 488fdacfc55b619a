"""Recognising lesson media by content, reading WAV durations, and parsing Range headers."""

from __future__ import annotations

import io

import pytest

from sunflower.training.media import ByteRange, Unsatisfiable, parse_range, sniff, wav_duration
from sunflower.training.tests.samples_lessons import MP4_HEAD, silent_wav


class SniffTestCase:
    @pytest.mark.parametrize(
        ("head", "expected"),
        [
            (MP4_HEAD, "video/mp4"),
            (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42", "audio/mp4"),
            (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01webm", "video/webm"),
            (b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(20), "audio/mpeg"),
            (b"\xff\xfb\x90\x64" + bytes(20), "audio/mpeg"),  # MPEG-1 layer III frame
            (b"OggS\x00\x02" + bytes(20), "audio/ogg"),
            (silent_wav(0.01)[:64], "audio/wav"),
        ],
    )
    def test_it_recognises_the_lesson_formats(self, head: bytes, expected: str) -> None:
        assert sniff(head) == expected

    @pytest.mark.parametrize(
        "head",
        [
            b"PK\x03\x04" + bytes(40),  # a ZIP (or .docx) renamed to .mp4
            b"%PDF-1.7\n" + bytes(40),
            b"<html><script>alert(1)</script>",
            b"\xff\xf1\x50\x80" + bytes(20),  # ADTS AAC: layer bits 00
            b"RIFF\x00\x00\x00\x00AVI LIST",  # RIFF but not WAVE
            b"\x89PNG\r\n\x1a\n" + bytes(20),
            b"",
        ],
    )
    def test_it_refuses_everything_else(self, head: bytes) -> None:
        assert sniff(head) is None


class WavDurationTestCase:
    def test_it_reads_the_length_of_pcm_audio(self) -> None:
        assert wav_duration(io.BytesIO(silent_wav(12))) == 12

    def test_it_answers_zero_for_anything_else(self) -> None:
        assert wav_duration(io.BytesIO(MP4_HEAD)) == 0
        assert wav_duration(io.BytesIO(b"RIFF\x10\x00\x00\x00WAVE")) == 0


class ParseRangeTestCase:
    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            ("bytes=0-99", ByteRange(0, 99)),
            ("bytes=100-199", ByteRange(100, 199)),
            ("bytes=900-", ByteRange(900, 999)),  # open-ended
            ("bytes=-100", ByteRange(900, 999)),  # suffix
            ("bytes=-5000", ByteRange(0, 999)),  # a suffix longer than the file: all of it
            ("bytes=990-5000", ByteRange(990, 999)),  # an end past the file is cut to it
            ("bytes=0-0", ByteRange(0, 0)),
            ("bytes = 5 - 9", ByteRange(5, 9)),
        ],
    )
    def test_it_understands_one_range(self, header: str, expected: ByteRange) -> None:
        assert parse_range(header, 1000) == expected

    @pytest.mark.parametrize(
        "header", [None, "", "bytes=", "bytes=-", "items=0-5", "bytes=5-1", "bytes=0-1,5-9"]
    )
    def test_it_sends_the_whole_file_for_what_it_ignores(self, header: str | None) -> None:
        assert parse_range(header, 1000) is None

    @pytest.mark.parametrize("header", ["bytes=1000-", "bytes=1000-2000", "bytes=-0"])
    def test_it_refuses_ranges_outside_the_file(self, header: str) -> None:
        with pytest.raises(Unsatisfiable):
            parse_range(header, 1000)
