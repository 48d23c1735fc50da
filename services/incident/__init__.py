"""Incident service (突发事件): the durable emergency process, reports, deadlines, violations."""
