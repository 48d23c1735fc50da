"""EscalationWorkflow: one per escalation (升级通知), workflow id f"escalation-{escalation_id}"; walks the
site's chain (officer → leader → unit head → superior duty office) until someone acknowledges."""
