"""Database engine, sessions and column types every service uses: SQLite (WAL) by default,
PostgreSQL in production and CI."""

from __future__ import annotations

import fcntl
import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, Insert, create_engine, event, insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, also on SQLite which stores no offset."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class TableModel(SQLModel):
    """Base of the table models: fills `default_factory` fields itself before SQLModel does.

    SQLModel builds a table row through pydantic's `FieldInfo.get_default`, which inspects the
    factory's signature on every call: ~60 us per factory field, most of the cost of creating a
    row on the request path. Calling the factories here gives the same values for a fifth of it.
    """

    def __init__(self, **data: Any) -> None:
        for name, factory in _factories(type(self)).items():
            if name not in data:
                data[name] = factory()
        super().__init__(**data)


def insert_row(session: Session, row: SQLModel) -> None:
    """Insert a new row of a table model by a Core statement in the session's transaction,
    without adding the object to the session: for a row only read afterwards (a document),
    the unit of work's flush cost more than the insert itself (py-spy: a tenth of an upload).
    The object stays outside the session: whoever changes the row must load it."""
    statement, columns = _inserts(type(row))
    session.connection().execute(statement, {name: getattr(row, key) for key, name in columns})


@functools.cache
def _inserts(cls: type[SQLModel]) -> tuple[Insert, tuple[tuple[str, str], ...]]:
    """A table model's insert statement, and each of its attributes with its column's name."""
    mapper = sa_inspect(cls)
    columns = tuple((attr.key, attr.columns[0].name) for attr in mapper.column_attrs)
    return insert(mapper.local_table), columns


_FACTORIES: dict[type, dict[str, Any]] = {}


def _factories(cls: type[SQLModel]) -> dict[str, Any]:
    found = _FACTORIES.get(cls)
    if found is None:
        found = {
            name: field.default_factory
            for name, field in cls.model_fields.items()
            if field.default_factory is not None
        }
        _FACTORIES[cls] = found
    return found


def make_engine(url: str, pool_size: int = 40) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=0,
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _: Any) -> None:
            # Let SQLAlchemy's BEGIN take effect (pysqlite otherwise defers it) and make
            # writers take the lock at BEGIN, so no transaction fails on lock upgrade.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # Writers begin IMMEDIATE: taking the write lock late fails at once in WAL mode
            # when another process (the relay) committed in between.
            # Sent on the driver's connection: through `exec_driver_sql` the statement went
            # through SQLAlchemy's whole execution path, about 5% of a short write's CPU.
            mode = conn.get_execution_options().get("sqlite_begin", "")
            conn.connection.driver_connection.execute(f"BEGIN {mode}".strip())

        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True)


_DEFERRED = "after_write"


def after_write(session: Session, work: Callable[[], None]) -> None:
    """Run `work` when `session`'s write is over: in a `Database.write_session`, after the
    writer's lock is released (what only follows a commit, such as a wake-up, need not keep
    the next writer waiting); in any other session, now."""
    deferred = session.info.get(_DEFERRED)
    if deferred is None:
        work()
    else:
        deferred.append(work)


class _WriterGate:
    """One SQLite writer at a time across threads *and* processes (the API, the relay and the
    worker write the same file). Waiters block on an OS file lock and wake the moment
    it is released, where SQLite's own busy handler would sleep 1, 2, 5, 10... ms between
    tries: under load those sleeps, not the writes, were most of a request's time."""

    def __init__(self, db_file: str) -> None:
        self._thread_lock = threading.Lock()
        self._path = f"{db_file}.writer-lock"
        self._fd: int | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._thread_lock:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Database:
    """Engine plus a writer gate for SQLite, which allows one writer: writers queue on a lock
    instead of spinning on SQLite's busy handler (which gives long p99 tails)."""

    def __init__(self, url: str, pool_size: int = 40) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size)
        self.is_sqlite = url.startswith("sqlite")
        db_file = self.engine.url.database if self.is_sqlite else None
        self._gate = _WriterGate(db_file) if db_file and db_file != ":memory:" else None

        self._writer_engine = (
            self.engine.execution_options(sqlite_begin="IMMEDIATE")
            if self.is_sqlite
            else self.engine
        )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reading."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A session for one short write transaction; the caller commits. What `after_write`
        defers runs once the writer's lock is released."""
        session = Session(self._writer_engine, expire_on_commit=False)
        session.info[_DEFERRED] = []
        try:
            if self._gate is None:
                with session:
                    yield session
            else:
                with self._gate.held(), session:
                    yield session
        finally:
            for work in session.info.pop(_DEFERRED, ()):
                work()

    def dispose(self) -> None:
        self.engine.dispose()
        if self._gate is not None:
            self._gate.close()
