"""The gRPC server kit: errors, auth, idempotency, health, reflection, graceful shutdown."""
