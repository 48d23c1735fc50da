"""The duty console (值班台): the duty room's screen in the browser, one more client of the platform.

It talks only to the four services' gRPC APIs, always with the signed-in person's own token, and
never to a database; live updates come from IncidentService.WatchIncidents. Server-rendered HTML
(Jinja2) with htmx, every asset served by the console itself.

Server: aiohttp rather than Starlette + uvicorn. dutyline already depends on aiohttp (notify's
gateways and webhooks), so the console adds only Jinja2; aiohttp is a server and an HTTP client in one
(the OpenID Connect token exchange), streams server-sent events with a plain StreamResponse, and its
AppRunner gives the graceful shutdown every dutyline process has, on the same asyncio loop as
grpc.aio, without another server process model to configure.
"""
