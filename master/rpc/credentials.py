"""What the master remembers of project tokens it has checked, and the budget for checking
tokens it does not know. The policy is explained on auth.py::Authenticator."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")

TRUSTED_FOR = 10.0  # seconds a token found valid is taken without asking the database again
REMEMBERED_FOR = 3600.0  # seconds a token once valid keeps its priority for a fresh check
REFUSED_FOR = 60.0  # seconds a token found unknown is refused without asking the database
MAX_ENTRIES = 10_000  # of each memory: valid tokens, unknown tokens
UNKNOWN_PER_SECOND = 50.0  # unknown tokens looked up per second, sustained...
UNKNOWN_BURST = 200.0  # ...and at once


@dataclass(frozen=True)
class Found:
    """A token found valid: who it is, and when the database said so."""

    project_id: int
    token_id: int
    checked_at: float


class Expiring(Generic[V]):
    """A bounded map whose entries expire `ttl` seconds after they were put; the oldest entry
    goes first when it is full."""

    def __init__(self, ttl: float, size: int, clock: Callable[[], float]) -> None:
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._items: OrderedDict[str, tuple[float, V]] = OrderedDict()

    def get(self, key: str) -> V | None:
        item = self._items.get(key)
        if item is None:
            return None
        if self.clock() - item[0] > self.ttl:
            del self._items[key]
            return None
        return item[1]

    def put(self, key: str, value: V) -> None:
        self._items.pop(key, None)
        self._items[key] = (self.clock(), value)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def pop(self, key: str) -> None:
        self._items.pop(key, None)

    def drop(self, matches: Callable[[V], bool]) -> None:
        for key in [k for k, (_, v) in self._items.items() if matches(v)]:
            del self._items[key]


class Bucket:
    """A token bucket: `take()` is False while empty, `give()` returns one."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._tokens = burst
        self._at = clock()

    def take(self) -> bool:
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True

    def give(self) -> None:
        self._tokens = min(self.burst, self._tokens + 1.0)


class Memory:
    """Tokens known valid (by digest, with when they were checked) and tokens known unknown."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.valid: Expiring[Found] = Expiring(REMEMBERED_FOR, MAX_ENTRIES, clock)
        self.unknown: Expiring[bool] = Expiring(REFUSED_FOR, MAX_ENTRIES, clock)
        self.budget = Bucket(UNKNOWN_PER_SECOND, UNKNOWN_BURST, clock)
        self.generation = 0  # bumped by every forget: a lookup begun before it is not kept

    def trusted(self, digest: str) -> Found | None:
        """The token's identity, when the database said it is valid in the last TRUSTED_FOR s."""
        found = self.valid.get(digest)
        if found is None or self.clock() - found.checked_at > TRUSTED_FOR:
            return None
        return found

    def forget_token(self, token_id: int) -> None:
        """The token was deleted: it must stop working now."""
        self.generation += 1
        self.valid.drop(lambda found: found.token_id == token_id)

    def forget_unknown(self, digest: str) -> None:
        """The token was just created: it must work now, even if it was tried before."""
        self.generation += 1
        self.unknown.pop(digest)
