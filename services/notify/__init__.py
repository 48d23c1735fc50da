"""Notify service (通知): one service, one schema (notify), one gRPC server (server.py), one Temporal
worker (worker.py, task queue dutyline-notify), in two subdomains:

- ``people``: notifications to persons, their delivery attempts and acknowledgements, channels,
  templates, recipients, the dispatcher, escalation chains, and the EscalationWorkflow's starter and
  activities;
- ``agencies``: agency subscriptions, their NATS access and credentials, the event feed, its JSON and
  CAP 1.2 renditions, and webhook deliveries.
"""
