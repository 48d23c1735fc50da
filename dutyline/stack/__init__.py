"""Real local servers (PostgreSQL, NATS JetStream, Temporal) run as child processes.

Used by `dutyline up` and by the integration-test fixtures. Import the submodule you need
(dutyline.stack.postgres, .nats, .temporal); nothing heavy is imported here.
"""
