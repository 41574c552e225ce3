"""NotifyService: a project's notify users and webhook, the global environment (no project:
the admin token only, auth.py), and a task's deliveries; a thin adapter over master/notify."""

from __future__ import annotations

from typing import Any

from jobfleet.v1 import notify_pb2 as pb
from jobfleet.v1 import notify_pb2_grpc
from master.notify.service import Notify
from master.rpc.context import Context
from master.rpc.convert.timestamps import timestamp
from master.rpc.errors import unary


def user_message(row: Any) -> pb.NotifyUser:
    return pb.NotifyUser(
        id=row.id,
        user=row.user,
        create_user=row.create_user,
        create_time=timestamp(row.create_time),
    )


def delivery_message(row: Any, tries: list[Any], event: str) -> pb.Delivery:
    return pb.Delivery(
        id=row.id,
        channel=row.channel,
        recipient=row.recipient,
        address=row.address,
        subject=row.subject,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        next_attempt_at=timestamp(row.next_attempt_at) if row.status == "pending" else None,
        sent_at=timestamp(row.sent_at),
        created_at=timestamp(row.created_at),
        tries=[
            pb.DeliveryAttempt(
                number=t.number, time=timestamp(t.started_at), ok=t.ok, detail=t.detail
            )
            for t in tries
        ],
        event=event,
    )


class NotifyServicer(notify_pb2_grpc.NotifyServiceServicer):
    def __init__(self, notify: Notify) -> None:
        self.notify = notify

    @unary
    async def ListNotifyUsers(
        self, request: pb.ListNotifyUsersRequest, context: Context
    ) -> pb.ListNotifyUsersResponse:
        rows = await self.notify.users(request.project_id)
        return pb.ListNotifyUsersResponse(users=[user_message(r) for r in rows])

    @unary
    async def AddNotifyUser(
        self, request: pb.AddNotifyUserRequest, context: Context
    ) -> pb.AddNotifyUserResponse:
        row = await self.notify.add_user(request.project_id, request.user, request.actor)
        return pb.AddNotifyUserResponse(user=user_message(row))

    @unary
    async def DeleteNotifyUser(
        self, request: pb.DeleteNotifyUserRequest, context: Context
    ) -> pb.DeleteNotifyUserResponse:
        await self.notify.delete_user(request.project_id, request.id, request.actor)
        return pb.DeleteNotifyUserResponse()

    @unary
    async def GetEnvironment(
        self, request: pb.GetEnvironmentRequest, context: Context
    ) -> pb.GetEnvironmentResponse:
        return pb.GetEnvironmentResponse(settings=await self.notify.settings())

    @unary
    async def SetEnvironment(
        self, request: pb.SetEnvironmentRequest, context: Context
    ) -> pb.SetEnvironmentResponse:
        count = await self.notify.save_settings(dict(request.settings), request.actor)
        return pb.SetEnvironmentResponse(count=count)

    @unary
    async def DeleteEnvironment(
        self, request: pb.DeleteEnvironmentRequest, context: Context
    ) -> pb.DeleteEnvironmentResponse:
        return pb.DeleteEnvironmentResponse(
            count=await self.notify.delete_settings(list(request.keys))
        )

    @unary
    async def GetWebhook(
        self, request: pb.GetWebhookRequest, context: Context
    ) -> pb.GetWebhookResponse:
        hook = await self.notify.webhook(request.project_id)
        if hook is None:
            return pb.GetWebhookResponse()
        return pb.GetWebhookResponse(url=hook.url, has_secret=hook.has_secret)

    @unary
    async def SetWebhook(
        self, request: pb.SetWebhookRequest, context: Context
    ) -> pb.SetWebhookResponse:
        await self.notify.save_webhook(
            request.project_id, request.url, request.secret, request.actor
        )
        return pb.SetWebhookResponse()

    @unary
    async def ListDeliveries(
        self, request: pb.ListDeliveriesRequest, context: Context
    ) -> pb.ListDeliveriesResponse:
        found = await self.notify.deliveries(request.project_id, request.task_uuid)
        return pb.ListDeliveriesResponse(
            deliveries=[delivery_message(row, tries, event) for row, tries, event in found]
        )
