"""The embedded dev stack: real local servers (PostgreSQL, NATS JetStream, Temporal) run as child
processes (postgres, nats, temporal, process), the whole platform on them (platform), `dutyline up`
(up), the demo (demo) and the local message gateway (gateway).

The top layer: it imports the CLI and everything below, nothing imports it but the tests and the
benchmarks (the CLI loads its commands by name: commands.py). It needs the [embedded] extra and is
not in the production image. Import the submodule you need; nothing heavy is imported here.
"""
