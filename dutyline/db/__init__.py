"""PostgreSQL access: a pool per service, bound to that service's schema, and its migrations."""
