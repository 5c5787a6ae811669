"""Evidence file types are told by their first bytes."""

from __future__ import annotations

import pytest

from app.cases import filetypes
from tests.materials.conftest import SAMPLES


@pytest.mark.parametrize("ext", sorted(SAMPLES))
def test_every_accepted_type_is_recognised(ext):
    found = filetypes.sniff(SAMPLES[ext][:filetypes.HEAD_BYTES])
    assert found is not None and ext in found.extensions


@pytest.mark.parametrize("head", [
    b"GIF89a\x01\x00\x01\x00",                      # an image, but not one we take
    b"<!doctype html><script>alert(1)</script>",    # HTML
    b"<svg xmlns='http://www.w3.org/2000/svg'/>",   # SVG (scripts)
    b"MZ\x90\x00\x03\x00\x00\x00",                  # a Windows program
    b"PK\x03\x04\x14\x00\x06\x00",                  # zip / docx
    b"\xff\xf1\x50\x80\x02\x1f\xfc",                # AAC (ADTS), not Layer III
    b"RIFF\x24\x00\x00\x00AVI LIST",                # RIFF but a video
    b"\x00\x00\x00\x18ftypqt  \x00\x00",            # QuickTime video
    b"plain text",
    b"",
])
def test_other_content_is_not_recognised(head):
    assert filetypes.sniff(head) is None


def test_mp3_without_id3_tag_by_its_frame_header():
    assert filetypes.sniff(b"\xff\xfb\x90\x64" + b"\x00" * 10) is filetypes.MP3
    assert filetypes.sniff(b"\xff\xf3\x90\x64" + b"\x00" * 10) is filetypes.MP3  # MPEG-2
    assert filetypes.sniff(b"\xff\xfb\xf0\x64") is None  # bitrate index 15 is invalid


@pytest.mark.parametrize("name, ext", [
    ("录音.M4A", "m4a"), ("a.b.pdf", "pdf"), ("noext", ""), (".png", ""), ("photo.", "")])
def test_extension(name, ext):
    assert filetypes.extension(name) == ext
