"""What the current log line belongs to: request id, user and view, kept in context variables.

Set by the request middleware for a request and by the Huey hooks for a task (a task gets
the request id of the request that enqueued it), read by ``logs.ContextFilter``.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import empty

# Accepted from X-Request-ID as it is (a proxy's or a load balancer's id); anything else is replaced.
_VALID_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass
class LogContext:
    request_id: str = ""
    view: str = ""
    request: Any = None  # the HttpRequest: its user is read only once the request itself has loaded it
    task: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def user_id(self) -> int | None:
        user = getattr(self.request, "user", None)
        wrapped = getattr(user, "_wrapped", user)  # request.user is lazy: never load it just to log
        if wrapped is empty or wrapped is None:
            return None
        return getattr(wrapped, "pk", None)


_current: ContextVar[LogContext | None] = ContextVar("bozor_log_context", default=None)


def current() -> LogContext | None:
    return _current.get()


def activate(context: LogContext | None):
    """Make ``context`` current; returns the token to ``deactivate`` with."""
    return _current.set(context)


def deactivate(token) -> None:
    _current.reset(token)


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_from(header: str | None) -> str:
    """The incoming ``X-Request-ID`` when it looks like an id, else a fresh one."""
    if header and _VALID_ID.match(header):
        return header
    return new_request_id()
