"""People notifications and escalation (通知与升级): notifications to persons and their delivery
attempts and acknowledgements, channels, templates, recipients, the dispatcher, escalation chains, and
the EscalationWorkflow's starter and activities."""
