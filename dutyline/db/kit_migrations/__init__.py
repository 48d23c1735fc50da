"""Tables every service schema has: the outbox and the idempotency keys."""
