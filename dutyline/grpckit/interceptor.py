"""One server interceptor: request id and log context, authentication, the method's authorization
policy (dutyline.grpckit.policy, deny by default), the limits of the request's proto
(dutyline.grpckit.validation), error mapping.

Health checks and reflection stay open so probes and tools work without a token (dutyline.grpckit.handlers).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any

import grpc
import structlog

from dutyline.grpckit import faults, validation
from dutyline.grpckit.auth import ON_BEHALF_OF, Principal, TokenVerifier, set_principal
from dutyline.grpckit.errors import DomainError, InvalidArgument, PermissionDenied, Unauthenticated
from dutyline.grpckit.handlers import Stream, Unary, WrappingInterceptor
from dutyline.grpckit.policy import Policy, authorize
from dutyline.ids import ulid

log = structlog.get_logger(__name__)

# Methods that also serve callers without a bearer token; the handler decides (e.g. acknowledging a
# notification with the one-time token from the message, from a phone without a session).
TOKEN_OPTIONAL = frozenset({"/dutyline.notify.v1.NotifyService/Acknowledge"})


def _metadata(context: grpc.aio.ServicerContext) -> dict[str, str]:
    return {k: v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}


class ServerInterceptor(WrappingInterceptor):
    def __init__(self, tokens: TokenVerifier, policies: Mapping[str, Policy]) -> None:
        super().__init__()
        self._tokens = tokens
        # The service's policies, filled in by its ``build``; a method missing from them is refused.
        self._policies = policies
        # A caller sends the same token on every request: check its signature once (expiry and
        # revocation on every call).
        self._verified = lru_cache(maxsize=4096)(tokens.verify)

    def _authenticate(self, metadata: dict[str, str]) -> tuple[Principal, str]:
        """The caller, and the person's token it acts with: the caller's own, or the one a component
        forwards to act on that person's behalf (then the person, ``via`` the component)."""
        header = metadata.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("missing bearer token (metadata 'authorization: Bearer <token>')")
        principal = self._verified(token.strip())
        self._tokens.require_current(principal)
        person_token = metadata.get(ON_BEHALF_OF, "").strip()
        if not person_token:
            return principal, token.strip()
        if "system" not in principal.roles:
            raise PermissionDenied("只有平台服务可代表他人调用 only a dutyline service acts on behalf of a person")
        person = self._verified(person_token)
        if "system" in person.roles:
            raise Unauthenticated(f"{ON_BEHALF_OF} names a service, not a person")
        self._tokens.require_current(person)
        return replace(person, via=principal.person_id), person_token

    def _enter(self, method: str, context: grpc.aio.ServicerContext, request: Any) -> None:
        metadata = _metadata(context)
        request_id = metadata.get("x-request-id") or ulid()
        structlog.contextvars.bind_contextvars(request_id=request_id, rpc=method)
        if method in TOKEN_OPTIONAL and "authorization" not in metadata:
            set_principal(None)
            authorize(self._policies, method, None)
            self._check(request)
            return
        principal, token = self._authenticate(metadata)
        structlog.contextvars.bind_contextvars(person_id=principal.person_id)
        if principal.via:
            structlog.contextvars.bind_contextvars(via=principal.via)
        set_principal(principal, token)
        # Roles first: a caller the method is not open to learns nothing, not even what input is bad.
        authorize(self._policies, method, principal)
        self._check(request)

    @staticmethod
    def _check(request: Any) -> None:
        """The limits the request's proto declares; refused before any handler runs."""
        problems = validation.violations(request)
        if problems:
            raise InvalidArgument(problems)

    async def _fail(self, method: str, context: grpc.aio.ServicerContext, exc: Exception) -> None:
        if isinstance(exc, DomainError):
            log.info("request refused", code=exc.code.name, error=exc.message)
            await context.abort_with_status(exc.to_status())
        if isinstance(exc, NotImplementedError):
            # The generated base servicer's answer for an RPC in the proto that has no implementation.
            await context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{method} is not implemented yet")
        cause = faults.unavailable(exc)
        if cause is not None:
            # A dependency is down or went away mid-request: retryable, and not a bug to page anyone for.
            log.warning("request failed: a dependency is unavailable", method=method, error=repr(cause))
            await context.abort(
                grpc.StatusCode.UNAVAILABLE,
                "暂时无法处理，请用同一幂等键重试 a dependency is unavailable; retry with the same idempotency key",
            )
        log.exception("request failed", method=method)
        await context.abort(grpc.StatusCode.INTERNAL, "internal error; the request id is in the server log")

    def unary(self, method: str, behavior: Unary) -> Unary:
        async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
            started = time.perf_counter()
            try:
                self._enter(method, context, request)
                return await behavior(request, context)
            except DomainError as exc:
                await self._fail(method, context, exc)
            except Exception as exc:
                if isinstance(exc, grpc.aio.AbortError):
                    raise
                await self._fail(method, context, exc)
            finally:
                log.debug("rpc done", ms=round((time.perf_counter() - started) * 1000, 2))
                structlog.contextvars.clear_contextvars()

        return unary

    def stream(self, method: str, behavior: Stream) -> Stream:
        async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            try:
                self._enter(method, context, request)
                async for item in behavior(request, context):
                    yield item
            except Exception as exc:
                if isinstance(exc, grpc.aio.AbortError):
                    raise
                await self._fail(method, context, exc)
            finally:
                structlog.contextvars.clear_contextvars()

        return stream
