"""NotifyService over gRPC. Every RPC answers UNIMPLEMENTED until the notify issue lands; the
service already runs, migrates its schema, relays its outbox and reports health."""

from __future__ import annotations

import grpc

from dutyline.grpckit.server import ServiceContext
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc


async def build(ctx: ServiceContext, server: grpc.aio.Server) -> str:
    notify_pb2_grpc.add_NotifyServiceServicer_to_server(notify_pb2_grpc.NotifyServiceServicer(), server)
    return str(notify_pb2.DESCRIPTOR.services_by_name["NotifyService"].full_name)
