"""Benchmark of the reporting service: the summary of one conference cycle over a read model of
1,000,000 agreements (and their consultations and duties), p50 and p99, on PostgreSQL and on
SQLite.

For each backend it makes a fresh database, migrates it, loads generated agreements spread over
cycles 18 to 22 (signed, in force, expired, terminated, drafts; every province, former unit,
field, dozens of partner countries and international organisations), the duties owed since the
law took effect (the signed copy, the report to the Prime Minister at provincial level, the
yearly plans, the notices of ends), re-counts the per-cycle figures the way a rebuild does
(timed too), then starts the reporting API under uvicorn and asks for summaries over HTTP, one
at a time: unfiltered (the ministries' view), filtered by province (a province's view), and by
field and by country (summed from the read model rather than the stored counts).

    .venv/bin/python bench/report.py                       # both backends, 1,000,000 rows
    .venv/bin/python bench/report.py --rows 100000 --backend sqlite

PostgreSQL is used when reachable at TEST_POSTGRES_URL (default postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common.auth import Principal, Role, TokenService  # noqa: E402
from common.bodies import BODIES  # noqa: E402
from common.db import Database  # noqa: E402
from common.devservers import (  # noqa: E402
    POSTGRES_ADMIN_URL,
    free_port,
    postgres_reachable,
    scratch_postgres_database,
    serving,
)
from common.fields import Field  # noqa: E402
from common.provinces import OLD_UNITS, successor  # noqa: E402
from services.reporting.__main__ import migrate_database  # noqa: E402
from services.reporting.models import (  # noqa: E402
    ReadAgreement,
    ReadConsultation,
    ReadDuty,
    table_of,
)
from services.reporting.projection import agreement_cycles, consultation_cycle, recount  # noqa: E402
from services.reporting.settings import ReportingSettings  # noqa: E402

COUNTRIES = [
    "KR",
    "JP",
    "CN",
    "LA",
    "KH",
    "US",
    "FR",
    "DE",
    "TH",
    "SG",
    "AU",
    "RU",
    "IN",
    "GB",
    "IT",
    "NL",
    "BE",
    "CH",
    "SE",
    "NO",
    "FI",
    "DK",
    "PL",
    "CZ",
    "HU",
    "AT",
    "ES",
    "PT",
    "CA",
    "MX",
    "BR",
    "AR",
    "CL",
    "NZ",
    "ZA",
    "EG",
    "NG",
    "KE",
    "IL",
    "AE",
    "SA",
    "TR",
    "IR",
    "MY",
    "ID",
    "PH",
    "MM",
    "BN",
    "TL",
    "MN",
    "KZ",
    "UZ",
    "CU",
    "VE",
]
STATUSES = ("IN_FORCE",) * 6 + ("EXPIRED", "TERMINATED", "SUSPENDED", "WITHDRAWN", "SIGNED")
PIPELINE = ("DRAFT", "SUBMITTED", "IN_CONSULTATION", "AWAITING_DECISION", "APPROVED", "REJECTED")
FORMS = ("MEMORANDUM_OF_UNDERSTANDING", "AGREEMENT", "COOPERATION_PROGRAMME", "LETTER_OF_INTENT")
LEVELS = ("PROVINCIAL_COMMITTEE", "PROVINCIAL_COUNCIL", "DEPARTMENT", "PROVINCIAL_ORG")
TYPES = ("LOCAL_GOVERNMENT", "AGENCY_OR_ORGANISATION", "STATE", "INTERNATIONAL_ORGANISATION")
OCCASIONS = (None, None, None, "Meet Japan", "Meet Korea", "Diễn đàn hợp tác")
CENTRAL_BODIES = [code for code, body in BODIES.items() if body.province is None]
LAW_IN_FORCE = date(2021, 7, 1)
ENDED = {"TERMINATED": "TERMINATION", "SUSPENDED": "SUSPENSION", "WITHDRAWN": "WITHDRAWAL"}


def _duty(
    calendar: Any,
    owner: str,
    province: str,
    duty: str,
    due: date,
    delivered: datetime | None,
    now: datetime,
) -> dict[str, Any]:
    return {
        "agreement_id": owner,
        "duty": duty,
        "due_on": due,
        "province": province,
        "delivered_at": delivered,
        "on_time": None if delivered is None else delivered.date() <= due,
        "received_at": None if delivered is None else delivered + timedelta(days=2),
        "cycle": calendar.number_of(due),
        "state_at": now,
    }


def _duties(
    rng: random.Random, calendar: Any, row: dict[str, Any], today: date, now: datetime
) -> list[dict[str, Any]]:
    """What the agreement owes: its copy, at provincial level the report, a yearly plan for
    each year it was in force, the notice of its end; nine in ten delivered once due."""
    signed = row["signed_on"]
    out: list[dict[str, Any]] = []

    def owe(owner: str, duty: str, due: date, **known: datetime | None) -> None:
        done = rng.random() < (0.9 if due < today else 0.3)
        delivered = (
            datetime(due.year, due.month, due.day, 3, tzinfo=UTC)
            + timedelta(days=rng.randint(-10, 8))
            if done
            else None
        )
        delivered = known.get("delivered", delivered)
        if delivered is not None and delivered > now:
            delivered = now
        out.append(_duty(calendar, owner, row["province"], duty, due, delivered, now))

    owe(row["id"], "COPY", row["copy_due_on"], delivered=row["copy_delivered_at"])
    if row["signatory_level"] in ("PROVINCIAL_COMMITTEE", "PROVINCIAL_COUNCIL"):
        owe(row["id"], "REPORT", row["copy_due_on"])
    if row["status"] in ("IN_FORCE", "SUSPENDED"):
        for year in range(signed.year + 1, today.year + 2):
            due = date(year - 1, 11, 15)
            if due > signed and due <= today + timedelta(days=30):
                owe(row["id"], "PLAN", due)
    if row["status"] in ENDED:
        ended = signed + timedelta(days=rng.randint(60, 900))
        if ended < today:
            # The notice is the ending case's duty; the case is not loaded here.
            owe(str(uuid.UUID(int=rng.getrandbits(128))), "NOTICE", ended + timedelta(days=15))
    return out


Rows = list[dict[str, Any]]


def _rows(count: int, seed: int = 1) -> tuple[Rows, Rows, Rows]:
    """Agreements signed from 2012 to today (about 1 in 10 still in the procedure), and
    consultations and duties for the ones that went through it since the law took effect;
    their cycles derived as a rebuild derives them before writing."""
    rng = random.Random(seed)
    calendar = ReportingSettings().calendar
    today = date.today()
    start = date(2012, 1, 1)
    span = (today - start).days
    old_units = sorted(OLD_UNITS)
    successors = {code: successor(code).code for code in old_units}  # type: ignore[union-attr]
    fields = [f.value for f in Field]
    now = datetime.now(UTC)
    agreements: Rows = []
    consultations: Rows = []
    duties: Rows = []
    for i in range(count):
        day = start + timedelta(days=rng.randrange(span))
        old = rng.choice(old_units)
        in_procedure = rng.random() < 0.1
        chosen = rng.sample(fields, rng.randint(1, 3))
        signed = None if in_procedure else day
        expires = day + timedelta(days=365 * rng.randint(1, 15)) if rng.random() < 0.7 else None
        created = datetime(day.year, day.month, day.day, 3, tzinfo=UTC)
        copy_due = day + timedelta(days=15) if signed and day >= LAW_IN_FORCE else None
        agreement_id = str(uuid.UUID(int=rng.getrandbits(128)))
        partner_type = rng.choice(TYPES)
        # An international organisation belongs to no country.
        country = "" if partner_type == "INTERNATIONAL_ORGANISATION" else rng.choice(COUNTRIES)
        agreements.append(
            {
                "id": agreement_id,
                "version": 1,
                "case_kind": "CONCLUSION",
                "parent_id": None,
                "status": rng.choice(PIPELINE) if in_procedure else rng.choice(STATUSES),
                "province": successors[old],
                "historical_unit": old if day < date(2025, 7, 1) else None,
                "title": f"Bản ghi nhớ hợp tác số {i}",
                "form": rng.choice(FORMS),
                "signatory_level": rng.choice(LEVELS),
                "partner_name": f"Partner {i}",
                "partner_country": country,
                "partner_type": partner_type,
                "fields": chosen,
                "fields_index": "|" + "|".join(chosen) + "|",
                "occasion": rng.choice(OCCASIONS),
                "reference": None,
                "imported": day < date(2021, 7, 1),
                "created_at": created,
                "submitted_at": created if in_procedure and rng.random() < 0.8 else None,
                "signed_on": signed,
                "effective_from": signed,
                "expires_on": expires if signed else None,
                "copy_due_on": copy_due,
                "copy_delivered_at": created + timedelta(days=rng.randint(1, 25))
                if copy_due and rng.random() < 0.9
                else None,
                "copy_on_time": None,
                "signed_cycle": None,
                "pipeline_cycle": None,
                "state_at": now,
            }
        )
        row = agreements[-1]
        row["signed_cycle"], row["pipeline_cycle"] = agreement_cycles(
            calendar, "CONCLUSION", signed, row["submitted_at"], created
        )
        if row["copy_delivered_at"] is not None:
            row["copy_on_time"] = row["copy_delivered_at"].date() <= copy_due
        if copy_due is not None:
            duties += _duties(rng, calendar, row, today, now)
        if day >= LAW_IN_FORCE and rng.random() < 0.3:
            for body in rng.sample(CENTRAL_BODIES, rng.randint(1, 3)):
                asked = created - timedelta(days=rng.randint(10, 40))
                answered = rng.random() < 0.9
                days = rng.randint(1, 12)
                consultations.append(
                    {
                        "task_id": str(uuid.UUID(int=rng.getrandbits(128))),
                        "agreement_id": agreement_id,
                        "province": row["province"],
                        "body": body,
                        "round": 1,
                        "requested_at": asked,
                        "due_at": asked + timedelta(days=9),
                        "answered_at": asked + timedelta(days=days) if answered else None,
                        "on_time": days <= 7 if answered else None,
                        "working_days_taken": days if answered else None,
                        "outcome": "AGREE" if answered else None,
                        "cycle": consultation_cycle(calendar, asked),
                        "state_at": now,
                    }
                )
    return agreements, consultations, duties


def load_read_model(url: str, rows: int) -> dict[str, float]:
    """Fill the reporting database at `url` with `rows` generated agreements (and their
    consultations and duties), re-count the cycles and analyze; the timings of each step."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    agreements, consultations, duties = _rows(rows)
    timings["generate_s"] = time.perf_counter() - started
    db = Database(url, pool_size=2)
    started = time.perf_counter()
    with db.write_session() as session:
        for table, data in (
            (table_of(ReadAgreement), agreements),
            (table_of(ReadConsultation), consultations),
            (table_of(ReadDuty), duties),
        ):
            for at in range(0, len(data), 20_000):
                session.execute(table.insert(), data[at : at + 20_000])
        session.commit()
    timings["insert_s"] = time.perf_counter() - started
    timings["consultations"] = len(consultations)
    timings["duties"] = len(duties)
    del agreements, consultations, duties
    started = time.perf_counter()
    settings = ReportingSettings(reporting_database_url=url)
    with db.write_session() as session:
        recount(session, settings.calendar)
        session.commit()
    timings["recount_s"] = time.perf_counter() - started
    # What autovacuum and autoanalyze do on a live server; SQLite gets its planner statistics.
    started = time.perf_counter()
    if url.startswith("sqlite"):
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    timings["analyze_s"] = time.perf_counter() - started
    db.dispose()
    return timings


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0] * 1000
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return cuts[min(98, max(0, round(p) - 1))] * 1000


def _measure(url: str, cycle: int, requests: int) -> dict[str, dict[str, float]]:
    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "REPORTING_DATABASE_URL": url,
            "REPORTING_PORT": str(port),
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "WARNING",
        }
    )
    with serving("reporting", env, port, cwd=ROOT):
        token = TokenService(ReportingSettings()).issue(
            Principal("bench@system", Role.OPERATOR, "system")
        )
        headers = {"Authorization": f"Bearer {token}"}
        results: dict[str, dict[str, float]] = {}
        views = {
            "all provinces": ({}, requests),
            "one province": ({"province": "ha-noi"}, requests),
            "field filter": ({"field": "education"}, max(10, requests // 10)),
            "country filter": ({"country": "JP"}, max(10, requests // 10)),
        }
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            for name, (params, count) in views.items():
                for _ in range(3):  # warm-up: connection, plans, caches
                    client.get(f"/v1/cycles/{cycle}/summary", params=params, headers=headers)
                latencies = []
                signed = duties = 0
                for _ in range(count):
                    started = time.perf_counter()
                    r = client.get(f"/v1/cycles/{cycle}/summary", params=params, headers=headers)
                    latencies.append(time.perf_counter() - started)
                    r.raise_for_status()
                    body = r.json()
                    signed = body["headline"]["agreements_signed"]["value"]
                    duties = sum(d["due"]["value"] for d in body["post_signing_duties"])
                results[name] = {
                    "requests": count,
                    "signed_in_cycle": signed,
                    "duties_due_in_cycle": duties,
                    "p50_ms": round(_pct(latencies, 50), 1),
                    "p99_ms": round(_pct(latencies, 99), 1),
                    "max_ms": round(max(latencies) * 1000, 1),
                }
        return results


def run_backend(backend: str, rows: int, cycle: int, requests: int) -> None:
    with ExitStack() as scratch:
        if backend == "sqlite":
            folder = scratch.enter_context(tempfile.TemporaryDirectory(prefix="bench-reporting-"))
            url = f"sqlite:///{folder}/reporting.db"
        else:
            url = scratch.enter_context(scratch_postgres_database("bench_reporting"))
        migrate_database(url)
        print(f"\n== {backend}: loading {rows:,} agreements ...", flush=True)
        load = load_read_model(url, rows)
        print(
            "   generated in {generate_s:.0f}s, inserted in {insert_s:.0f}s "
            "({consultations:,.0f} consultations, {duties:,.0f} duties), re-counted in "
            "{recount_s:.0f}s, "
            "analyzed in {analyze_s:.0f}s".format(**load),
            flush=True,
        )
        results = _measure(url, cycle, requests)
        print(f"   summary of cycle {cycle} over HTTP, one request at a time:")
        print(
            f"   {'view':<16}{'requests':>9}{'signed':>9}{'duties':>9}"
            f"{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        )
        for view, r in results.items():
            print(
                f"   {view:<16}{r['requests']:>9.0f}{r['signed_in_cycle']:>9.0f}"
                f"{r['duties_due_in_cycle']:>9.0f}"
                f"{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{r['max_ms']:>9.1f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cycle", type=int, default=21)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    backends = ["postgresql", "sqlite"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and not postgres_reachable():
        print(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: SQLite only")
        backends = ["sqlite"]
    for backend in backends:
        run_backend(backend, args.rows, args.cycle, args.requests)


if __name__ == "__main__":
    main()
