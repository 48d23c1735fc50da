"""`dutyline notify …`: notifications and escalation chains: commands, client, views, chain (steps)."""
