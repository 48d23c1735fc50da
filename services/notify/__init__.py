"""Notify service (通知): delivery, escalation chains, agency subscriptions."""
