"""Deliveries the consumer creates are leased to its process's dispatcher from the start and
handed to it after the commit, so they are sent without being claimed from the table; the
lease keeps every other dispatcher off them, and when their sender died (or held them too
long) they fall due like any claimed delivery whose lease ran out."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from common.events.types import EventType
from services.notifications import notify
from services.notifications.models import Delivery
from tests.integration.notifications.conftest import Service, wait_until
from tests.unit.notifications.samples import event

pytestmark = pytest.mark.integration


def _create(service: Service, lease: notify.Lease) -> tuple[str, list[notify.Leased]]:
    """An event's notifications created under `lease`, as the consumer does, and committed."""
    ev = event(EventType.AGREEMENT_PLAN_DUE, province="ca-mau")
    dispatcher = service.app.state.worker.dispatcher
    with service.db.write_session() as session:
        [created] = notify.notify_all(
            session, events=[ev], renderer=dispatcher.renderer, lease=lease
        )
        session.commit()
    assert created.email and len(created.leased) == created.email + created.webhook
    return ev.id, created.leased


def _deliveries(service: Service, event_id: str) -> list[Delivery]:
    with service.db.session() as session:
        return list(session.exec(select(Delivery).where(Delivery.event_id == event_id)).all())


def test_what_the_consumer_creates_is_leased_handed_over_and_sent_once(service: Service) -> None:
    ev = event(EventType.AGREEMENT_PLAN_DUE, province="dong-thap")
    service.publish(ev)
    service.processed(ev.id)
    mails = wait_until(lambda: service.mail.for_event(ev.id))
    deliveries = wait_until(
        lambda: [d for d in _deliveries(service, ev.id) if d.status == "delivered"] or None
    )
    assert all(d.attempts == 1 and d.lease_token is None for d in deliveries)
    time.sleep(0.3)  # several of the test dispatcher's 0.05 s claims later: nothing again
    assert len(service.mail.for_event(ev.id)) == len(mails)


def test_a_delivery_leased_to_a_live_sender_is_left_to_it(service: Service) -> None:
    # Created under another process's lease (it is about to send them): no claim takes them.
    lease = notify.Lease("someone-else", datetime.now(UTC) + timedelta(minutes=2))
    event_id, _ = _create(service, lease)
    time.sleep(0.5)
    assert service.mail.for_event(event_id) == []
    assert {d.lease_token for d in _deliveries(service, event_id)} == {"someone-else"}


def test_deliveries_whose_sender_died_are_sent_when_their_lease_runs_out(
    service: Service,
) -> None:
    # Created and committed, never handed over (the process died): due when the lease ends.
    lease = notify.Lease("died", datetime.now(UTC) + timedelta(seconds=1))
    event_id, _ = _create(service, lease)
    assert service.mail.for_event(event_id) == []
    [mail] = wait_until(lambda: service.mail.for_event(event_id), 10)
    assert mail["X-Agreements-Event-Id"] == event_id
    [delivery] = wait_until(
        lambda: [d for d in _deliveries(service, event_id) if d.status == "delivered"] or None
    )
    assert delivery.attempts == 1


def test_a_handed_over_delivery_whose_lease_is_half_gone_is_left_to_the_table(
    service: Service,
) -> None:
    # Handed over too late (its lease nearly over): the dispatcher does not send it under that
    # lease, which could run out mid-send; it is claimed, and sent once, after the lease.
    dispatcher = service.app.state.worker.dispatcher
    lease = notify.Lease("late", datetime.now(UTC) + timedelta(seconds=1))
    event_id, leased = _create(service, lease)
    dispatcher.hand_over(leased)
    time.sleep(0.5)
    assert service.mail.for_event(event_id) == []
    wait_until(lambda: service.mail.for_event(event_id), 10)
    time.sleep(0.3)
    assert len(service.mail.for_event(event_id)) == 1
    [delivery] = _deliveries(service, event_id)
    assert delivery.status == "delivered" and delivery.attempts == 1


def test_a_stopping_dispatcher_gives_up_the_leases_of_what_it_did_not_start(
    service: Service,
) -> None:
    # A second dispatcher (another process) is handed deliveries and stops before its loop
    # ever ran: the running one sends them at once, not two minutes later.
    from services.notifications.delivery.dispatcher import Dispatcher

    running = service.app.state.worker.dispatcher
    stopping = Dispatcher(service.settings, service.db, running.renderer, running.metrics)
    event_id, leased = _create(service, stopping.new_lease())
    stopping.hand_over(leased)
    time.sleep(0.3)
    assert service.mail.for_event(event_id) == []  # leased to the one that is not running
    stopping.close()
    assert {d.lease_token for d in _deliveries(service, event_id)} != {leased[0].row["lease_token"]}
    wait_until(lambda: service.mail.for_event(event_id), 5)


def test_deliveries_handed_to_a_dispatcher_that_already_stopped_are_released_at_once(
    service: Service,
) -> None:
    # The consumer committed a batch just as its process stops: the dispatcher has closed, so
    # the hand-over gives the leases up itself, and the running dispatcher sends them.
    from services.notifications.delivery.dispatcher import Dispatcher

    running = service.app.state.worker.dispatcher
    stopped = Dispatcher(service.settings, service.db, running.renderer, running.metrics)
    stopped.close()
    event_id, leased = _create(service, stopped.new_lease())
    stopped.hand_over(leased)
    assert {d.lease_token for d in _deliveries(service, event_id)} != {leased[0].row["lease_token"]}
    wait_until(lambda: service.mail.for_event(event_id), 5)
