"""Agencies (公安, 消防, 卫健, 上级应急局…) over gRPC: registering them, their NATS credentials (a user
whose permissions admit only their sites' subjects, enforced by the NATS server) and their webhook
deliveries."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import nats.errors
from nats.aio.client import Client as NatsClient

from dutyline.db.pool import Connection
from dutyline.directory import RosterDirectory
from dutyline.grpckit import idempotency
from dutyline.grpckit.auth import ALL_SITES, Principal, current_principal
from dutyline.grpckit.errors import (
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unavailable,
)
from dutyline.natsauth import NatsAuthError, app_account_jwt, public_key, push_account_jwt
from dutyline.natsconn import connect_url
from dutyline.notify.v1 import notify_pb2
from dutyline.outbound import BlockedUrl, OutboundPolicy
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

    async def _covers_agency(self, principal: Principal, agency: agency_store.AgencyRow) -> bool:
        """Whether the caller acts for every site of the agency: an agency spanning two sites is
        managed by someone who acts for both (a region above them, or everything)."""
        for site_id in agency.site_ids:
            site = await self._roster.site(site_id)
            if not principal.covers(site.id, site.ancestor_ids):
                return False
        return True

    async def _managed_agency(self, principal: Principal, agency_id: str) -> agency_store.AgencyRow:
        async with self._pool.acquire() as conn:
            agency = await agency_store.get_agency(conn, agency_id=agency_id)
        if agency is None:
            raise NotFound(f"agency {agency_id} does not exist")
        if not await self._covers_agency(principal, agency):
            raise PermissionDenied(f"agency {agency_id} serves sites {principal.person_id} does not act for")
        return agency

    async def RegisterAgency(
        self, request: notify_pb2.RegisterAgencyRequest, context: grpc.aio.ServicerContext
    ) -> notify_pb2.Agency:
        principal = current_principal()
        agency = request.agency  # its id, name, sites, event types and URL: checked against the proto
        _require_agency_admin(principal)
        if agency.webhook_url:
            # A URL notify will POST to: only where dutyline.outbound admits.
            try:
                await OutboundPolicy.parse(self._settings.outbound_allow).check_resolved(agency.webhook_url)
            except BlockedUrl as exc:
                raise InvalidArgument(
                    [FieldViolation("agency.webhook_url", f"{exc} (仅接受指向公网地址的 https 网址)")]
                ) from exc
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
        await self._feed.agencies_changed()
        return answer if replay else agency_message(row, with_secret=True)

    async def ListAgencies(
        self, request: notify_pb2.ListAgenciesRequest, context: grpc.aio.ServicerContext
    ) -> notify_pb2.ListAgenciesResponse:
        principal = current_principal()
        _require_agency_admin(principal)
        async with self._pool.acquire() as conn:
            rows = await agency_store.list_agencies(conn)
        mine = [r for r in rows if await self._covers_agency(principal, r)]
        return notify_pb2.ListAgenciesResponse(agencies=[agency_message(r) for r in mine])

    async def IssueAgencyCredentials(
        self, request: notify_pb2.IssueAgencyCredentialsRequest, context: grpc.aio.ServicerContext
    ) -> notify_pb2.AgencyCredentials:
        """A NATS user for the agency, signed with the account's key: it may subscribe to its sites'
        subjects only and pull from its own durable consumers, until it expires
        (DUTYLINE_AGENCY_CREDS_TTL_SECONDS). Issuing revokes the agency's earlier users, which the NATS
        servers then refuse: that is how an agency whose sites or events changed loses the old ones.
        A retry with the same key gives the same user (its seed is derived from the key), so no secret
        is kept in the store; a retry of a key whose user was revoked since is refused."""
        principal = current_principal()
        _require_agency_admin(principal)
        # Only for agencies all of whose sites the caller acts for.
        agency = await self._managed_agency(principal, request.agency_id)
        account_seed, signing_seed = self._settings.account_seed(), self._settings.signing_seed()
        if not account_seed:
            raise FailedPrecondition(
                "NATS is not in operator mode here (neither DUTYLINE_NATS_ACCOUNT_SEED nor _FILE is set)"
            )
        if not signing_seed or not self._settings.nats_system_creds:
            # Credentials that could not be revoked are not handed out.
            raise FailedPrecondition(
                "agency credentials could not be revoked here: set DUTYLINE_NATS_SIGNING_SEED(_FILE) and "
                "DUTYLINE_NATS_SYSTEM_CREDS"
            )
        sites = await self._roster.sites_under(agency.site_ids)
        subjects = agency_subjects(sites, list(agency.event_types))
        now = datetime.now(UTC)
        expires_at = now + timedelta(seconds=self._settings.agency_creds_ttl_seconds)
        user = issue_agency_user(
            account_seed,
            agency.id,
            subjects,
            stream=self._settings.stream,
            expires=int(expires_at.timestamp()),
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
            fresh = await agency_store.record_nats_user(
                conn,
                agency_id=agency.id,
                public_key=user.public_key,
                subjects=subjects,
                issued_at=now,
                expires_at=expires_at,
            )
            if not fresh:
                raise FailedPrecondition("these credentials were revoked since; issue new ones with a new key")
            await agency_store.revoke_nats_users(conn, agency_id=agency.id, now=now, keep=user.public_key)
            await agency_store.set_nats_user(conn, agency_id=agency.id, nats_user=user.public_key)
        await self._push_revocations(signing_seed)
        return notify_pb2.AgencyCredentials(
            agency_id=agency.id,
            nats_user=user.public_key,
            allowed_subjects=subjects,
            creds=user.text,
            inbox_prefix=user.inbox_prefix,
            consumer=user.consumer,
        )

    async def RevokeAgencyCredentials(
        self, request: notify_pb2.RevokeAgencyCredentialsRequest, context: grpc.aio.ServicerContext
    ) -> notify_pb2.Agency:
        """Revoke every NATS user of the agency; the NATS servers then refuse and disconnect them. A
        retry revokes nothing new and pushes the same revocations again."""
        principal = current_principal()
        _require_agency_admin(principal)
        agency = await self._managed_agency(principal, request.agency_id)
        signing_seed = self._settings.signing_seed()
        if not signing_seed or not self._settings.nats_system_creds:
            raise FailedPrecondition(
                "agency credentials cannot be revoked here: set DUTYLINE_NATS_SIGNING_SEED(_FILE) and "
                "DUTYLINE_NATS_SYSTEM_CREDS"
            )
        async with self._pool.acquire() as conn, conn.transaction():
            await idempotency.claim(
                conn,
                method="RevokeAgencyCredentials",
                key=request.idempotency_key,
                request=request,
                response=notify_pb2.Agency(),
            )
            await agency_store.revoke_nats_users(conn, agency_id=agency.id, now=datetime.now(UTC))
            await agency_store.set_nats_user(conn, agency_id=agency.id, nats_user="")
        await self._push_revocations(signing_seed)
        return agency_message(replace(agency, nats_user=""))

    async def RescopeAgency(
        self, request: notify_pb2.RescopeAgencyRequest, context: grpc.aio.ServicerContext
    ) -> notify_pb2.Agency:
        """New sites and event types for an agency (a narrowed one loses the old at once): managed by
        someone who acts for every old and every new site. Its NATS users carry the old subjects, so
        a change revokes them; the webhook feed follows the stored scope."""
        principal = current_principal()
        _require_agency_admin(principal)
        agency = await self._managed_agency(principal, request.agency_id)
        for site_id in request.site_ids:
            site = await self._roster.site(site_id)
            principal.require_site(site.id, site.ancestor_ids)
        scoped = replace(
            agency,
            site_ids=tuple(dict.fromkeys(request.site_ids)),
            event_types=tuple(dict.fromkeys(request.event_types)),
        )
        changed = (set(scoped.site_ids), set(scoped.event_types)) != (set(agency.site_ids), set(agency.event_types))
        if changed:
            scoped = replace(scoped, nats_user="")

        async def work(conn: Connection) -> notify_pb2.Agency:
            if changed:
                await agency_store.set_scope(
                    conn, agency_id=agency.id, site_ids=scoped.site_ids, event_types=scoped.event_types
                )
                await agency_store.revoke_nats_users(conn, agency_id=agency.id, now=datetime.now(UTC))
                await agency_store.set_nats_user(conn, agency_id=agency.id, nats_user="")
            return agency_message(scoped)

        answer, _ = await idempotency.run_once(
            self._pool, method="RescopeAgency", request=request, response_type=notify_pb2.Agency, work=work
        )
        await self._feed.agencies_changed()
        # Pushed after the commit (a retry pushes again; the sweep too, should this push fail).
        signing_seed = self._settings.signing_seed()
        if signing_seed and self._settings.nats_system_creds:
            await self._push_revocations(signing_seed)
        return answer

    async def repush_revocations(self) -> None:
        """Push the revocations again (a sweep): a NATS cluster that lost its resolver's files, or
        missed a push, learns them back."""
        signing_seed = self._settings.signing_seed()
        if signing_seed and self._settings.nats_system_creds:
            await self._push_revocations(signing_seed)

    async def _push_revocations(self, signing_seed: str) -> None:
        """Hand the NATS servers the account JWT listing every revoked agency user; it is rebuilt from
        the store each time, so one push that failed is made good by the next."""
        async with self._pool.acquire() as conn:
            revocations = await agency_store.nats_revocations(conn, now=datetime.now(UTC))
        account = public_key(self._settings.account_seed())
        try:
            client = await connect_url(
                self._settings.nats_url, self._settings.nats_system_creds, name="dutyline-notify-revocations"
            )
        except (OSError, nats.errors.Error) as exc:
            raise Unavailable("NATS is not reachable to revoke earlier credentials now; try again") from exc
        try:
            await push_account_jwt(client, account, app_account_jwt(signing_seed, account, revocations))
        except (NatsAuthError, nats.errors.Error) as exc:
            raise Unavailable(f"NATS did not take the revocations; try again ({exc})") from exc
        finally:
            await client.close()

    async def ListAgencyDeliveries(
        self, request: notify_pb2.ListAgencyDeliveriesRequest, context: grpc.aio.ServicerContext
    ) -> notify_pb2.ListAgencyDeliveriesResponse:
        principal = current_principal()
        _require_agency_admin(principal)
        # Only deliveries of agencies all of whose sites the caller acts for.
        managed: list[str] | None = None
        if request.agency_id:
            await self._managed_agency(principal, request.agency_id)
        elif ALL_SITES not in principal.sites:
            async with self._pool.acquire() as conn:
                agencies = await agency_store.list_agencies(conn)
            managed = [a.id for a in agencies if await self._covers_agency(principal, a)]
        size = request.page.page_size or 50
        async with self._pool.acquire() as conn:
            rows = await agency_store.list_deliveries(
                conn, agency_id=request.agency_id, status=request.status, limit=size, agency_ids=managed
            )
        return notify_pb2.ListAgencyDeliveriesResponse(deliveries=[delivery_message(r) for r in rows])
