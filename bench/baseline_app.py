"""Bare FastAPI + SQLModel app with one table: the baseline bench/submit.py compares with."""

from __future__ import annotations

import argparse
import os
import threading
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, asynccontextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import Engine, create_engine, event, text
from sqlmodel import Field, Session, SQLModel


class Item(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class ItemCreate(BaseModel):
    title: str


def make_engine(db_file: Path) -> Engine:
    # Same SQLite settings as the agreements service (services/agreements/db.py): WAL,
    # synchronous=NORMAL, a pool sized to Starlette's 40-token thread pool (infra.md: the
    # default 5+10 pool deadlocks near 50 concurrent requests).
    engine = create_engine(
        f"sqlite:///{db_file}",
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=40,
        max_overflow=0,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    return engine


def create_app(db_file: Path, write_lock: bool = True) -> FastAPI:
    engine = make_engine(db_file)
    SQLModel.metadata.create_all(engine)
    # SQLite has one writer. Without an in-process lock, 40 threads contend on the file lock
    # and SQLite's busy handler sleeps (1..100 ms back-off): the baseline would then measure
    # those sleeps and flatter the ratio. The agreements service funnels writers the same way.
    lock: AbstractContextManager[Any] = threading.Lock() if write_lock else nullcontext()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(lifespan=lifespan, title="bench baseline")

    @app.post("/items", status_code=201, response_model=Item)
    def create_item(body: ItemCreate) -> Item:
        item = Item(title=body.title)
        with lock, Session(engine, expire_on_commit=False) as session:
            session.add(item)
            session.commit()
        return item

    @app.get("/readyz")
    def readyz() -> dict[str, str]:
        with Session(engine) as session:
            session.connection().execute(text("SELECT 1"))
        return {"status": "ready"}

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", type=Path, required=True, help="SQLite file (created if absent)")
    parser.add_argument(
        "--no-write-lock",
        action="store_true",
        default=os.environ.get("BASELINE_WRITE_LOCK", "1") == "0",
        help="let writer threads contend on SQLite's file lock instead of an in-process lock",
    )
    args = parser.parse_args()
    app = create_app(args.db.resolve(), write_lock=not args.no_write_lock)
    # Same uvicorn settings as `python -m services.agreements serve`: one worker, auto loop
    # and HTTP parser (uvloop, httptools), no access log.
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
