"""`dutyline insight …`: the assessment's scoring rules and annotations, and the read model's status."""
