"""GetTask's answers as built, by etag: a task polled while unchanged is answered from the view
cache (master/tasks/viewcache.py) and its message is built once, not at each poll. An etag
names one state of a task (every column shown, hashed), so its message is the same for any
caller allowed to see it; who may see it is checked before (TaskQueries)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from jobfleet.v1 import task_pb2

MAX_ANSWERS = 1024


class RenderedAnswers:
    """The last MAX_ANSWERS answers built, the least recently used dropped first."""

    def __init__(self, size: int = MAX_ANSWERS) -> None:
        self.size = size
        self._answers: OrderedDict[str, task_pb2.GetTaskResponse] = OrderedDict()

    def get(
        self, etag: str, build: Callable[[], task_pb2.GetTaskResponse]
    ) -> task_pb2.GetTaskResponse:
        answer = self._answers.get(etag)
        if answer is not None:
            self._answers.move_to_end(etag)
            return answer
        answer = self._answers[etag] = build()
        if len(self._answers) > self.size:
            self._answers.popitem(last=False)
        return answer
