"""The content-addressed document store: what is stored is what was read, under its digest,
once; a file over the limit is refused and leaves nothing behind."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from services.agreements.storage import CHUNK, DocumentStore, TooLarge


@pytest.mark.parametrize("size", [1, 10, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5])
def test_a_file_is_stored_under_its_digest_once(tmp_path: Path, size: int) -> None:
    store = DocumentStore(tmp_path)
    data = bytes((i * 7) % 251 for i in range(size))
    blob = store.put(io.BytesIO(data), 10 * CHUNK)
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert (blob.size, blob.head) == (size, data[:4096])
    assert store.path_of(blob.sha256).read_bytes() == data
    assert store.put(io.BytesIO(data), 10 * CHUNK) == blob
    assert list((tmp_path / "staging").glob("*")) == []


OVER = [(100, 99), (CHUNK + 10, CHUNK), (3 * CHUNK, 2 * CHUNK)]


@pytest.mark.parametrize(("size", "limit"), OVER)
def test_a_file_over_the_limit_is_refused_and_leaves_nothing(
    tmp_path: Path, size: int, limit: int
) -> None:
    store = DocumentStore(tmp_path)
    with pytest.raises(TooLarge):
        store.put(io.BytesIO(b"x" * size), limit)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("size", [10, CHUNK + 1, 3 * CHUNK])
def test_a_staged_file_reaches_the_store_only_when_kept(tmp_path: Path, size: int) -> None:
    store = DocumentStore(tmp_path)
    data = b"y" * size
    discarded = store.stage(io.BytesIO(data), 10 * CHUNK)
    discarded.discard()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    kept = store.stage(io.BytesIO(data), 10 * CHUNK)
    assert not store.path_of(kept.blob.sha256).exists()
    kept.keep()
    kept.discard()  # after keeping, a no-op
    assert store.path_of(kept.blob.sha256).read_bytes() == data
    assert list((tmp_path / "staging").glob("*")) == []


@pytest.mark.parametrize("size", [10, CHUNK + 1])
def test_a_folder_removed_after_the_store_made_it_is_made_again(tmp_path: Path, size: int) -> None:
    """The store remembers the folders it made; one an operator removed since is made again."""
    store = DocumentStore(tmp_path)
    first = store.put(io.BytesIO(b"a" * size), 10 * CHUNK)
    folder = store.path_of(first.sha256).parent
    store.path_of(first.sha256).unlink()
    folder.rmdir()
    again = store.put(io.BytesIO(b"a" * size), 10 * CHUNK)
    assert store.path_of(again.sha256).read_bytes() == b"a" * size
    assert list((tmp_path / "staging").glob("*")) == []
