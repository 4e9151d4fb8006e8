"""The background half of the service: the event consumer and the delivery dispatcher, each
in its own thread, restarted after an unexpected failure."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from common.db import Database
from common.kafka import ensure_topics
from services.notifications.consumer import ConsumerStopping, NotificationConsumer
from services.notifications.delivery.dispatcher import Dispatcher
from services.notifications.metrics import NotificationMetrics
from services.notifications.rendering import Renderer
from services.notifications.settings import NotificationsSettings

log = logging.getLogger(__name__)


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
            on_outgoing=self.dispatcher.wake.set,
        )
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._threads = [
            threading.Thread(
                target=self._supervise,
                args=("consumer", self._consume),
                name="notifications-consumer",
                daemon=True,
            ),
            threading.Thread(
                target=self._supervise,
                args=("dispatcher", self.dispatcher.run),
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

    def _supervise(self, name: str, loop: Callable[[threading.Event], None]) -> None:
        backoff = 1.0
        while not self.stop_event.is_set():
            try:
                loop(self.stop_event)
            except Exception:
                log.exception("notifications %s failed; restarting in %.0fs", name, backoff)
                self.stop_event.wait(backoff)
                backoff = min(backoff * 2, 30.0)

    @property
    def alive(self) -> bool:
        return bool(self._threads) and all(t.is_alive() for t in self._threads)

    def stop(self, timeout_s: float = 15.0) -> None:
        self.stop_event.set()
        self.dispatcher.wake.set()
        for thread in self._threads:
            thread.join(timeout_s)
