"""Temporal workflows: the durable processes of dutyline (one folder per process)."""
