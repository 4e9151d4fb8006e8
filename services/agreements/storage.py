"""Content-addressed document store: a file lives at sha256/aa/bb/<digest>, written once."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024


class TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"file exceeds {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    head: bytes  # the first bytes, for media-type sniffing


class DocumentStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._staging: Path | None = None

    def path_of(self, sha256: str) -> Path:
        return self.root / "sha256" / sha256[:2] / sha256[2:4] / sha256

    def put(self, stream: BinaryIO, max_bytes: int) -> StoredBlob:
        """Hash while reading; store under the digest unless that content is already stored
        (the same file uploaded twice is kept once). A file that fits in one chunk (the usual
        dossier document, already in memory in the upload's spool) is hashed before anything
        touches the disk; a larger one streams through a temporary file."""
        first = stream.read(CHUNK)
        if len(first) > max_bytes:
            raise TooLarge(max_bytes)
        rest = stream.read(CHUNK) if len(first) == CHUNK else b""
        if not rest:
            sha = hashlib.sha256(first).hexdigest()
            final = self.path_of(sha)
            if not final.exists():
                self._place(final, lambda out: out.write(first))
            return StoredBlob(sha256=sha, size=len(first), head=first[:4096])
        return self._stream(first, rest, stream, max_bytes)

    def _stream(self, first: bytes, rest: bytes, stream: BinaryIO, max_bytes: int) -> StoredBlob:
        digest = hashlib.sha256()
        size = 0

        def write(out: BinaryIO) -> None:
            nonlocal size
            for chunk in chain((first, rest), iter(lambda: stream.read(CHUNK), b"")):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(max_bytes)
                digest.update(chunk)
                out.write(chunk)

        staged = self._write_staged(write)
        sha = digest.hexdigest()
        final = self.path_of(sha)
        if final.exists():
            os.unlink(staged)
        else:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, final)
        return StoredBlob(sha256=sha, size=size, head=first[:4096])

    def _place(self, final: Path, write: Callable[[BinaryIO], object]) -> None:
        staged = self._write_staged(write)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, final)

    def _write_staged(self, write: Callable[[BinaryIO], object]) -> str:
        """A new file in the staging folder (same file system as the store, so the final
        rename is atomic) filled by `write`; removed again if writing fails."""
        if self._staging is None:
            staging = self.root / "staging"
            staging.mkdir(parents=True, exist_ok=True)
            self._staging = staging
        fd, name = tempfile.mkstemp(dir=self._staging)
        try:
            with os.fdopen(fd, "wb") as out:
                write(out)
        except BaseException:
            os.unlink(name)
            raise
        return name


# Media types a dossier may carry, each with the leading bytes its content must start with.
_ZIP = (b"PK\x03\x04",)
ALLOWED_MEDIA_TYPES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _ZIP,
    "application/vnd.oasis.opendocument.text": _ZIP,
    "application/msword": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "text/plain": (),
}


def content_matches(media_type: str, head: bytes) -> bool:
    """The declared type is believable: known magic bytes, or valid UTF-8 for plain text."""
    if media_type == "text/plain":
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the sniffed head is fine.
            return exc.start >= len(head) - 3
        return b"\x00" not in head
    return any(head.startswith(magic) for magic in ALLOWED_MEDIA_TYPES.get(media_type, ()))
