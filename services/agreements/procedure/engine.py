"""People's actions on a running procedure, sent to the agreement's workflow as Temporal
updates: the workflow's validator answers at once, so the caller gets the new state or a
definite refusal, never "accepted, we'll see"."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from common.auth import Principal
from common.settings import CommonSettings
from common.temporal import connect
from services.agreements.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ServiceError,
    ServiceUnavailable,
)
from workflows.lifecycle import contracts as c

log = logging.getLogger(__name__)

# How long a person waits for the workflow's answer before being told to retry.
UPDATE_TIMEOUT = timedelta(seconds=20)

# The workflow's refusal -> (HTTP problem, wording in errors.py).
_REFUSALS: dict[str, tuple[type[ServiceError], str]] = {
    c.Refusal.NOT_ASSIGNEE: (Forbidden, "not_assignee"),
    c.Refusal.TASK_UNKNOWN: (NotFound, "task_not_found"),
    c.Refusal.TASK_CLOSED: (Conflict, "task_closed"),
    c.Refusal.TASK_PAUSED: (Conflict, "task_paused"),
    c.Refusal.ALREADY_ANSWERED: (Conflict, "already_answered"),
    c.Refusal.WRONG_PHASE: (Conflict, "wrong_phase"),
    c.Refusal.INVALID_OUTCOME: (Conflict, "wrong_phase"),
    c.Refusal.TASK_CLAIMED: (Conflict, "task_held"),
}


def actor(principal: Principal) -> c.Actor:
    """The signed-in person as the workflow records who acted."""
    return c.Actor(subject=principal.subject, role=principal.role, org=principal.org)


class Engine:
    """One Temporal client per API process, connected on first use."""

    def __init__(self, settings: CommonSettings) -> None:
        self.settings = settings
        self._client: Client | None = None
        self._lock = asyncio.Lock()

    async def client(self) -> Client:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    try:
                        self._client = await connect(self.settings)
                    except Exception as exc:  # connection errors come in several types
                        log.warning("cannot reach Temporal: %s", exc)
                        raise ServiceUnavailable("engine_unavailable") from exc
        return self._client

    async def update(
        self, agreement_id: str, name: str, arg: Any, *, update_id: str | None = None
    ) -> c.UpdateResult:
        result: c.UpdateResult = await self.execute(
            agreement_id, name, arg, c.UpdateResult, update_id=update_id
        )
        return result

    async def execute(
        self,
        agreement_id: str,
        name: str,
        arg: Any,
        result_type: type[Any],
        *,
        update_id: str | None = None,
    ) -> Any:
        """An update with its own answer type: the workflow's answer, or its refusal as the
        service's problem."""
        client = await self.client()
        handle = client.get_workflow_handle(c.workflow_id(agreement_id))
        try:
            return await handle.execute_update(
                name,
                arg,
                id=update_id,
                result_type=result_type,
                rpc_timeout=UPDATE_TIMEOUT,
            )
        except WorkflowUpdateFailedError as exc:
            raise _refusal(exc.cause) from exc
        except WorkflowUpdateRPCTimeoutOrCancelledError as exc:
            raise ServiceUnavailable("engine_unavailable") from exc
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                raise Conflict("no_procedure", id=agreement_id) from exc
            log.warning("update %s on %s failed: %s", name, agreement_id, exc)
            raise ServiceUnavailable("engine_unavailable") from exc

    async def is_reachable(self) -> bool:
        try:
            client = await self.client()
            await client.service_client.check_health(timeout=timedelta(seconds=1))
            return True
        except Exception:  # any failure means not reachable
            return False


def _refusal(cause: BaseException | None) -> ServiceError:
    if isinstance(cause, ApplicationError) and cause.type in _REFUSALS:
        problem, code = _REFUSALS[cause.type]
        return problem(code, id="")
    log.error("unexpected update failure: %r", cause)
    return ServiceUnavailable("engine_unavailable")
