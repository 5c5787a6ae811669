"""Evidence file types (证明材料类型), told by the file's first bytes (magic bytes), never only by
its name or the Content-Type a browser sends.

Accepted: audio (mp3, m4a, wav, amr), images (jpg, png) and PDF. A file must both look like one
of these inside and carry a matching extension, so a PDF named `photo.png` is refused too.
"""

from __future__ import annotations

from dataclasses import dataclass

HEAD_BYTES = 64  # enough for every signature below


@dataclass(frozen=True)
class FileType:
    """One accepted type: short name, kind (audio | image | pdf), MIME type sent on download,
    the extensions a file of this type may carry (the first is the canonical one)."""

    name: str
    kind: str
    mime: str
    extensions: tuple[str, ...]


PNG = FileType("png", "image", "image/png", ("png",))
JPEG = FileType("jpeg", "image", "image/jpeg", ("jpg", "jpeg"))
PDF = FileType("pdf", "pdf", "application/pdf", ("pdf",))
MP3 = FileType("mp3", "audio", "audio/mpeg", ("mp3",))
M4A = FileType("m4a", "audio", "audio/mp4", ("m4a",))
WAV = FileType("wav", "audio", "audio/wav", ("wav",))
AMR = FileType("amr", "audio", "audio/amr", ("amr",))
TYPES = (PNG, JPEG, PDF, MP3, M4A, WAV, AMR)
EXTENSIONS = tuple(ext for t in TYPES for ext in t.extensions)

# ISO base media brands of audio-only MPEG-4 files (voice memos, phone recorders).
M4A_BRANDS = frozenset({b"M4A ", b"M4B ", b"mp41", b"mp42", b"isom", b"iso2", b"dash"})


def _mp3_frame(head: bytes) -> bool:
    """An MPEG audio Layer III frame header: 11 sync bits, a valid version, layer III, a
    usable bitrate and sample rate (AAC's ADTS header has layer 0 and is not taken)."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 3
    return version != 1 and layer == 1 and bitrate not in (0, 15) and rate != 3


def sniff(head: bytes) -> FileType | None:
    """The accepted type whose signature `head` (the file's first bytes) carries, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"ID3") or _mp3_frame(head):
        return MP3
    if head[4:8] == b"ftyp" and head[8:12] in M4A_BRANDS:
        return M4A
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return WAV
    if head.startswith((b"#!AMR\n", b"#!AMR-WB\n")):
        return AMR
    return None


def extension(filename: str) -> str:
    """The lower-case extension of `filename` without the dot ('' when it has none)."""
    stem, dot, ext = filename.rpartition(".")
    return ext.lower() if dot and stem else ""
