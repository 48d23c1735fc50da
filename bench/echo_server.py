"""A grpc.aio unary echo server over raw bytes, run as its own process (as dutyline services run)
for the raw gRPC ceiling: `python -m bench.echo_server PORT`. Prints "ready" once serving and
stops on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import sys

import grpc

from dutyline.signals import stop_on_signals

SERVICE = "bench.Echo"
METHOD = f"/{SERVICE}/Echo"


async def _echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return request


async def serve(port: int) -> None:
    # The same server options as dutyline.grpckit.server.serve.
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    handler = grpc.method_handlers_generic_handler(SERVICE, {"Echo": grpc.unary_unary_rpc_method_handler(_echo)})
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    stop = asyncio.Event()
    stop_on_signals(stop)
    print("ready", flush=True)
    await stop.wait()
    await server.stop(0)


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
