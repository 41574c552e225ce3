"""What one follow of a task has handed on, so a FollowTask stream opened again after its master
died (the channel has moved to another master) replays nothing twice: the new stream sends the
stored output from its start, each execution's stdout and stderr being one ordered byte
sequence, so the bytes already handed on are skipped, and statuses already seen too. Used by the
gateway (gateway/follow.py) and `jobfleet run` (jobfleet/cli/client.py)."""

from __future__ import annotations

from jobfleet.v1 import task_pb2

MAX_RESUMES = 5
"""Breaks one follow rides out; past them the UNAVAILABLE reaches the caller."""


class Relayed:
    """What one follow has handed on: output bytes per (execution, stderr), statuses seen.
    `fresh` turns a reply of a new stream into what is new to the client (None: nothing)."""

    def __init__(self) -> None:
        self._bytes: dict[tuple[int, bool], int] = {}
        self._statuses: set[tuple[int, int]] = set()
        self._replayed: dict[tuple[int, bool], int] = {}

    def new_stream(self) -> None:
        """A stream starts again from the beginning of the log."""
        self._replayed = {}

    def fresh(self, reply: task_pb2.FollowTaskResponse) -> task_pb2.FollowTaskResponse | None:
        body = reply.WhichOneof("body")
        if body == "output":
            out = reply.output
            key = (out.execution_id, out.stderr)
            start = self._replayed.get(key, 0)
            end = start + len(out.data)
            self._replayed[key] = end
            done = self._bytes.get(key, 0)
            if end <= done:
                return None
            self._bytes[key] = end
            if start >= done:
                return reply
            trimmed = task_pb2.FollowTaskResponse()
            trimmed.CopyFrom(reply)
            trimmed.output.data = out.data[done - start :]
            return trimmed
        if body == "execution":
            seen = (reply.execution.id, reply.execution.status)
            if seen in self._statuses:
                return None
            self._statuses.add(seen)
        return reply
