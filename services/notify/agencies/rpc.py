"""Agencies (公安, 消防, 卫健, 上级应急局…) over gRPC: registering them, their NATS credentials (a user
whose permissions admit only their sites' subjects, enforced by the NATS server) and their webhook
deliveries."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import grpc
from nats.aio.client import Client as NatsClient

from dutyline.db.pool import Connection
from dutyline.directory import RosterDirectory
from dutyline.grpckit import idempotency
from dutyline.grpckit.auth import Principal, current_principal
from dutyline.grpckit.errors import FailedPrecondition, NotFound, PermissionDenied, Unavailable
from dutyline.notify.v1 import notify_pb2
from services.notify.agencies import store as agency_store
from services.notify.agencies.access import agency_subjects, ensure_agency_consumers, issue_agency_user
from services.notify.agencies.convert import agency_message, delivery_message
from services.notify.agencies.feed import EventFeed
from services.notify.settings import NotifySettings


def _require_agency_admin(principal: Principal) -> None:
    if not principal.has_role("admin", "supervisor", "system"):
        raise PermissionDenied("only an admin or a supervisor manages agencies")


class AgencyRpcs:
    """Mixed into NotifyServicer, which sets these attributes."""

    _pool: Any
    _settings: NotifySettings
    _roster: RosterDirectory
    _feed: EventFeed

    async def _nats(self) -> NatsClient:
        client = self._feed.client
        if client is None or not client.is_connected:
            raise Unavailable("NATS is not reachable now; try again")
        return client

    async def RegisterAgency(
        self, request: notify_pb2.RegisterAgencyRequest, context: grpc.aio.ServicerContext
    ) -> notify_pb2.Agency:
        principal = current_principal()
        agency = request.agency  # its id, name, sites, event types and URL: checked against the proto
        _require_agency_admin(principal)
        for site_id in agency.site_ids:
            site = await self._roster.site(site_id)
            principal.require_site(site.id, site.ancestor_ids)
        row = agency_store.AgencyRow(
            id=agency.id,
            name=agency.name.strip(),
            site_ids=tuple(dict.fromkeys(agency.site_ids)),
            event_types=tuple(dict.fromkeys(agency.event_types)),
            webhook_url=agency.webhook_url,
            webhook_secret=secrets.token_urlsafe(32) if agency.webhook_url else "",
            nats_user="",
            created_at=datetime.now(UTC),
            created_by=principal.person_id,
        )

        async def work(conn: Connection) -> notify_pb2.Agency:
            if not await agency_store.insert_agency(conn, row=row):
                raise FailedPrecondition(f"agency {row.id} is registered already")
            # The stored answer leaves the key out: it is shown once, here, and never kept twice.
            return agency_message(row)

        answer, replay = await idempotency.run_once(
            self._pool, method="RegisterAgency", request=request, response_type=notify_pb2.Agency, work=work
        )
        self._feed.agencies_changed()
        return answer if replay else agency_message(row, with_secret=True)

    async def ListAgencies(
        self, request: notify_pb2.ListAgenciesRequest, context: grpc.aio.ServicerContext
    ) -> notify_pb2.ListAgenciesResponse:
        _require_agency_admin(current_principal())
        async with self._pool.acquire() as conn:
            rows = await agency_store.list_agencies(conn)
        return notify_pb2.ListAgenciesResponse(agencies=[agency_message(r) for r in rows])

    async def IssueAgencyCredentials(
        self, request: notify_pb2.IssueAgencyCredentialsRequest, context: grpc.aio.ServicerContext
    ) -> notify_pb2.AgencyCredentials:
        """A NATS user for the agency, signed with the account's key: it may subscribe to its sites'
        subjects only and pull from its own durable consumers. A retry with the same key gives the
        same user (its seed is derived from the key), so no secret is kept in the store."""
        principal = current_principal()
        _require_agency_admin(principal)
        account_seed = self._settings.account_seed()
        if not account_seed:
            raise FailedPrecondition(
                "NATS is not in operator mode here (neither DUTYLINE_NATS_ACCOUNT_SEED nor _FILE is set)"
            )
        async with self._pool.acquire() as conn:
            agency = await agency_store.get_agency(conn, agency_id=request.agency_id)
        if agency is None:
            raise NotFound(f"agency {request.agency_id} does not exist")
        sites = await self._roster.sites_under(agency.site_ids)
        subjects = agency_subjects(sites, list(agency.event_types))
        user = issue_agency_user(
            account_seed,
            agency.id,
            subjects,
            stream=self._settings.stream,
            derive_from=f"{request.agency_id}:{request.idempotency_key}",
        )
        await ensure_agency_consumers(
            (await self._nats()).jetstream(timeout=5.0),
            agency.id,
            subjects,
            stream=self._settings.stream,
        )
        async with self._pool.acquire() as conn, conn.transaction():
            await idempotency.claim(
                conn,
                method="IssueAgencyCredentials",
                key=request.idempotency_key,
                request=request,
                response=notify_pb2.AgencyCredentials(),
            )
            await agency_store.set_nats_user(conn, agency_id=agency.id, nats_user=user.public_key)
        return notify_pb2.AgencyCredentials(
            agency_id=agency.id,
            nats_user=user.public_key,
            allowed_subjects=subjects,
            creds=user.text,
            inbox_prefix=user.inbox_prefix,
            consumer=user.consumer,
        )

    async def ListAgencyDeliveries(
        self, request: notify_pb2.ListAgencyDeliveriesRequest, context: grpc.aio.ServicerContext
    ) -> notify_pb2.ListAgencyDeliveriesResponse:
        _require_agency_admin(current_principal())
        size = request.page.page_size or 50
        async with self._pool.acquire() as conn:
            rows = await agency_store.list_deliveries(
                conn, agency_id=request.agency_id, status=request.status, limit=size
            )
        return notify_pb2.ListAgencyDeliveriesResponse(deliveries=[delivery_message(r) for r in rows])
