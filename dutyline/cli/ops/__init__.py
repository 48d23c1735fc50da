"""`dutyline ops …`: operations on the platform's machinery (dead letters, straight in PostgreSQL)."""
