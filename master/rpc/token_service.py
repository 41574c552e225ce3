"""TokenService: a project's tokens (listed without their secret; the plain token is answered
by CreateToken once). Creating and deleting take the admin token (auth.py); each change
reaches the authenticator's memory at once."""

from __future__ import annotations

from jobfleet.v1 import auth_pb2 as pb
from jobfleet.v1 import auth_pb2_grpc
from master.catalogue.service import Tokens
from master.rpc.auth import Authenticator
from master.rpc.context import CALLER, Context
from master.rpc.convert import catalog as convert_catalog
from master.rpc.errors import unary


class TokenServicer(auth_pb2_grpc.TokenServiceServicer):
    def __init__(self, tokens: Tokens, auth: Authenticator) -> None:
        self.tokens = tokens
        self.auth = auth

    @unary
    async def ListTokens(
        self, request: pb.ListTokensRequest, context: Context
    ) -> pb.ListTokensResponse:
        found, total = await self.tokens.list(
            request.project_id, convert_catalog.list_filter(request.filter), request.token
        )
        return pb.ListTokensResponse(tokens=[convert_catalog.token(r) for r in found], total=total)

    @unary
    async def CreateToken(
        self, request: pb.CreateTokenRequest, context: Context
    ) -> pb.CreateTokenResponse:
        row, secret = await self.tokens.create(
            request.project_id,
            request.token,
            request.describe,
            request.actor,
            request.run_job,
            request.job_name,
        )
        self.auth.token_created(secret)
        return pb.CreateTokenResponse(token=convert_catalog.token(row), secret=secret)

    @unary
    async def DeleteToken(
        self, request: pb.DeleteTokenRequest, context: Context
    ) -> pb.DeleteTokenResponse:
        await self.tokens.delete(request.project_id, request.id)
        self.auth.token_deleted(request.id)
        return pb.DeleteTokenResponse()

    @unary
    async def Authenticate(
        self, request: pb.AuthenticateRequest, context: Context
    ) -> pb.AuthenticateResponse:
        who = CALLER.get()  # the interceptor checked the credentials against project_id
        return pb.AuthenticateResponse(
            admin=who.admin, project_id=who.project_id, token_id=who.token_id
        )
