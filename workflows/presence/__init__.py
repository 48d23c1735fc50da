"""Presence on duty (在岗): PresenceCheckWorkflow, one per presence check (在岗抽查), workflow id
f"presence-{check_id}", asks the person and alerts the duty leader when nobody confirms in time;
EarlyLeaveWorkflow, one per early check-out (早退), workflow id f"early-leave-{assignment_id}",
alerts the duty leader."""
