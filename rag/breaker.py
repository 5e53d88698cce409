"""A small circuit breaker: after N consecutive failures skip the guarded call for a cool-down.

closed ──N failures──▶ open ──cool-down over──▶ half-open (one probe call)
  ▲                                                 │ success → closed
  └─────────────────────────────────────────────────┘ failure → open again

While open (and while a half-open probe is in flight) ``allow()`` is False, so callers answer
another way at once instead of waiting on a backend that is known to be failing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal

State = Literal["closed", "open", "half_open"]
Admission = Literal["call", "probe"]


class CircuitBreaker:
    """Thread-safe failure counter that opens after ``failures`` consecutive failures."""

    def __init__(
        self, *, failures: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.failures = max(1, failures)
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._consecutive = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> State:
        """closed, open, or half_open (cool-down over, a probe may run)."""
        with self._lock:
            return self._state()

    def allow(self) -> bool:
        """True when a call may go ahead; in half-open state only one caller gets True."""
        return self.admit() is not None

    def admit(self) -> Admission | None:
        """"call" while closed, "probe" for the one caller let through after the cool-down, else None."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return "call"
            if state == "half_open" and not self._probing:
                self._probing = True
                return "probe"
            return None

    def available(self) -> bool:
        """True unless the breaker is open (a probe is due or the circuit is closed)."""
        return self.state != "open"

    def record_success(self) -> None:
        with self._lock:
            self._consecutive = 0
            self._opened_at = None
            self._probing = False

    def release(self) -> None:
        """A call ended without a verdict (e.g. the caller went away): let another probe run."""
        with self._lock:
            self._probing = False

    def record_failure(self) -> None:
        with self._lock:
            self._consecutive += 1
            if self._probing or self._consecutive >= self.failures:
                self._opened_at = self._clock()
            self._probing = False

    def _state(self) -> State:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at < self.cooldown_s:
            return "open"
        return "half_open"
