"""`dutyline events …`: the platform's events on NATS: commands, client (NATS), views."""
