"""FollowTask that survives its master: a stream cut by UNAVAILABLE (the master died; with
several masters the channel has moved to another) is opened again, and what the client already
got is not sent twice.

The stream has no position to resume from, so the new one replays the stored output from its
start; each execution's stdout and stderr are one ordered byte sequence, so the bytes of each
already relayed are skipped, and a status change already relayed is not relayed again. Only
UNAVAILABLE resumes: a refusal or a deadline ends the follow as before.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from typing import Any

import grpc

from jobfleet.followed import MAX_RESUMES, Relayed
from jobfleet.v1 import task_pb2, task_pb2_grpc

__all__ = ["MAX_RESUMES", "Relayed", "follow_task"]

logger = logging.getLogger(__name__)


async def follow_task(
    stub: task_pb2_grpc.TaskServiceStub, ask: task_pb2.FollowTaskRequest, **call: Any
) -> AsyncGenerator[task_pb2.FollowTaskResponse]:
    """FollowTask's replies (with `call`'s keywords, e.g. timeout), resumed on UNAVAILABLE up
    to MAX_RESUMES times without repeating output or statuses; ends after the final task."""
    relayed = Relayed()
    resumes = 0
    while True:
        relayed.new_stream()
        stream = stub.FollowTask(ask, **call)
        try:
            async for reply in stream:
                fresh = relayed.fresh(reply)
                if fresh is not None:
                    yield fresh
                if reply.WhichOneof("body") == "task":
                    return
            return
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.UNAVAILABLE or resumes >= MAX_RESUMES:
                raise
            resumes += 1
            logger.info("follow of task %s broke (%s); resuming", ask.uuid, exc.details())
        finally:
            stream.cancel()
