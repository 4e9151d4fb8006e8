"""The background half of the service: the event consumer and the delivery dispatcher, each
in its own thread, started again after a failure with the shared retry policy."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from tenacity import RetryCallState

from common.db import Database
from common.kafka import ensure_topics
from common.retry import POLICY, RetryPolicy, Stopped, is_unavailable, last_error
from services.notifications.consumer import ConsumerStopping, NotificationConsumer
from services.notifications.delivery.dispatcher import Dispatcher
from services.notifications.metrics import NotificationMetrics
from services.notifications.rendering import Renderer
from services.notifications.settings import NotificationsSettings

log = logging.getLogger(__name__)


def supervise(
    name: str,
    loop: Callable[[threading.Event], None],
    stop: threading.Event,
    *,
    policy: RetryPolicy = POLICY,
) -> None:
    """Run `loop(stop)` until `stop` is set, starting it again after a failure with the shared
    policy's backoff: a dependency that is away (the broker at start, the database) is waited
    out for as long as it lasts, anything else is logged with its traceback. Returns once
    `stop` is set, also in the middle of a wait."""

    def failed(state: RetryCallState) -> None:
        exc = last_error(state)
        if exc is not None and is_unavailable(exc):
            log.warning(
                "notifications %s: a dependency is away (%s); restarting in %.1fs",
                name,
                exc,
                state.upcoming_sleep,
            )
        else:
            log.error(
                "notifications %s failed; restarting in %.1fs",
                name,
                state.upcoming_sleep,
                exc_info=exc,
            )

    try:
        while not stop.is_set():
            policy.until_done(lambda: loop(stop), stop, before_sleep=failed)
    except Stopped:
        pass


class Worker:
    def __init__(
        self,
        settings: NotificationsSettings,
        db: Database,
        renderer: Renderer,
        metrics: NotificationMetrics,
    ) -> None:
        self.settings = settings
        self.stop_event = threading.Event()
        self.dispatcher = Dispatcher(settings, db, renderer, metrics)
        self.consumer = NotificationConsumer(
            settings,
            db,
            renderer,
            metrics,
            stop=self.stop_event,
            dispatcher=self.dispatcher,
        )
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._threads = [
            threading.Thread(
                target=supervise,
                args=("consumer", self._consume, self.stop_event),
                name="notifications-consumer",
                daemon=True,
            ),
            threading.Thread(
                target=supervise,
                args=("dispatcher", self.dispatcher.run, self.stop_event),
                name="notifications-dispatcher",
                daemon=True,
            ),
        ]
        for thread in self._threads:
            thread.start()

    def _consume(self, stop: threading.Event) -> None:
        # The embedded broker forgets topics on restart; a consumer subscribed to a missing
        # topic would only notice it at its next metadata refresh, minutes later.
        ensure_topics(self.settings)
        try:
            self.consumer.run(stop)
        except ConsumerStopping:
            log.info("consumer stopped while the database was unreachable; will resume")
        finally:
            self.consumer.close()

    @property
    def alive(self) -> bool:
        return bool(self._threads) and all(t.is_alive() for t in self._threads)

    def stop(self, timeout_s: float = 15.0) -> None:
        self.stop_event.set()
        self.dispatcher.wake.set()
        for thread in self._threads:
            thread.join(timeout_s)
