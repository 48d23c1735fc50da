"""The process of one hotline case (工单): its handling deadline, supervision and escalation."""
