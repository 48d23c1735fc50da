"""IncidentWorkflow: one per incident, workflow id = incident id."""
