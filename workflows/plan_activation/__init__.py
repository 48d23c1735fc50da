"""PlanActivationWorkflow: one per emergency plan activated on an incident (应急预案启动), workflow id
f"plan-{activation_id}"; notifies the plan's contacts, reminds each task's owner before its deadline,
tells them when it is overdue and then escalates to the duty leader, until every task is done or the
incident closes."""
