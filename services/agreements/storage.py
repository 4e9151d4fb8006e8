"""Content-addressed document store: a file lives at sha256/aa/bb/<digest>, written once, and
only after whoever sent it was allowed to (until then it is staged, and removed if refused)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
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


class Staged:
    """A file read and hashed but not yet in the store: `keep` moves it into place (once the
    caller may attach it), `discard` removes whatever was written for it. A file that fits in
    one chunk (the usual dossier document) stays in memory until it is kept."""

    def __init__(
        self, store: DocumentStore, blob: StoredBlob, data: bytes | None, path: str | None
    ) -> None:
        self.store = store
        self.blob = blob
        self._data = data
        self._path = path
        self.kept = False

    def keep(self) -> None:
        """Into the store under its digest, unless that content is already there (the same
        file uploaded twice is kept once)."""
        if self.kept:
            return
        final = self.store.path_of(self.blob.sha256)
        if final.exists():
            self.discard()
        elif self._data is not None:
            self.store.place_bytes(final, self._data)
        elif self._path is not None:
            self.store.move_into(self._path, final)
            self._path = None
        self.kept = True

    def discard(self) -> None:
        """Nothing of this file stays on disk unless it was kept; safe to repeat."""
        if self._path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._path)
            self._path = None
        self._data = None


class DocumentStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._staging: Path | None = None
        self._folders: set[Path] = set()

    def path_of(self, sha256: str) -> Path:
        return self.root / "sha256" / sha256[:2] / sha256[2:4] / sha256

    def stage(self, stream: BinaryIO, max_bytes: int) -> Staged:
        """Hash while reading: a file of one chunk stays in memory, a larger one streams to a
        temporary file of the staging folder (removed again if it passes the limit)."""
        first = stream.read(CHUNK)
        if len(first) > max_bytes:
            raise TooLarge(max_bytes)
        rest = stream.read(CHUNK) if len(first) == CHUNK else b""
        if not rest:
            blob = StoredBlob(hashlib.sha256(first).hexdigest(), len(first), first[:4096])
            return Staged(self, blob, first, None)
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

        path = self._write_staged(write)
        return Staged(self, StoredBlob(digest.hexdigest(), size, first[:4096]), None, path)

    def put(self, stream: BinaryIO, max_bytes: int) -> StoredBlob:
        """Read, hash and keep at once (for callers that need no permission first)."""
        staged = self.stage(stream, max_bytes)
        staged.keep()
        return staged.blob

    def place_bytes(self, final: Path, data: bytes) -> None:
        """A file at `final` holding `data`, whole or not at all (written without a buffered
        file object: a dossier document is one write)."""
        fd, name = self._new_staged()
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        except BaseException:
            os.close(fd)
            os.unlink(name)
            raise
        os.close(fd)
        self.move_into(name, final)

    def move_into(self, staged: str, final: Path) -> None:
        """Rename a staged file to its place, making its folder the first time it is needed
        (the folders made are remembered, and made again should one have been removed)."""
        folder = final.parent
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        try:
            os.replace(staged, final)
        except FileNotFoundError:
            if not os.path.exists(staged):
                raise
            folder.mkdir(parents=True, exist_ok=True)
            os.replace(staged, final)

    def _new_staged(self) -> tuple[int, str]:
        """A new empty file of the staging folder (same file system as the store, so the final
        rename is atomic), opened for writing, with its name."""
        if self._staging is None:
            staging = self.root / "staging"
            staging.mkdir(parents=True, exist_ok=True)
            self._staging = staging
        name = os.path.join(self._staging, uuid.uuid4().hex)
        return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600), name

    def _write_staged(self, write: Callable[[BinaryIO], object]) -> str:
        """A staged file filled by `write`; removed again if writing fails."""
        fd, name = self._new_staged()
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
