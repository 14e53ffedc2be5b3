"""Failed logins throttled per client address: after a few failures, each further try waits twice as long.

An ASGI middleware around the app: it watches POST /login answers (400 = wrong password) and refuses
a client's login attempts with 429 until its delay has passed. Addresses are forgotten after a success
or when their delay has long expired, so the table stays small.
"""

from __future__ import annotations

import json
import threading
import time

FREE_FAILURES = 5  # failures before the first delay
FIRST_DELAY_S = 1.0
MAX_DELAY_S = 300.0
FORGET_AFTER_S = 3600.0


class LoginThrottle:
    """Per client address: from the FREE_FAILURES-th wrong password on, wait 1, 2, 4, … s (at most MAX_DELAY_S) between tries."""

    def __init__(self, app, *, clock=time.monotonic):
        self.app = app
        self.clock = clock
        self._failures: dict[str, tuple[int, float]] = {}  # address -> (failures, earliest next try)
        self._lock = threading.Lock()

    def wait_left(self, address: str) -> float:
        """Seconds before `address` may try to log in again (0 when it may now)."""
        with self._lock:
            _, allowed_at = self._failures.get(address, (0, 0.0))
        return max(0.0, allowed_at - self.clock())

    def record(self, address: str, *, success: bool) -> None:
        now = self.clock()
        with self._lock:
            if success:
                self._failures.pop(address, None)
                return
            failures = self._failures.get(address, (0, 0.0))[0] + 1
            over = failures - FREE_FAILURES  # the fifth failure holds the next try 1 s, the sixth 2 s, ...
            delay = 0.0 if over < 0 else min(MAX_DELAY_S, FIRST_DELAY_S * 2**over)
            self._failures[address] = (failures, now + delay)
            if len(self._failures) > 10_000:  # forget addresses whose delay expired long ago
                self._failures = {a: v for a, v in self._failures.items() if v[1] > now - FORGET_AFTER_S}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"].rstrip("/") != "/login":
            await self.app(scope, receive, send)
            return
        address = (scope.get("client") or ("unknown", 0))[0]
        left = self.wait_left(address)
        if left > 0:
            body = json.dumps({"detail": f"Too many failed logins; try again in {left:.0f} s."}).encode()
            await send({"type": "http.response.start", "status": 429,
                        "headers": [(b"content-type", b"application/json"), (b"retry-after", str(int(left) + 1).encode())]})
            await send({"type": "http.response.body", "body": body})
            return

        async def watch(message):
            if message["type"] == "http.response.start" and message["status"] in (200, 400):
                self.record(address, success=message["status"] == 200)
            await send(message)

        await self.app(scope, receive, watch)
