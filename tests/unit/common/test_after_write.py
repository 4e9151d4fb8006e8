"""What only follows a commit (the relay's wake-up) runs once the SQLite writer's lock is
free, so the next writer does not wait on it; outside a write session it runs at once."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from sqlalchemy import text

from common.db import Database, after_write


def lock_is_free(db_file: Path) -> bool:
    fd = os.open(f"{db_file}.writer-lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def test_deferred_work_runs_after_the_writers_lock_is_released(tmp_path: Path) -> None:
    db_file = tmp_path / "a.db"
    db = Database(f"sqlite:///{db_file}")
    seen: list[bool] = []
    try:
        with db.write_session() as session:
            session.execute(text("CREATE TABLE t (x INTEGER)"))
            session.commit()
            after_write(session, lambda: seen.append(lock_is_free(db_file)))
            assert seen == []
            assert not lock_is_free(db_file)
        assert seen == [True]
    finally:
        db.dispose()


def test_outside_a_write_session_the_work_runs_now(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    seen: list[int] = []
    try:
        with db.session() as session:
            after_write(session, lambda: seen.append(1))
            assert seen == [1]
    finally:
        db.dispose()
